// The rendezvous store: a small TCP key-value server that rank 0 runs on a thread of its own
// (as PyTorch's TCPStore), and the client every rank keeps connected to it.
//
// Besides the keys Gloo exchanges to connect its pairs, the server keeps what names a failed
// rank: which ranks are connected, which left cleanly (bye) and which were lost (their
// connection closed without a bye: the process exited, crashed or was killed); the last
// collective each rank started (progress); and the first failure a rank reported.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace myelin::distributed {

enum class RankState : int32_t { kNeverJoined = 0, kConnected = 1, kLeft = 2, kLost = 3 };

struct RankStatus {
  RankState state = RankState::kNeverJoined;
  int32_t lost_order = -1;  // 0 for the first rank lost, 1 for the next ...
  int64_t progress = 0;     // the last collective this rank started (1-based; 0: none)
};

struct StoreStatus {
  std::vector<RankStatus> ranks;
  int32_t fail_rank = -1;  // the first rank that reported a failure, -1 when none did
  int64_t fail_seq = 0;
  std::string fail_text;
};

class StoreServer {
 public:
  // Listens on every interface at `port` (0: a free port) and serves on its own thread.
  StoreServer(int port, int world_size);
  ~StoreServer();
  StoreServer(const StoreServer&) = delete;
  StoreServer& operator=(const StoreServer&) = delete;
  int port() const { return port_; }

 private:
  struct Conn {
    int fd;
    std::string peer;
    std::vector<char> in;
    int rank = -1;
    bool bye = false;
  };
  void run();
  // Handles the complete requests in c.in; false when the connection must be dropped.
  bool serve(Conn& c);
  void drop(Conn& c);
  void reply(const Conn& c, uint8_t status, const void* data, size_t len);
  void handle(Conn& c, uint8_t cmd, const std::string& key, const std::vector<char>& value);

  int listen_fd_ = -1;
  int wake_[2] = {-1, -1};
  int port_ = 0;
  int world_;
  std::thread thread_;
  std::map<int, Conn> conns_;
  std::map<std::string, std::vector<char>> data_;
  std::map<std::string, std::vector<int>> waiters_;  // key -> fds of clients blocked in get
  std::vector<RankStatus> ranks_;
  int32_t lost_count_ = 0;
  int32_t fail_rank_ = -1;
  int64_t fail_seq_ = 0;
  std::string fail_text_;
};

class StoreClient {
 public:
  // Connects (retrying for connect_timeout: rank 0 may start last) and introduces this rank;
  // `timeout` bounds every request after that.
  StoreClient(const std::string& host, int port, int rank, int world_size, std::chrono::milliseconds connect_timeout,
              std::chrono::milliseconds timeout);
  ~StoreClient();
  StoreClient(const StoreClient&) = delete;
  StoreClient& operator=(const StoreClient&) = delete;

  void set(const std::string& key, const std::vector<char>& value);
  // Blocks until the key is set (or throws when the timeout passes).
  std::vector<char> get(const std::string& key, std::chrono::milliseconds timeout);
  int64_t add(const std::string& key, int64_t delta);
  // One-way notices (no reply): the collective this rank starts, a failure, a clean leave.
  void progress(int64_t seq);
  void fail(int64_t seq, const std::string& text);
  void bye();
  StoreStatus status(std::chrono::milliseconds timeout);
  // The interface this client reached the store through (Gloo binds its pairs there).
  const std::string& local_address() const { return local_address_; }
  const std::string& peer() const { return peer_; }

 private:
  std::vector<char> request(uint8_t cmd, const std::string& key, const void* value, size_t len, bool want_reply,
                            std::chrono::milliseconds timeout);
  std::mutex mu_;
  int fd_ = -1;
  std::string peer_;
  std::string local_address_;
  std::string broken_;  // why the connection is unusable ("" while it is fine)
  std::chrono::milliseconds timeout_;
};

}  // namespace myelin::distributed
