#include "distributed/socket_io.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdexcept>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>

namespace myelin::distributed {

int64_t ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? left : 0;
}

std::string errno_text(int err) {
  char buf[256];
  // GNU strerror_r returns the message (possibly not in buf).
  return std::string(strerror_r(err, buf, sizeof buf));
}

int listen_any(int port, int backlog) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket: " + errno_text(errno));
  const int on = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_ANY);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, backlog) != 0) {
    const int err = errno;
    close(fd);
    throw std::runtime_error("cannot listen on port " + std::to_string(port) + ": " + errno_text(err) +
                             (err == EADDRINUSE ? " (another process holds it: choose another MASTER_PORT)" : ""));
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  if (addr.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&addr)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&addr)->sin_port);
}

namespace {

// One connection attempt to one resolved address, bounded by the deadline. Returns the fd, or
// -1 with errno set.
int try_connect(const addrinfo* ai, Clock::time_point deadline) {
  const int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
    if (errno != EINPROGRESS) {
      const int err = errno;
      close(fd);
      errno = err;
      return -1;
    }
    pollfd p{fd, POLLOUT, 0};
    const int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(ms_left(deadline), 2000)));
    int err = ETIMEDOUT;
    if (n == 1) {
      socklen_t len = sizeof err;
      getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    }
    if (err != 0) {
      close(fd);
      errno = err;
      return -1;
    }
  }
  const int flags = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &flags, sizeof flags);
  return fd;
}

}  // namespace

int connect_with_retry(const std::string& host, int port, Clock::time_point deadline) {
  std::string last = "no attempt";
  for (;;) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    const int rc = getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &res);
    if (rc != 0) {
      last = std::string("cannot resolve '") + host + "': " + gai_strerror(rc);
    } else {
      for (const addrinfo* ai = res; ai; ai = ai->ai_next) {
        const int fd = try_connect(ai, deadline);
        if (fd >= 0) {
          freeaddrinfo(res);
          return fd;
        }
        last = errno_text(errno);
      }
      freeaddrinfo(res);
    }
    if (ms_left(deadline) == 0) {
      throw std::runtime_error("cannot reach the rendezvous store at " + host + ":" + std::to_string(port) + " (" +
                               last + ")");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min<int64_t>(100, ms_left(deadline))));
  }
}

namespace {

// Waits until fd is ready for `events` or the deadline passes (then throws).
void wait_ready(int fd, short events, Clock::time_point deadline, const std::string& peer, const char* what) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int64_t left = ms_left(deadline);
    const int n = poll(&p, 1, static_cast<int>(std::min<int64_t>(left, 1 << 30)));
    if (n > 0) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(std::string(what) + " " + peer + ": " + errno_text(errno));
    throw std::runtime_error(std::string("timed out ") + what + " " + peer);
  }
}

}  // namespace

bool read_full(int fd, void* buf, size_t n, Clock::time_point deadline, const std::string& peer) {
  char* p = static_cast<char*>(buf);
  size_t got = 0;
  while (got < n) {
    wait_ready(fd, POLLIN, deadline, peer, "reading from");
    const ssize_t r = recv(fd, p + got, n - got, MSG_DONTWAIT);
    if (r > 0) {
      got += static_cast<size_t>(r);
    } else if (r == 0) {
      if (got == 0) return false;
      throw std::runtime_error("connection to " + peer + " closed in the middle of a message");
    } else if (errno != EAGAIN && errno != EINTR) {
      if (errno == ECONNRESET && got == 0) return false;
      throw std::runtime_error("reading from " + peer + ": " + errno_text(errno));
    }
  }
  return true;
}

void write_full(int fd, const void* buf, size_t n, Clock::time_point deadline, const std::string& peer) {
  const char* p = static_cast<const char*>(buf);
  size_t sent = 0;
  while (sent < n) {
    const ssize_t w = send(fd, p + sent, n - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (w > 0) {
      sent += static_cast<size_t>(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      wait_ready(fd, POLLOUT, deadline, peer, "writing to");
    } else {
      throw std::runtime_error("writing to " + peer + ": " + errno_text(errno));
    }
  }
}

std::string local_address(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return "";
  char host[NI_MAXHOST];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0)
    return "";
  return host;
}

std::string interface_address(const std::string& iface) {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* a = list; a; a = a->ifa_next) {
    if (!a->ifa_addr || iface != a->ifa_name || a->ifa_addr->sa_family != AF_INET) continue;
    char host[NI_MAXHOST];
    if (getnameinfo(a->ifa_addr, sizeof(sockaddr_in), host, sizeof host, nullptr, 0, NI_NUMERICHOST) == 0) {
      found = host;
      break;
    }
  }
  freeifaddrs(list);
  return found;
}

std::string hostname_address() {
  char name[256] = {0};
  if (gethostname(name, sizeof name - 1) != 0) return "127.0.0.1";
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (getaddrinfo(name, nullptr, &hints, &res) != 0 || !res) return "127.0.0.1";
  char host[NI_MAXHOST];
  std::string out = "127.0.0.1";
  if (getnameinfo(res->ai_addr, res->ai_addrlen, host, sizeof host, nullptr, 0, NI_NUMERICHOST) == 0) out = host;
  freeaddrinfo(res);
  return out;
}

}  // namespace myelin::distributed
