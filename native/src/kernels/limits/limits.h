// The machine's limits, measured (utils.benchmark.limits): the peak fp32 multiply-add rate of
// the widest vector unit the dispatched ISA has, and the STREAM triad's memory bandwidth.
// Per-ISA loops (limits_<isa>.cpp over limits_rows.inl) under a baseline driver (limits.cpp).
#pragma once
#include <cstdint>

namespace myelin {

struct LimitsKernels {
  // `iters` iterations of independent multiply-add chains held in registers (enough of them to
  // cover the FMA latency times the issue width); returns their sum, so none is optimised away.
  float (*fma_loop)(int64_t iters);
  // Flops of one fma_loop iteration (2 per lane per chain).
  int64_t fma_flops_per_iter;
  // a[i] = b[i] + s * c[i] for i in [0, n).
  void (*triad)(float* a, const float* b, const float* c, float s, int64_t n);
};

void fill_limits_scalar(LimitsKernels* k);
void fill_limits_avx2(LimitsKernels* k);
void fill_limits_avx512(LimitsKernels* k);
void fill_limits_neon(LimitsKernels* k);

struct KernelTable;

// Seconds for `threads` shares of the pool each running fma_loop(iters) at once (wall time of
// the whole region); *flops gets the flops they did together.
double fma_peak_run(const KernelTable& k, int threads, int64_t iters, double* flops);
// Seconds for one triad pass over n elements split in `threads` contiguous shares.
double triad_run(const KernelTable& k, int threads, float* a, const float* b, const float* c, int64_t n);

}  // namespace myelin
