#include "distributed/process_group.h"

#include <gloo/allgather.h>
#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/common/error.h>
#include <gloo/gather.h>
#include <gloo/math.h>
#include <gloo/reduce.h>
#include <gloo/reduce_scatter.h>
#include <gloo/rendezvous/context.h>
#include <gloo/rendezvous/store.h>
#include <gloo/scatter.h>
#include <gloo/transport/tcp/device.h>
#include <gloo/transport/unbound_buffer.h>
#include <gloo/types.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <climits>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "distributed/socket_io.h"
#include "distributed/store.h"

namespace myelin::distributed {

size_t dtype_size(DType t) { return t == DType::kFloat32 || t == DType::kInt32 ? 4 : 1; }

const char* collective_name(Collective c) {
  switch (c) {
    case Collective::kAllReduce:
      return "allReduce";
    case Collective::kBroadcast:
      return "broadcast";
    case Collective::kAllGather:
      return "allGather";
    case Collective::kGather:
      return "gather";
    case Collective::kScatter:
      return "scatter";
    case Collective::kReduceScatter:
      return "reduceScatter";
    case Collective::kReduce:
      return "reduce";
    case Collective::kBarrier:
      return "barrier";
  }
  return "collective";
}

namespace {

using std::chrono::milliseconds;

const char* dtype_name(int64_t t) {
  switch (static_cast<DType>(t)) {
    case DType::kFloat32:
      return "float32";
    case DType::kInt32:
      return "int32";
    case DType::kBool:
      return "bool";
    case DType::kInt8:
      return "int8";
    case DType::kUint8:
      return "uint8";
  }
  return "?";
}

const char* op_name(int64_t op) {
  static const char* names[] = {"sum", "avg", "max", "min", "product"};
  return op >= 0 && op < 5 ? names[op] : "?";
}

bool has_reduction(Collective c) {
  return c == Collective::kAllReduce || c == Collective::kReduceScatter || c == Collective::kReduce;
}
bool has_root(Collective c) {
  return c == Collective::kBroadcast || c == Collective::kGather || c == Collective::kScatter ||
         c == Collective::kReduce;
}

int64_t numel(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

// What every rank says it is about to do, exchanged (see exchange_headers) before the data moves:
// a rank whose tensor or collective differs makes every rank fail with the same clear error
// instead of Gloo reading a message into a buffer of another size.
// [kind, dtype, op, root, ndim, dims 0..10]; more than 11 dims: slot 15 hashes dims 10...
constexpr int kHeaderSlots = 16;
constexpr int kHeaderDims = 11;
using Header = std::array<int64_t, kHeaderSlots>;

Header make_header(const Request& r) {
  Header h{};
  h[0] = static_cast<int64_t>(r.kind);
  h[1] = r.kind == Collective::kBarrier ? -1 : static_cast<int64_t>(r.dtype);
  h[2] = has_reduction(r.kind) ? static_cast<int64_t>(r.op) : -1;
  h[3] = has_root(r.kind) ? r.root : -1;
  h[4] = static_cast<int64_t>(r.shape.size());
  const size_t nd = r.shape.size();
  for (size_t d = 0; d < nd && d < kHeaderDims; d++) h[5 + d] = r.shape[d];
  if (nd > kHeaderDims) {
    uint64_t hash = 1469598103934665603ull;
    for (size_t d = kHeaderDims - 1; d < nd; d++) hash = (hash ^ static_cast<uint64_t>(r.shape[d])) * 1099511628211ull;
    h[kHeaderSlots - 1] = static_cast<int64_t>(hash);
  }
  return h;
}

std::string describe_header(const int64_t* h) {
  const auto kind = static_cast<Collective>(h[0]);
  std::ostringstream s;
  s << collective_name(kind);
  if (kind == Collective::kBarrier) return s.str();
  if (h[2] >= 0) s << " (" << op_name(h[2]) << ")";
  if (h[3] >= 0)
    s << (kind == Collective::kGather || kind == Collective::kReduce ? " to" : " from") << " rank " << h[3];
  s << " of " << dtype_name(h[1]) << " [";
  const int64_t nd = h[4];
  for (int64_t d = 0; d < nd && d < kHeaderDims; d++) s << (d ? ", " : "") << h[5 + d];
  if (nd > kHeaderDims) s << ", ... (" << nd << " dims)";
  s << "]";
  return s.str();
}

// A collective the ranks disagree on: nothing was exchanged, the group stays usable.
struct Mismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The first message of every collective: the header, followed for a small allreduce by this
// rank's data (the fused path: one exchange instead of the header's and the ring's; each rank then
// reduces every rank's contribution locally, in rank order, so all ranks get the same bits).
// Every rank sends its message straight to every other rank and receives each peer's into a
// slot sized for the largest message, so ranks that disagree on the collective (a small
// allreduce against a large one or a broadcast) still exchange cleanly and fail with the
// mismatch error. The inline limit shrinks with the world size to bound the scratch memory
// (world × slot, about 4 MiB) and the bytes every rank sends (world − 1 copies of its data,
// where the ring sends 2 (world − 1) / world). On 2 ranks on loopback the fused path ran 1.4x
// to 3.5x the ring's rate from 256 KiB to 2 MiB (bench/results/distributed.md).
constexpr size_t kHeaderBytes = sizeof(Header);
constexpr size_t kInlineMax = 2 << 20;
constexpr size_t kInlineBudget = 4 << 20;
constexpr uint8_t kExchangeSlotPrefix = 0x4d;  // apart from Gloo's own collectives' prefixes (0x01..0x08)

size_t inline_limit(int world) {
  return std::min(kInlineMax, kInlineBudget / static_cast<size_t>(std::max(world, 1))) & ~size_t{63};
}

bool fused_allreduce(const Request& r, int world) {
  return r.kind == Collective::kAllReduce &&
         static_cast<size_t>(numel(r.shape)) * dtype_size(r.dtype) <= inline_limit(world);
}

// Gloo's rendezvous keys, kept under a prefix in our store.
class GlooStore : public gloo::rendezvous::Store {
 public:
  GlooStore(StoreClient& client, milliseconds timeout) : client_(client), timeout_(timeout) {}
  void set(const std::string& key, const std::vector<char>& data) override { client_.set("gloo/" + key, data); }
  std::vector<char> get(const std::string& key) override { return client_.get("gloo/" + key, timeout_); }
  void wait(const std::vector<std::string>& keys) override { wait(keys, timeout_); }
  void wait(const std::vector<std::string>& keys, const milliseconds& timeout) override {
    for (const std::string& k : keys) client_.get("gloo/" + k, timeout);
  }

 private:
  StoreClient& client_;
  milliseconds timeout_;
};

using ReduceFn = void (*)(void*, const void*, const void*, size_t);

template <typename T>
ReduceFn reduce_fn(ReduceOp op) {
  switch (op) {
    case ReduceOp::kMax:
      return &gloo::max<T>;
    case ReduceOp::kMin:
      return &gloo::min<T>;
    case ReduceOp::kProduct:
      return &gloo::product<T>;
    default:
      return &gloo::sum<T>;
  }
}

template <typename T>
const gloo::ReductionFunction<T>* reduction_function(ReduceOp op) {
  switch (op) {
    case ReduceOp::kMax:
      return gloo::ReductionFunction<T>::max;
    case ReduceOp::kMin:
      return gloo::ReductionFunction<T>::min;
    case ReduceOp::kProduct:
      return gloo::ReductionFunction<T>::product;
    default:
      return gloo::ReductionFunction<T>::sum;
  }
}

// avg = sum / world size (floating point only; the binding refuses it for integers).
template <typename T>
void divide(T* data, size_t n, int world) {
  if constexpr (std::is_floating_point_v<T>) {
    for (size_t i = 0; i < n; i++) data[i] /= static_cast<T>(world);
  }
}

}  // namespace

struct ProcessGroup::State {
  GroupOptions opts;
  Notify notify;
  std::unique_ptr<StoreServer> server;
  std::unique_ptr<StoreClient> client;
  std::shared_ptr<gloo::rendezvous::Context> context;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::shared_ptr<Work>> queue;
  bool stop = false;
  bool running = false;  // a collective is running (on the communication thread or inline)
  uint64_t next_id = 1;

  // The collective this rank started last, which the reporter thread tells the store (for a
  // timeout's diagnosis: who did not reach a collective) when it has changed, at most once a
  // report interval: a message to rank 0's store per collective woke its server thread
  // every time, which back-to-back small collectives paid for on a busy machine.
  std::atomic<int64_t> started{0};
  std::mutex report_mu;
  std::condition_variable report_cv;
  bool stop_reporting = false;
  void report_progress();

  // Touched only by the thread running a collective (`running` hands them over under `mu`).
  int64_t seq = 0;
  std::string broken;         // why the group is unusable ("" while it is fine)
  std::vector<char> scratch;  // the first messages: world slots of kHeaderBytes + inline_limit
  std::unique_ptr<gloo::transport::UnboundBuffer> scratch_buffer;

  void loop();
  void run(Work& w);
  void exchange_headers(const Request& r, uint32_t tag, size_t inline_bytes);
  template <typename T>
  void reduce_inline(const Request& r);
  template <typename T>
  void execute(const Request& r, uint32_t tag);
  std::string diagnose(const char* what, const std::string& gloo_error);
};

namespace {

// file://: rank 0 writes "host port" to a temporary name and renames it into place; the others
// read it, and read it again while what they read does not answer (a file left by an earlier job).
void publish_address(const std::string& path, const std::string& host, int port) {
  const std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << host << " " << port << "\n";
    if (!f) throw std::runtime_error("cannot write the rendezvous file " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0)
    throw std::runtime_error("cannot write the rendezvous file " + path + ": " + errno_text(errno));
}

std::unique_ptr<StoreClient> connect_through_file(const GroupOptions& o) {
  const auto deadline = Clock::now() + o.timeout;
  std::string last = "the file does not exist yet";
  for (;;) {
    std::ifstream f(o.store_file);
    std::string host;
    int port = 0;
    if (f && (f >> host >> port) && port > 0) {
      try {
        const milliseconds attempt(std::min<int64_t>(2000, std::max<int64_t>(ms_left(deadline), 1)));
        return std::make_unique<StoreClient>(host, port, o.rank, o.world_size, attempt, o.timeout);
      } catch (const std::invalid_argument&) {
        throw;
      } catch (const std::exception& e) {
        last = e.what();
      }
    }
    if (ms_left(deadline) == 0) {
      throw std::runtime_error("timed out after " + std::to_string(o.timeout.count()) +
                               " ms waiting for rank 0 to publish the store's address in " + o.store_file + " (" +
                               last + ")");
    }
    std::this_thread::sleep_for(milliseconds(50));
  }
}

std::string rank_list(const std::vector<int>& ranks) {
  std::string s = ranks.size() == 1 ? "rank " : "ranks ";
  for (size_t i = 0; i < ranks.size(); i++) s += (i ? ", " : "") + std::to_string(ranks[i]);
  return s;
}

}  // namespace

ProcessGroup::ProcessGroup(const GroupOptions& options, Notify notify) : state_(std::make_shared<State>()) {
  State& s = *state_;
  s.opts = options;
  s.notify = std::move(notify);
  const GroupOptions& o = s.opts;
  if (o.rank == 0) {
    s.server = std::make_unique<StoreServer>(o.store_file.empty() ? o.store_port : 0, o.world_size);
    if (!o.store_file.empty()) {
      const std::string host = o.iface.empty() ? hostname_address() : interface_address(o.iface);
      publish_address(o.store_file, host, s.server->port());
    }
  }
  if (o.store_file.empty() || o.rank == 0) {
    const std::string host = o.store_file.empty() ? o.store_host : "127.0.0.1";
    const int port = o.store_file.empty() ? o.store_port : s.server->port();
    s.client = std::make_unique<StoreClient>(host, port, o.rank, o.world_size, o.timeout, o.timeout);
  } else {
    s.client = connect_through_file(o);
  }

  // Gloo's pairs listen on the interface that reaches the store, unless GLOO_SOCKET_IFNAME names one.
  gloo::transport::tcp::attr attr;
  if (!o.iface.empty()) {
    attr.iface = o.iface;
  } else {
    attr.hostname = s.client->local_address().empty() ? hostname_address() : s.client->local_address();
  }
  try {
    auto device = gloo::transport::tcp::CreateDevice(attr);
    s.context = std::make_shared<gloo::rendezvous::Context>(o.rank, o.world_size);
    s.context->setTimeout(o.timeout);
    GlooStore store(*s.client, o.timeout);
    s.context->connectFullMesh(store, device);
    // Every rank has connected every pair before any returns (a rank that destroys the group
    // at once cannot cut off one still fetching addresses).
    gloo::BarrierOptions barrier(s.context);
    barrier.setTag(UINT32_MAX);
    barrier.setTimeout(o.timeout);
    gloo::barrier(barrier);
  } catch (const std::exception& e) {
    std::vector<int> missing;
    try {
      const StoreStatus st = s.client->status(milliseconds(2000));
      for (size_t r = 0; r < st.ranks.size(); r++)
        if (st.ranks[r].state == RankState::kNeverJoined) missing.push_back(static_cast<int>(r));
    } catch (const std::exception&) {
    }
    if (!missing.empty()) {
      throw std::runtime_error(rank_list(missing) + " did not join within the timeout of " +
                               std::to_string(o.timeout.count()) + " ms (world size " + std::to_string(o.world_size) +
                               ")");
    }
    throw std::runtime_error(std::string("connecting the ranks failed: ") + e.what());
  }
  std::shared_ptr<State> state = state_;
  thread_ = std::thread([state] { state->loop(); });
  reporter_ = std::thread([state] { state->report_progress(); });
}

namespace {
void stop_reporter(ProcessGroup::State& state) {
  {
    std::lock_guard<std::mutex> lock(state.report_mu);
    state.stop_reporting = true;
  }
  state.report_cv.notify_all();
}
}  // namespace

ProcessGroup::~ProcessGroup() {
  if (destroyed_) return;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->cv.notify_all();
  stop_reporter(*state_);
  // A collective still in flight fails fast on closed connections; the thread owns the state
  // and frees it when it ends.
  if (state_->context) state_->context->closeConnections();
  if (thread_.joinable()) thread_.detach();
  if (reporter_.joinable()) reporter_.join();
}

int ProcessGroup::rank() const { return state_->opts.rank; }
int ProcessGroup::size() const { return state_->opts.world_size; }
std::chrono::milliseconds ProcessGroup::timeout() const { return state_->opts.timeout; }

std::shared_ptr<Work> ProcessGroup::submit(Request request, bool notify) {
  auto w = std::make_shared<Work>();
  w->request = std::move(request);
  w->notify = notify;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stop) throw std::runtime_error("the process group was destroyed");
    w->id = state_->next_id++;
    state_->queue.push_back(w);
  }
  state_->cv.notify_all();
  return w;
}

std::string ProcessGroup::run_sync(Request request) {
  auto w = std::make_shared<Work>();
  w->request = std::move(request);
  bool now = false;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (state_->stop) throw std::runtime_error("the process group was destroyed");
    w->id = state_->next_id++;
    now = state_->queue.empty() && !state_->running;
    if (now)
      state_->running = true;
    else
      state_->queue.push_back(w);  // behind earlier asynchronous work, in the order called
  }
  if (!now) {
    state_->cv.notify_all();
    return wait(*w);
  }
  // Nothing queued or running: run it on the calling thread, which would only wait anyway
  // (two hand-overs between threads fewer, each a wait for a CPU on a busy machine).
  state_->run(*w);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->running = false;
  }
  state_->cv.notify_all();
  return w->error;
}

std::string ProcessGroup::wait(Work& work) {
  std::unique_lock<std::mutex> lock(work.mu);
  work.cv.wait(lock, [&] { return work.done; });
  return work.error;
}

void ProcessGroup::destroy() {
  if (destroyed_) return;
  destroyed_ = true;
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stop = true;
  }
  state_->cv.notify_all();
  if (thread_.joinable()) thread_.join();
  stop_reporter(*state_);
  if (reporter_.joinable()) reporter_.join();
  try {
    state_->client->bye();
  } catch (const std::exception&) {
  }
  state_->scratch_buffer.reset();
  state_->context.reset();
  state_->client.reset();
  state_->server.reset();
}

void ProcessGroup::State::report_progress() {
  // Within one interval of a rank stopping (hung, or blocked in a collective), the store knows
  // the collective it started last; timeouts are at least 10 intervals.
  const auto interval = milliseconds(std::clamp<int64_t>(opts.timeout.count() / 10, 1, 50));
  int64_t reported = 0;
  std::unique_lock<std::mutex> lock(report_mu);
  // wait_until on the system clock: wait_for (steady clock) compiles to pthread_cond_clockwait,
  // which the prebuilds' oldest glibc (2.28) lacks; a clock step only shifts one report.
  while (!report_cv.wait_until(lock, std::chrono::system_clock::now() + interval, [&] { return stop_reporting; })) {
    const int64_t now = started.load(std::memory_order_relaxed);
    if (now == reported) continue;
    lock.unlock();
    try {
      client->progress(now);
      reported = now;
    } catch (const std::exception&) {
      // The store is gone with rank 0; the collective itself will say so.
    }
    lock.lock();
  }
}

void ProcessGroup::State::loop() {
  for (;;) {
    std::shared_ptr<Work> w;
    {
      std::unique_lock<std::mutex> lock(mu);
      cv.wait(lock, [&] { return !running && (stop || !queue.empty()); });
      if (queue.empty()) return;  // stopped, and everything submitted has run
      w = queue.front();
      queue.pop_front();
      running = true;
    }
    run(*w);
    {
      std::lock_guard<std::mutex> lock(mu);
      running = false;
    }
    cv.notify_all();
    {
      std::lock_guard<std::mutex> lock(w->mu);
      w->done = true;
    }
    w->cv.notify_all();
    if (w->notify && notify) notify(w->id);
  }
}

void ProcessGroup::State::run(Work& w) {
  const Request& r = w.request;
  const char* what = collective_name(r.kind);
  const int64_t n = ++seq;
  if (!broken.empty()) {
    w.error = std::string(what) + ": the process group is unusable after an earlier failure: " + broken;
    return;
  }
  // Gloo tags are 32 bits: the header and the data of collective n get their own.
  const auto tag = static_cast<uint32_t>(2 * n);
  started.store(n, std::memory_order_relaxed);
  try {
    const int world = opts.world_size;
    if (fused_allreduce(r, world)) {
      exchange_headers(r, tag, static_cast<size_t>(numel(r.shape)) * dtype_size(r.dtype));
      switch (r.dtype) {
        case DType::kFloat32:
          reduce_inline<float>(r);
          break;
        case DType::kInt32:
          reduce_inline<int32_t>(r);
          break;
        case DType::kInt8:
          reduce_inline<int8_t>(r);  // Gloo's sum of two int8 wraps, as torch's
          break;
        case DType::kUint8:
          reduce_inline<uint8_t>(r);
          break;
        case DType::kBool:
          break;  // refused by the binding
      }
      return;
    }
    exchange_headers(r, tag, 0);
    switch (r.dtype) {
      case DType::kFloat32:
        execute<float>(r, tag + 1);
        break;
      case DType::kInt32:
        execute<int32_t>(r, tag + 1);
        break;
      case DType::kInt8:
        execute<int8_t>(r, tag + 1);
        break;
      case DType::kBool:
      case DType::kUint8:
        execute<uint8_t>(r, tag + 1);  // bool is never reduced: the binding refuses it
        break;
    }
  } catch (const Mismatch& e) {
    w.error = std::string(what) + ": " + e.what();
  } catch (const std::exception& e) {
    broken = diagnose(what, e.what());
    w.error = std::string(what) + ": " + broken;
    try {
      client->fail(n, broken);
    } catch (const std::exception&) {
    }
    // Peers blocked on this rank fail now instead of at their timeout.
    context->closeConnections();
  }
}

void ProcessGroup::State::exchange_headers(const Request& r, uint32_t tag, size_t inline_bytes) {
  const int world = opts.world_size;
  const int me = opts.rank;
  const size_t stride = kHeaderBytes + inline_limit(world);
  if (scratch.size() < stride * world) {
    scratch.assign(stride * world, 0);
    scratch_buffer = context->createUnboundBuffer(scratch.data(), scratch.size());
  }
  const Header mine = make_header(r);
  char* own = scratch.data() + stride * me;
  std::memcpy(own, mine.data(), kHeaderBytes);
  if (inline_bytes > 0) std::memcpy(own + kHeaderBytes, r.data, inline_bytes);
  const uint64_t slot = gloo::Slot::build(kExchangeSlotPrefix, tag);
  for (int p = 0; p < world; p++)
    if (p != me) scratch_buffer->recv(p, slot, stride * p, stride);
  for (int p = 0; p < world; p++)
    if (p != me) scratch_buffer->send(p, slot, stride * me, kHeaderBytes + inline_bytes);
  for (int p = 1; p < world; p++) scratch_buffer->waitRecv(opts.timeout);
  for (int p = 1; p < world; p++) scratch_buffer->waitSend(opts.timeout);
  auto header_of = [&](int rank) { return reinterpret_cast<const int64_t*>(scratch.data() + stride * rank); };
  std::vector<int> differ;
  for (int rank = 0; rank < world; rank++)
    if (std::memcmp(header_of(rank), mine.data(), kHeaderBytes) != 0) differ.push_back(rank);
  if (differ.empty()) return;
  std::ostringstream s;
  s << "the ranks disagree on this collective: rank " << opts.rank << " (this process) calls "
    << describe_header(mine.data());
  for (int rank : differ) s << "; rank " << rank << " calls " << describe_header(header_of(rank));
  s << ". Every rank must call the same collectives in the same order, on tensors of the same shape and dtype";
  throw Mismatch(s.str());
}

// The fused allreduce, after the exchange: every rank's data sits in its scratch slot; reduce them
// in rank order into the tensor (the same operations in the same order on every rank).
template <typename T>
void ProcessGroup::State::reduce_inline(const Request& r) {
  const int world = opts.world_size;
  const size_t count = static_cast<size_t>(numel(r.shape));
  if (count == 0 || world == 1) return;
  const size_t stride = kHeaderBytes + inline_limit(world);
  auto data_of = [&](int rank) { return scratch.data() + stride * rank + kHeaderBytes; };
  const ReduceFn fn = reduce_fn<T>(r.op);
  fn(r.data, data_of(0), data_of(1), count);
  for (int rank = 2; rank < world; rank++) fn(r.data, r.data, data_of(rank), count);
  if (r.op == ReduceOp::kAvg) divide(static_cast<T*>(r.data), count, world);
}

template <typename T>
void ProcessGroup::State::execute(const Request& r, uint32_t tag) {
  const int world = opts.world_size;
  const size_t count = static_cast<size_t>(numel(r.shape));
  T* data = static_cast<T*>(r.data);
  auto at = [&](size_t i) { return static_cast<T*>(r.list[i]); };
  const bool root = opts.rank == r.root;
  if (r.kind == Collective::kBarrier || count == 0) return;  // the header exchange was the barrier
  switch (r.kind) {
    case Collective::kAllReduce: {
      gloo::AllreduceOptions o(context);
      o.setOutput(data, count);
      o.setReduceFunction(reduce_fn<T>(r.op));
      o.setTag(tag);
      o.setTimeout(opts.timeout);
      gloo::allreduce(o);
      if (r.op == ReduceOp::kAvg) divide(data, count, world);
      break;
    }
    case Collective::kBroadcast: {
      gloo::BroadcastOptions o(context);
      o.setOutput(data, count);
      o.setRoot(r.root);
      o.setTag(tag);
      o.setTimeout(opts.timeout);
      gloo::broadcast(o);
      break;
    }
    case Collective::kAllGather: {
      std::vector<T> out(count * world);
      gloo::AllgatherOptions o(context);
      o.setInput(data, count);
      o.setOutput(out.data(), out.size());
      o.setTag(tag);
      o.setTimeout(opts.timeout);
      gloo::allgather(o);
      for (int i = 0; i < world; i++) std::memcpy(at(i), out.data() + i * count, count * sizeof(T));
      break;
    }
    case Collective::kGather: {
      std::vector<T> out(root ? count * world : 0);
      gloo::GatherOptions o(context);
      o.setInput(data, count);
      if (root) o.setOutput(out.data(), out.size());
      o.setRoot(r.root);
      o.setTag(tag);
      o.setTimeout(opts.timeout);
      gloo::gather(o);
      if (root)
        for (int i = 0; i < world; i++) std::memcpy(at(i), out.data() + i * count, count * sizeof(T));
      break;
    }
    case Collective::kScatter: {
      gloo::ScatterOptions o(context);
      if (root) {
        std::vector<T*> in(world);
        for (int i = 0; i < world; i++) in[i] = at(i);
        o.setInputs(in, count);
      }
      o.setOutput(data, count);
      o.setRoot(r.root);
      o.setTag(tag);
      o.setTimeout(opts.timeout);
      gloo::scatter(o);
      break;
    }
    case Collective::kReduceScatter: {
      // Gloo's halving-doubling reduce-scatter works in place on the concatenated inputs and
      // leaves this rank's block at the front.
      if (count * world > static_cast<size_t>(INT_MAX))
        throw std::runtime_error("reduceScatter: more than 2^31 - 1 elements in all");
      std::vector<T> buf(count * world);
      for (int i = 0; i < world; i++) std::memcpy(buf.data() + i * count, at(i), count * sizeof(T));
      gloo::ReduceScatterHalvingDoubling<T> alg(context, {buf.data()}, static_cast<int>(count * world),
                                                std::vector<int>(world, static_cast<int>(count)),
                                                reduction_function<T>(r.op));
      alg.run();
      std::memcpy(data, buf.data(), count * sizeof(T));
      if (r.op == ReduceOp::kAvg) divide(data, count, world);
      break;
    }
    case Collective::kReduce: {
      // Non-root ranks keep their tensor: Gloo's ring uses the output as scratch.
      std::vector<T> scratch(root ? 0 : count);
      gloo::ReduceOptions o(context);
      o.setInput(data, count);
      o.setOutput(root ? data : scratch.data(), count);
      o.setReduceFunction(reduce_fn<T>(r.op));
      o.setRoot(r.root);
      o.setTag(tag);
      o.setTimeout(opts.timeout);
      gloo::reduce(o);
      if (root && r.op == ReduceOp::kAvg) divide(data, count, world);
      break;
    }
    case Collective::kBarrier:
      break;
  }
}

// Why collective `seq` failed, from what the store knows: a rank whose connection closed
// without a goodbye is lost (exited, crashed, killed); a rank that never started this
// collective is hung or stopped; else the first failure another rank reported; else Gloo's own.
std::string ProcessGroup::State::diagnose(const char* what, const std::string& gloo_error) {
  const bool timed_out =
      gloo_error.find("imed out") != std::string::npos || gloo_error.find("timeout") != std::string::npos;
  const auto give_up = Clock::now() + milliseconds(std::min<int64_t>(opts.timeout.count(), 3000));
  std::ostringstream cause;
  StoreStatus st;
  bool reached = false;
  for (;;) {
    try {
      st = client->status(milliseconds(std::min<int64_t>(opts.timeout.count(), 5000)));
      reached = true;
    } catch (const std::exception&) {
      reached = false;
    }
    bool lost = false;
    for (const RankStatus& r : st.ranks) lost = lost || r.state == RankState::kLost;
    // A peer's closed connection reaches Gloo and the store at about the same moment: give
    // the store a moment to see it.
    if (!reached || lost || timed_out || Clock::now() >= give_up) break;
    std::this_thread::sleep_for(milliseconds(50));
  }
  std::vector<std::pair<int32_t, int>> lost;
  std::vector<int> behind, left;
  for (size_t r = 0; reached && r < st.ranks.size(); r++) {
    const RankStatus& rs = st.ranks[r];
    if (static_cast<int>(r) == opts.rank) continue;
    if (rs.state == RankState::kLost) lost.emplace_back(rs.lost_order, static_cast<int>(r));
    if (rs.state == RankState::kLeft) left.push_back(static_cast<int>(r));
    if (rs.state == RankState::kConnected && rs.progress < seq) behind.push_back(static_cast<int>(r));
  }
  std::sort(lost.begin(), lost.end());
  if (!reached && opts.rank != 0) {
    cause << "rank 0 is lost: the rendezvous store it hosts is unreachable (its process exited, crashed or was "
             "killed)";
  } else if (!lost.empty()) {
    cause << "rank " << lost[0].second
          << " is lost: its connection closed without leaving the group (the process exited, crashed or was killed)";
    if (lost.size() > 1) {
      cause << "; lost after it:";
      for (size_t i = 1; i < lost.size(); i++) cause << " rank " << lost[i].second;
    }
  } else if (!left.empty()) {
    cause << rank_list(left) << " left the group (destroyProcessGroup) before this collective";
  } else if (timed_out && !behind.empty()) {
    cause << rank_list(behind) << " did not reach " << what << " #" << seq << " within the timeout of "
          << opts.timeout.count() << " ms (";
    for (size_t i = 0; i < behind.size(); i++)
      cause << (i ? "; " : "") << "rank " << behind[i] << "'s last collective was #"
            << st.ranks[static_cast<size_t>(behind[i])].progress;
    cause << "): it is hung, stopped, or busy with something else";
  } else if (st.fail_rank >= 0 && st.fail_rank != opts.rank) {
    cause << "rank " << st.fail_rank << " failed first: " << st.fail_text;
  } else if (timed_out) {
    cause << "timed out after " << opts.timeout.count() << " ms";
  } else {
    cause << "a connection failed";
  }
  cause << " (collective #" << seq << "; gloo: " << gloo_error << ")";
  return cause.str();
}

}  // namespace myelin::distributed
