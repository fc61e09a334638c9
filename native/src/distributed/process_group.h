// A Gloo process group: the rendezvous (store, Gloo's TCP pairs), one communication thread that
// runs the asynchronous collectives in the order they were submitted (every rank must issue
// them in the same order; a synchronous one runs on the caller's thread when nothing is queued
// or running, else in its turn), and the diagnosis that names a lost or hung rank when a
// collective fails.
//
// Pure C++ (no N-API): the binding submits requests over raw pointers and waits for them, or is
// told through `Notify` (from the communication thread) when an asynchronous one completes.
#pragma once
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace myelin::distributed {

enum class DType : int32_t { kFloat32 = 0, kInt32 = 1, kBool = 2, kInt8 = 3, kUint8 = 4 };
enum class ReduceOp : int32_t { kSum = 0, kAvg = 1, kMax = 2, kMin = 3, kProduct = 4 };
enum class Collective : int32_t {
  kAllReduce = 0,
  kBroadcast = 1,
  kAllGather = 2,
  kGather = 3,
  kScatter = 4,
  kReduceScatter = 5,
  kReduce = 6,
  kBarrier = 7,
};

size_t dtype_size(DType t);
const char* collective_name(Collective c);

// One collective. `data` is this rank's tensor (input and output, or output only for scatter
// and reduceScatter); `list` holds the per-rank tensors of allGather and gather (outputs, on
// every rank for allGather and on the root for gather), scatter (inputs, on the root) and
// reduceScatter (inputs), each of `shape`. Every pointer stays valid until the work completes.
struct Request {
  Collective kind = Collective::kBarrier;
  DType dtype = DType::kFloat32;
  ReduceOp op = ReduceOp::kSum;
  int root = 0;
  std::vector<int64_t> shape;
  void* data = nullptr;
  std::vector<void*> list;
};

struct Work {
  uint64_t id = 0;
  Request request;
  bool notify = false;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::string error;  // "" on success
};

struct GroupOptions {
  int rank = 0;
  int world_size = 1;
  std::string store_host;  // where the store is (env:// and tcp://)
  int store_port = 0;
  std::string store_file;  // file://: rank 0 publishes the store's address there
  std::chrono::milliseconds timeout{1800000};
  std::string iface;  // GLOO_SOCKET_IFNAME: the interface Gloo's pairs bind to
};

class ProcessGroup {
 public:
  using Notify = std::function<void(uint64_t id)>;
  // Rendezvous: blocks until every rank has joined and connected (or throws after the timeout,
  // naming the ranks that did not join).
  ProcessGroup(const GroupOptions& options, Notify notify);
  // Without destroy(): aborts (closes the connections, leaves the thread to finish on its own),
  // so a process that exits never waits on a collective stuck on a dead peer.
  ~ProcessGroup();
  ProcessGroup(const ProcessGroup&) = delete;
  ProcessGroup& operator=(const ProcessGroup&) = delete;

  int rank() const;
  int size() const;
  std::chrono::milliseconds timeout() const;
  std::shared_ptr<Work> submit(Request request, bool notify);
  // A synchronous collective: run on the calling thread when nothing is queued or running,
  // else queued behind what is; returns its error ("" on success).
  std::string run_sync(Request request);
  // Blocks until the work has run; returns its error ("" on success).
  static std::string wait(Work& work);
  // Waits for the submitted work, says goodbye to the store and closes everything.
  void destroy();

  struct State;

 private:
  std::shared_ptr<State> state_;
  std::thread thread_;
  std::thread reporter_;
  bool destroyed_ = false;
};

}  // namespace myelin::distributed
