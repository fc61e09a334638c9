#include "runtime/threadpool.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <exception>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "runtime/scratch.h"

#if defined(__linux__)
#include <pthread.h>
#include <sched.h>
#endif
#if defined(__x86_64__)
#include <immintrin.h>
#define MYELIN_PAUSE() _mm_pause()
#else
#define MYELIN_PAUSE() std::this_thread::yield()
#endif

namespace myelin {
namespace {

thread_local bool t_in_region = false;
thread_local int t_share = 0;

// Marks the calling thread as running share `tid` (of the outermost region) for its lifetime.
class ShareScope {
 public:
  explicit ShareScope(int tid) : saved_(t_share) { t_share = tid; }
  ~ShareScope() { t_share = saved_; }

 private:
  int saved_;
};

// MYELIN_NUM_THREADS as a count in [1, kMaxThreads]; 0 when unset, -1 when invalid.
int env_thread_count() {
  const char* env = std::getenv("MYELIN_NUM_THREADS");
  if (env == nullptr || *env == '\0') return 0;
  char* end = nullptr;
  const long n = std::strtol(env, &end, 10);
  if (end != env && *end == '\0' && n >= 1 && n <= kMaxThreads) return static_cast<int>(n);
  return -1;
}

int default_thread_count() {
  // An invalid value is reported by the binding at load (threads_env_error).
  const int from_env = env_thread_count();
  if (from_env > 0) return from_env;
#if defined(__linux__)
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int n = CPU_COUNT(&set);
    if (n >= 1) return n < kMaxThreads ? n : kMaxThreads;
  }
#endif
  const unsigned hc = std::thread::hardware_concurrency();
  return hc == 0 ? 1 : (hc < kMaxThreads ? static_cast<int>(hc) : kMaxThreads);
}

// Iterations a worker (or the caller) spins before sleeping: back-to-back kernels then start
// without a futex wake-up, and an idle pool still sleeps within tens of microseconds.
constexpr int kSpinIterations = 4000;

// One spin step. Every 64th yields the CPU: on a loaded machine (more runnable threads than
// cores) a thread waiting for its partner must not hold the core the partner needs. Measured
// on 2 busy cores: 2-thread GEMM went from 56-66 to 93-103 GFLOP/s with the yield.
inline void spin_step(int i) {
  if ((i & 63) == 63)
    std::this_thread::yield();
  else
    MYELIN_PAUSE();
}

// A parallel region is split into `nthreads` shares, share i being fn(ctx, i, nthreads): the
// split, and so the result, depends only on nthreads. Which OS thread runs a share does not
// matter, so shares are claimed from a counter by whoever is free: the caller and the workers.
// On a loaded machine (more runnable threads than cores) a worker that has lost its core
// leaves its share to the caller instead of making it wait for the scheduler.
class Pool {
 public:
  Pool() : threads_(default_thread_count()) {}
  ~Pool() { stop_workers(); }

  int threads() const { return threads_.load(std::memory_order_relaxed); }

  void resize(int n) {
    std::lock_guard<std::mutex> region(submit_mu_);
    stop_workers();
    threads_.store(n, std::memory_order_relaxed);
  }

  void run(int nthreads, TaskFn fn, void* ctx) {
    if (t_in_region || !submit_mu_.try_lock()) {
      run_serially(nthreads, fn, ctx);
      return;
    }
    std::lock_guard<std::mutex> region(submit_mu_, std::adopt_lock);
    start_workers_locked();
    uint64_t gen;
    {
      std::lock_guard<std::mutex> lock(mu_);
      job_fn_ = fn;
      job_ctx_ = ctx;
      job_threads_ = nthreads;
      error_ = nullptr;
      failed_.store(false, std::memory_order_relaxed);
      finished_.store(0, std::memory_order_relaxed);
      gen = generation_.load(std::memory_order_relaxed) + 1;
      claim_.store(claim_word(gen, 0), std::memory_order_relaxed);
      generation_.store(gen, std::memory_order_release);
    }
    wake_.notify_all();
    t_in_region = true;
    run_shares(gen, fn, ctx, nthreads);
    t_in_region = false;
    // Every share is claimed; wait for the ones other threads are still running (ctx lives on
    // this caller's stack).
    for (int i = 0; i < kSpinIterations && finished_.load(std::memory_order_acquire) != nthreads; ++i) spin_step(i);
    if (finished_.load(std::memory_order_acquire) != nthreads) {
      std::unique_lock<std::mutex> lock(mu_);
      done_.wait(lock, [&] { return finished_.load(std::memory_order_acquire) == nthreads; });
    }
    // No share is running: the first exception any of them threw is rethrown here, on the
    // caller (the region lock is released as it unwinds).
    if (failed_.load(std::memory_order_acquire)) {
      std::exception_ptr error;
      {
        std::lock_guard<std::mutex> lock(mu_);
        error.swap(error_);
      }
      std::rethrow_exception(error);
    }
  }

 private:
  // An exception stops the loop and propagates to the caller (this thread), t_in_region and
  // the share restored on the way.
  static void run_serially(int nthreads, TaskFn fn, void* ctx) {
    struct InRegion {
      bool outer = t_in_region;
      InRegion() { t_in_region = true; }
      ~InRegion() { t_in_region = outer; }
    } in_region;
    for (int tid = 0; tid < nthreads; ++tid) {
      if (in_region.outer) {
        fn(ctx, tid, nthreads);
      } else {
        ShareScope share(tid);
        fn(ctx, tid, nthreads);
      }
    }
  }

  // The claim counter holds the region's generation (low 32 bits) beside the next unclaimed
  // share, so a thread that read an older region's job can never claim a share of a newer one.
  static uint64_t claim_word(uint64_t gen, uint64_t share) { return (gen << 32) | share; }

  // Claims and runs shares of region `gen` until none is left.
  void run_shares(uint64_t gen, TaskFn fn, void* ctx, int nthreads) {
    uint64_t c = claim_.load(std::memory_order_acquire);
    for (;;) {
      if ((c >> 32) != (gen & 0xffffffffu)) return;
      const int share = static_cast<int>(c & 0xffffffffu);
      if (share >= nthreads) return;
      if (!claim_.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
      // Once a share has failed, the rest are claimed and counted but not run.
      if (!failed_.load(std::memory_order_acquire)) {
        try {
          ShareScope scope(share);
          scratch_fault_point(0);  // lets a test fail a share of a kernel that allocates nothing
          fn(ctx, share, nthreads);
        } catch (...) {
          record_failure(std::current_exception());
        }
      }
      if (finished_.fetch_add(1, std::memory_order_acq_rel) + 1 == nthreads) {
        std::lock_guard<std::mutex> lock(mu_);
        done_.notify_one();
      }
      c = claim_.load(std::memory_order_acquire);
    }
  }

  // Keeps the first exception of the region; later ones are dropped.
  void record_failure(std::exception_ptr error) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_) error_ = std::move(error);
    failed_.store(true, std::memory_order_release);
  }

  // Called with submit_mu_ held.
  void start_workers_locked() {
    const int want = threads() - 1;
    if (static_cast<int>(workers_.size()) == want) return;
    stop_workers();
    stop_ = false;
    // Workers start from the current generation, read here: one that starts running after
    // the first job was posted must still see that job as new.
    const uint64_t start = generation_.load(std::memory_order_acquire);
    for (int i = 0; i < want; ++i) {
      workers_.emplace_back([this, start] { worker_loop(start); });
#if defined(__linux__)
      // Named, so that top -H, perf and /proc/<pid>/task/*/comm tell the pool from node's threads.
      pthread_setname_np(workers_.back().native_handle(), "myelin-pool");
#endif
    }
  }

  void stop_workers() {
    if (workers_.empty()) return;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      generation_.fetch_add(1, std::memory_order_release);
    }
    wake_.notify_all();
    for (std::thread& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop(uint64_t seen) {
    t_in_region = true;
    for (;;) {
      for (int i = 0; i < kSpinIterations && generation_.load(std::memory_order_acquire) == seen; ++i) spin_step(i);
      TaskFn fn;
      void* ctx;
      int nthreads;
      {
        std::unique_lock<std::mutex> lock(mu_);
        wake_.wait(lock, [&] { return generation_.load(std::memory_order_acquire) != seen; });
        seen = generation_.load(std::memory_order_acquire);
        if (stop_) return;
        fn = job_fn_;
        ctx = job_ctx_;
        nthreads = job_threads_;
      }
      run_shares(seen, fn, ctx, nthreads);
    }
  }

  std::atomic<int> threads_;
  std::mutex submit_mu_;  // one parallel region at a time, process-wide
  std::mutex mu_;         // guards the job fields and stop_
  std::condition_variable wake_;
  std::condition_variable done_;
  std::vector<std::thread> workers_;
  std::atomic<uint64_t> generation_{0};
  alignas(64) std::atomic<uint64_t> claim_{0};  // claimed by every thread: its own cache line
  alignas(64) std::atomic<int> finished_{0};
  TaskFn job_fn_ = nullptr;
  void* job_ctx_ = nullptr;
  int job_threads_ = 0;
  bool stop_ = false;
  std::exception_ptr error_;         // the region's first exception (guarded by mu_)
  std::atomic<bool> failed_{false};  // whether error_ is set: later shares are skipped
};

Pool& pool() {
  // Leaked on purpose: worker threads must not be joined from a static destructor that runs
  // after the runtime has started tearing down (exit() from a worker_thread, for one).
  static Pool* p = new Pool();
  return *p;
}

}  // namespace

int num_threads() { return pool().threads(); }

const char* threads_env_error() {
  static const std::string error = [] {
    if (env_thread_count() >= 0) return std::string();
    return "MYELIN_NUM_THREADS='" + std::string(std::getenv("MYELIN_NUM_THREADS")) + "' is not an integer in [1, " +
           std::to_string(kMaxThreads) + "]";
  }();
  return error.c_str();
}

void set_num_threads(int n) { pool().resize(n); }

int current_share() { return t_share; }

void run_on_threads(int nthreads, TaskFn fn, void* ctx) {
  if (nthreads <= 1) {
    fn(ctx, 0, 1);
    return;
  }
  pool().run(nthreads, fn, ctx);
}

namespace {
std::atomic<bool> g_deterministic{false};
}  // namespace

bool deterministic_algorithms() { return g_deterministic.load(std::memory_order_relaxed); }

void set_deterministic_algorithms(bool on) { g_deterministic.store(on, std::memory_order_relaxed); }

int split_threads() { return deterministic_algorithms() ? kDeterministicShares : num_threads(); }

namespace {
int threads_for_count(int nt, int64_t work, int64_t min_per_thread) {
  if (nt <= 1 || work <= 0) return 1;
  const int64_t by_work = min_per_thread > 0 ? work / min_per_thread : work;
  if (by_work <= 1) return 1;
  return by_work < nt ? static_cast<int>(by_work) : nt;
}
}  // namespace

int threads_for(int64_t work, int64_t min_per_thread) { return threads_for_count(num_threads(), work, min_per_thread); }

int split_threads_for(int64_t work, int64_t min_per_thread) {
  return threads_for_count(split_threads(), work, min_per_thread);
}

}  // namespace myelin
