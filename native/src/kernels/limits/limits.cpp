// The limits driver: runs the dispatched ISA's loops on the pool's threads and times them.
#include "kernels/limits/limits.h"

#include <chrono>
#include <vector>

#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

double fma_peak_run(const KernelTable& k, int threads, int64_t iters, double* flops) {
  std::vector<float> sums(threads);  // each share's result, written once, keeps its loop alive
  auto share = [&](int tid, int) { sums[tid] = k.limits.fma_loop(iters); };
  const double t0 = now_seconds();
  parallel_run(threads, share);
  const double seconds = now_seconds() - t0;
  volatile float sink = 0.0f;
  for (float v : sums) sink = sink + v;
  *flops = static_cast<double>(k.limits.fma_flops_per_iter) * static_cast<double>(iters) * threads;
  return seconds;
}

double triad_run(const KernelTable& k, int threads, float* a, const float* b, const float* c, int64_t n) {
  auto share = [&](int tid, int nt) {
    const int64_t begin = n * tid / nt, end = n * (tid + 1) / nt;
    k.limits.triad(a + begin, b + begin, c + begin, 3.0f, end - begin);
  };
  const double t0 = now_seconds();
  parallel_run(threads, share);
  return now_seconds() - t0;
}

}  // namespace myelin
