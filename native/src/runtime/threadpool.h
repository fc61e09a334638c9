// The one process-wide thread pool. Persistent workers; the calling thread takes part. Work is
// split statically into one share per thread id, so for a fixed thread count every element is
// computed by the same code path in the same order: results are deterministic (which OS
// thread runs a share is decided at run time and does not change the result).
//
// A C++ exception thrown by a share (std::bad_alloc included), on any thread, never escapes the
// thread it was thrown on: the region stops handing out shares, waits for the ones already
// running, and rethrows the first exception on the thread that started the region. The pool
// is then ready for the next region.
//
// Used only by drivers (baseline-compiled files), never by per-ISA kernel files.
#pragma once
#include <cstdint>
#include <utility>

namespace myelin {

constexpr int kMaxThreads = 256;

// The configured thread count (>= 1). Default: MYELIN_NUM_THREADS, else the CPUs this process
// may run on.
int num_threads();
// Resizes the pool; n in [1, kMaxThreads]. Waits for a running parallel region to finish.
void set_num_threads(int n);
// Reads MYELIN_NUM_THREADS. Returns an empty string when it is unset or valid, else the error
// message (the pool then falls back to the CPU count; the binding refuses to load).
const char* threads_env_error();

using TaskFn = void (*)(void* ctx, int tid, int nthreads);
// Runs fn(ctx, tid, nthreads) for every tid in [0, nthreads), each exactly once, on whichever
// pool thread (or the caller) is free first; bodies must not assume tid 0 runs on the caller.
// When the pool is busy (another
// JS thread is using it) or when called from inside a parallel region, the calling thread runs
// every tid itself, in order: the decomposition, and so the result, is the same. Rethrows the
// first exception a share threw, once no share is running any more.
void run_on_threads(int nthreads, TaskFn fn, void* ctx);

// The share (tid) of the outermost parallel region that the calling thread is running; 0 outside
// any region. (The test hook of the scratch allocator uses it to fail inside a given share.)
int current_share();

// How many threads a job of `work` units should use when each thread needs at least
// `min_per_thread` units to pay for waking it.
int threads_for(int64_t work, int64_t min_per_thread);

// Deterministic algorithms. A kernel whose sums depend on how its work is split (partial sums
// per share, combined in share order: the reductions' split paths, the convolution weight
// gradients, the layer norm's parameter gradients) plans that split with split_threads() and
// split_threads_for() instead of the pool's size. Off, they equal num_threads() and
// threads_for(); on, they plan for the fixed kDeterministicShares whatever the pool's size, so
// every op gives the same bits at any thread count on one ISA (the pool runs the shares on the
// threads it has). Kernels whose every output is computed whole by one share need nothing.
constexpr int kDeterministicShares = 8;
bool deterministic_algorithms();
void set_deterministic_algorithms(bool on);
int split_threads();
int split_threads_for(int64_t work, int64_t min_per_thread);

template <class F>
void parallel_run(int nthreads, F& f) {
  if (nthreads <= 1) {
    f(0, 1);
    return;
  }
  run_on_threads(
      nthreads, [](void* ctx, int tid, int nt) { (*static_cast<F*>(ctx))(tid, nt); }, &f);
}

// Splits [0, n) into one contiguous chunk per thread and calls f(begin, end) for each.
template <class F>
void parallel_for(int64_t n, int64_t min_per_thread, F&& f) {
  if (n <= 0) return;
  const int nt = threads_for(n, min_per_thread);
  if (nt <= 1) {
    f(int64_t{0}, n);
    return;
  }
  auto chunk = [&](int tid, int nthreads) {
    const int64_t begin = n * tid / nthreads;
    const int64_t end = n * (tid + 1) / nthreads;
    if (begin < end) f(begin, end);
  };
  parallel_run(nt, chunk);
}

}  // namespace myelin
