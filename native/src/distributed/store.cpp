#include "distributed/store.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "distributed/socket_io.h"

namespace myelin::distributed {

namespace {

// Wire format. Request: RequestHeader, key bytes, value bytes. Reply: ReplyHeader, payload.
enum Command : uint8_t {
  kHello = 1,     // value: int32 rank, int32 world size
  kSet = 2,       // key, value
  kGet = 3,       // key; the reply waits until the key is set
  kAdd = 4,       // key, value: int64 delta; reply: int64 new value
  kProgress = 5,  // value: int64 seq (no reply)
  kFail = 6,      // value: int64 seq, then the text (no reply)
  kBye = 7,       // (no reply)
  kStatus = 8,    // reply: see encode_status
};

struct RequestHeader {
  uint8_t cmd;
  uint8_t pad[3];
  uint32_t key_len;
  uint32_t value_len;
};
struct ReplyHeader {
  uint8_t status;  // 0 ok, 1 error (payload: the message)
  uint8_t pad[3];
  uint32_t len;
};

constexpr uint32_t kMaxKey = 4096;
constexpr uint32_t kMaxValue = 64u << 20;

template <typename T>
void put(std::vector<char>& out, const T& v) {
  const char* p = reinterpret_cast<const char*>(&v);
  out.insert(out.end(), p, p + sizeof v);
}

template <typename T>
T take(const std::vector<char>& in, size_t& at) {
  T v{};
  if (at + sizeof v > in.size()) throw std::runtime_error("store: truncated reply");
  std::memcpy(&v, in.data() + at, sizeof v);
  at += sizeof v;
  return v;
}

}  // namespace

// ---- server ----

StoreServer::StoreServer(int port, int world_size) : world_(world_size), ranks_(world_size) {
  listen_fd_ = listen_any(port, 128);
  port_ = bound_port(listen_fd_);
  if (pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(listen_fd_);
    throw std::runtime_error("store: pipe: " + errno_text(errno));
  }
  thread_ = std::thread([this] { run(); });
}

StoreServer::~StoreServer() {
  const char b = 1;
  if (write(wake_[1], &b, 1) < 0) {
  }
  if (thread_.joinable()) thread_.join();
  for (auto& [fd, c] : conns_) close(fd);
  close(listen_fd_);
  close(wake_[0]);
  close(wake_[1]);
}

void StoreServer::run() {
  for (;;) {
    std::vector<pollfd> fds;
    fds.push_back({wake_[0], POLLIN, 0});
    fds.push_back({listen_fd_, POLLIN, 0});
    for (auto& [fd, c] : conns_) fds.push_back({fd, POLLIN, 0});
    if (poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[0].revents) return;
    if (fds[1].revents & POLLIN) {
      const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) conns_[fd] = Conn{fd, "a store client", {}, -1, false};
    }
    for (size_t i = 2; i < fds.size(); i++) {
      if (!fds[i].revents) continue;
      auto it = conns_.find(fds[i].fd);
      if (it == conns_.end()) continue;
      Conn& c = it->second;
      char buf[65536];
      bool open = true;
      for (;;) {
        const ssize_t r = recv(c.fd, buf, sizeof buf, MSG_DONTWAIT);
        if (r > 0) {
          c.in.insert(c.in.end(), buf, buf + r);
          continue;
        }
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) open = false;
        break;
      }
      bool keep = false;
      try {
        keep = serve(c) && open;
      } catch (const std::exception&) {
        keep = false;  // a client that stopped reading its replies
      }
      if (!keep) drop(c);
    }
  }
}

void StoreServer::drop(Conn& c) {
  if (c.rank >= 0 && ranks_[c.rank].state == RankState::kConnected) {
    if (c.bye) {
      ranks_[c.rank].state = RankState::kLeft;
    } else {
      ranks_[c.rank].state = RankState::kLost;
      ranks_[c.rank].lost_order = lost_count_++;
    }
  }
  for (auto& [key, fds] : waiters_) {
    for (size_t i = 0; i < fds.size();) fds[i] == c.fd ? (void)fds.erase(fds.begin() + i) : (void)i++;
  }
  const int fd = c.fd;
  close(fd);
  conns_.erase(fd);
}

bool StoreServer::serve(Conn& c) {
  size_t at = 0;
  while (c.in.size() - at >= sizeof(RequestHeader)) {
    RequestHeader h;
    std::memcpy(&h, c.in.data() + at, sizeof h);
    if (h.key_len > kMaxKey || h.value_len > kMaxValue) return false;
    const size_t total = sizeof h + h.key_len + h.value_len;
    if (c.in.size() - at < total) break;
    const char* p = c.in.data() + at + sizeof h;
    const std::string key(p, h.key_len);
    const std::vector<char> value(p + h.key_len, p + h.key_len + h.value_len);
    at += total;
    handle(c, h.cmd, key, value);
  }
  c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(at));
  return true;
}

void StoreServer::reply(const Conn& c, uint8_t status, const void* data, size_t len) {
  std::vector<char> out;
  ReplyHeader h{status, {0, 0, 0}, static_cast<uint32_t>(len)};
  put(out, h);
  out.insert(out.end(), static_cast<const char*>(data), static_cast<const char*>(data) + len);
  write_full(c.fd, out.data(), out.size(), Clock::now() + std::chrono::seconds(10), c.peer);
}

void StoreServer::handle(Conn& c, uint8_t cmd, const std::string& key, const std::vector<char>& value) {
  auto error = [&](const std::string& msg) { reply(c, 1, msg.data(), msg.size()); };
  switch (cmd) {
    case kHello: {
      size_t at = 0;
      const int32_t rank = take<int32_t>(value, at);
      const int32_t world = take<int32_t>(value, at);
      if (world != world_) {
        return error("world size mismatch: rank 0 started the group with world size " + std::to_string(world_) +
                     ", rank " + std::to_string(rank) + " says " + std::to_string(world));
      }
      if (rank < 0 || rank >= world_) {
        return error("rank " + std::to_string(rank) + " is out of range for world size " + std::to_string(world_));
      }
      if (ranks_[rank].state != RankState::kNeverJoined) {
        return error("rank " + std::to_string(rank) +
                     " already joined this group (two processes with the same RANK, or a rank that restarted)");
      }
      c.rank = rank;
      c.peer = "rank " + std::to_string(rank);
      ranks_[rank].state = RankState::kConnected;
      return reply(c, 0, nullptr, 0);
    }
    case kSet: {
      data_[key] = value;
      auto it = waiters_.find(key);
      if (it != waiters_.end()) {
        const std::vector<int> fds = it->second;
        waiters_.erase(it);
        for (int fd : fds) {
          auto w = conns_.find(fd);
          if (w == conns_.end()) continue;
          try {
            reply(w->second, 0, value.data(), value.size());
          } catch (const std::exception&) {
            // A waiter that stopped reading: its own poll drops it.
          }
        }
      }
      return reply(c, 0, nullptr, 0);
    }
    case kGet: {
      auto it = data_.find(key);
      if (it != data_.end()) return reply(c, 0, it->second.data(), it->second.size());
      waiters_[key].push_back(c.fd);
      return;
    }
    case kAdd: {
      size_t at = 0;
      const int64_t delta = take<int64_t>(value, at);
      int64_t current = 0;
      auto it = data_.find(key);
      if (it != data_.end() && it->second.size() == sizeof current) std::memcpy(&current, it->second.data(), 8);
      current += delta;
      std::vector<char> bytes(sizeof current);
      std::memcpy(bytes.data(), &current, sizeof current);
      data_[key] = bytes;
      return reply(c, 0, bytes.data(), bytes.size());
    }
    case kProgress: {
      size_t at = 0;
      const int64_t seq = take<int64_t>(value, at);
      if (c.rank >= 0) ranks_[c.rank].progress = seq;
      return;
    }
    case kFail: {
      size_t at = 0;
      const int64_t seq = take<int64_t>(value, at);
      if (fail_rank_ < 0 && c.rank >= 0) {
        fail_rank_ = c.rank;
        fail_seq_ = seq;
        fail_text_.assign(value.begin() + static_cast<std::ptrdiff_t>(at), value.end());
      }
      return;
    }
    case kBye:
      c.bye = true;
      return;
    case kStatus: {
      std::vector<char> out;
      put(out, static_cast<int32_t>(world_));
      for (const RankStatus& r : ranks_) {
        put(out, static_cast<int32_t>(r.state));
        put(out, r.lost_order);
        put(out, r.progress);
      }
      put(out, fail_rank_);
      put(out, fail_seq_);
      out.insert(out.end(), fail_text_.begin(), fail_text_.end());
      return reply(c, 0, out.data(), out.size());
    }
    default:
      return error("unknown store command " + std::to_string(cmd));
  }
}

// ---- client ----

StoreClient::StoreClient(const std::string& host, int port, int rank, int world_size,
                         std::chrono::milliseconds connect_timeout, std::chrono::milliseconds timeout)
    : peer_("the rendezvous store at " + host + ":" + std::to_string(port)), timeout_(timeout) {
  fd_ = connect_with_retry(host, port, Clock::now() + connect_timeout);
  local_address_ = distributed::local_address(fd_);
  std::vector<char> hello;
  put(hello, static_cast<int32_t>(rank));
  put(hello, static_cast<int32_t>(world_size));
  request(kHello, "", hello.data(), hello.size(), true, connect_timeout);
}

StoreClient::~StoreClient() {
  if (fd_ >= 0) close(fd_);
}

std::vector<char> StoreClient::request(uint8_t cmd, const std::string& key, const void* value, size_t len,
                                       bool want_reply, std::chrono::milliseconds timeout) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!broken_.empty()) throw std::runtime_error(broken_);
  const auto deadline = Clock::now() + timeout;
  try {
    std::vector<char> out;
    put(out, RequestHeader{cmd, {0, 0, 0}, static_cast<uint32_t>(key.size()), static_cast<uint32_t>(len)});
    out.insert(out.end(), key.begin(), key.end());
    out.insert(out.end(), static_cast<const char*>(value), static_cast<const char*>(value) + len);
    write_full(fd_, out.data(), out.size(), deadline, peer_);
    if (!want_reply) return {};
    ReplyHeader h;
    if (!read_full(fd_, &h, sizeof h, deadline, peer_)) throw std::runtime_error(peer_ + " closed the connection");
    std::vector<char> payload(h.len);
    if (h.len && !read_full(fd_, payload.data(), h.len, deadline, peer_))
      throw std::runtime_error(peer_ + " closed the connection");
    if (h.status != 0) throw std::invalid_argument(std::string(payload.begin(), payload.end()));
    return payload;
  } catch (const std::invalid_argument&) {
    throw;  // the server refused the request: the connection itself is fine
  } catch (const std::exception& e) {
    // A reply may still be in flight: nothing read from here on could be trusted.
    broken_ = e.what();
    throw;
  }
}

void StoreClient::set(const std::string& key, const std::vector<char>& value) {
  request(kSet, key, value.data(), value.size(), true, timeout_);
}

std::vector<char> StoreClient::get(const std::string& key, std::chrono::milliseconds timeout) {
  return request(kGet, key, nullptr, 0, true, timeout);
}

int64_t StoreClient::add(const std::string& key, int64_t delta) {
  const std::vector<char> r = request(kAdd, key, &delta, sizeof delta, true, timeout_);
  size_t at = 0;
  return take<int64_t>(r, at);
}

void StoreClient::progress(int64_t seq) { request(kProgress, "", &seq, sizeof seq, false, timeout_); }

void StoreClient::fail(int64_t seq, const std::string& text) {
  std::vector<char> v;
  put(v, seq);
  v.insert(v.end(), text.begin(), text.end());
  request(kFail, "", v.data(), v.size(), false, timeout_);
}

void StoreClient::bye() { request(kBye, "", nullptr, 0, false, timeout_); }

StoreStatus StoreClient::status(std::chrono::milliseconds timeout) {
  const std::vector<char> r = request(kStatus, "", nullptr, 0, true, timeout);
  size_t at = 0;
  StoreStatus s;
  const int32_t world = take<int32_t>(r, at);
  s.ranks.resize(world);
  for (RankStatus& rs : s.ranks) {
    rs.state = static_cast<RankState>(take<int32_t>(r, at));
    rs.lost_order = take<int32_t>(r, at);
    rs.progress = take<int64_t>(r, at);
  }
  s.fail_rank = take<int32_t>(r, at);
  s.fail_seq = take<int64_t>(r, at);
  s.fail_text.assign(r.begin() + static_cast<std::ptrdiff_t>(at), r.end());
  return s;
}

}  // namespace myelin::distributed
