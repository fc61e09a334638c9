// Workloads G1 and G2 (shared WORKLOADS.md): myelin's sgemm (the core, called directly, on
// each x86 ISA) side by side with OpenBLAS's cblas_sgemm in the same process, against the
// FMA peak measured in the same run by a register-only FMA loop. D1: G1's square products in
// float64 (myelin's dgemm beside cblas_dgemm, against the fp64 FMA loop's peak).
//
// usage: gemm_bench [--threads 1,2] [--reps 7] [--workloads G1,G2,D1] [--sizes 256,512,1024,2048]
//                   [--markdown] [--clock wall|cpu]
// Run it through bench/gemm/run.sh (unsets OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE).
//
// Timing: every round times each contender once (one call, or a few calls for small shapes
// so a sample lasts >= 20 ms), in turn, after a warm-up; the figure is the median round.
#include <cblas.h>
#include <immintrin.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../native/peak_loops.h"
#include "bench_common.h"
#include "kernels/gemm/gemm.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_config(void);
extern "C" char* openblas_get_corename(void);

namespace {

// ---- FMA peak: bench/native/peak_loops.h's loops (as L1), 2 flops a multiply-add --------------

// GFLOP/s of `threads` threads on the 512-bit (else the 256-bit) FMA loop; best of 5.
double fma_peak(bool avx512, int threads, bool f64 = false) {
  const int64_t iters = 20'000'000;
  if (f64) return bench::peak(fma_loop_avx512_f64, 2.0 * 8 * FMA_AVX512_ACCS, threads, iters);
  return avx512 ? bench::peak(fma_loop_avx512, 2.0 * 16 * FMA_AVX512_ACCS, threads, iters)
                : bench::peak(fma_loop_avx2, 2.0 * 8 * FMA_AVX2_ACCS, threads, iters);
}

// ---- workloads ---------------------------------------------------------------------------
struct Shape {
  const char* id;
  const char* label;
  bool ta, tb;
  int m, n, k;
  bool f64;  // float64 (D1) instead of float32
};

std::vector<Shape> shapes(const std::string& which, const std::vector<int>& square_sizes) {
  std::vector<Shape> out;
  if (which.find("G1") != std::string::npos)
    for (int n : square_sizes) {
      static std::vector<std::string> labels;  // owns the label text for the process's life
      labels.reserve(64);
      labels.push_back("N=" + std::to_string(n));
      out.push_back({"G1", labels.back().c_str(), false, false, n, n, n, false});
    }
  if (which.find("G2") != std::string::npos) {
    out.push_back({"G2", "(64x784)(784x256)", false, false, 64, 256, 784, false});
    out.push_back({"G2", "(256x784)(784x256)", false, false, 256, 256, 784, false});
    out.push_back({"G2", "(784x64)^T(64x256)", true, false, 784, 256, 64, false});
    out.push_back({"G2", "(64x256)(784x256)^T", false, true, 64, 784, 256, false});
  }
  if (which.find("D1") != std::string::npos)
    for (int n : square_sizes) {
      static std::vector<std::string> labels;
      labels.reserve(64);
      labels.push_back("N=" + std::to_string(n) + " f64");
      out.push_back({"D1", labels.back().c_str(), false, false, n, n, n, true});
    }
  return out;
}

struct Contender {
  std::string name;
  myelin::Isa isa;  // for myelin
  bool openblas;
};

void run_one(const Contender& who, const Shape& s, const float* a, const float* b, float* c) {
  const int lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n, ldc = s.n;
  if (who.openblas) {
    cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0f,
                a, lda, b, ldb, 0.0f, c, ldc);
  } else {
    myelin::sgemm(myelin::kernels_for(who.isa), s.ta, s.tb, s.m, s.n, s.k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
  }
}

void run_one(const Contender& who, const Shape& s, const double* a, const double* b, double* c) {
  const int lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n, ldc = s.n;
  if (who.openblas) {
    cblas_dgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, s.m, s.n, s.k, 1.0,
                a, lda, b, ldb, 0.0, c, ldc);
  } else {
    myelin::dgemm_batched(myelin::kernels_for(who.isa), s.ta, s.tb, 1, s.m, s.n, s.k, 1.0, a, lda, 0, b, ldb, 0, 0.0, c,
                          ldc, 0);
  }
}

// One shape's round-robin timing; false when the contenders' products differ.
template <class T>
bool time_shape(const std::vector<Contender>& who, const Shape& s, int reps, int threads, bench::Rates* rates) {
  const size_t asz = size_t(s.m) * s.k, bsz = size_t(s.k) * s.n, csz = size_t(s.m) * s.n;
  std::vector<T> a(asz), b(bsz);
  std::vector<std::vector<T>> c(who.size(), std::vector<T>(csz));
  for (size_t i = 0; i < asz; ++i) a[i] = T((i * 7919) % 1000) / T(1000) - T(0.5);
  for (size_t i = 0; i < bsz; ++i) b[i] = T((i * 104729) % 1000) / T(1000) - T(0.5);
  const double flops = 2.0 * s.m * s.n * s.k;
  // Calls per sample so that a sample lasts about 20 ms at ~100 GFLOP/s.
  const int calls = std::max(1, int(2e9 / flops));
  *rates = bench::time_rounds(
      who.size(), reps, flops, calls, [&](size_t w) { run_one(who[w], s, a.data(), b.data(), c[w].data()); },
      [&](size_t w) {
        // OpenBLAS's idle workers spin for a while after a call: let them settle before the
        // next contender runs, so they do not steal its core.
        if (who[w].openblas && threads > 1) usleep(200000);
      });
  // Every contender must compute the same product.
  const T tol = sizeof(T) == 4 ? T(1e-3) : T(1e-9);
  for (size_t w = 1; w < who.size(); ++w)
    for (size_t i = 0; i < csz; ++i)
      if (std::abs(c[w][i] - c[0][i]) > tol * (1 + std::abs(c[0][i]))) {
        std::fprintf(stderr, "mismatch %s vs %s at %zu: %g vs %g\n", who[w].name.c_str(), who[0].name.c_str(), i,
                     double(c[w][i]), double(c[0][i]));
        return false;
      }
  return true;
}

void set_threads(int t) {
  myelin::set_num_threads(t);
  openblas_set_num_threads(t);
}

}  // namespace

int main(int argc, char** argv) {
  bench::Options opt;
  opt.workloads = "G1,G2";
  if (!opt.parse(argc, argv,
                 "gemm_bench [--threads 1,2] [--reps N>=5] [--workloads G1,G2] [--sizes 256,512,...] [--markdown] "
                 "[--clock wall|cpu]"))
    return 2;
  const bool markdown = opt.markdown;

  std::vector<Contender> who;
  if (myelin::isa_supported(myelin::Isa::Avx512)) who.push_back({"myelin avx512", myelin::Isa::Avx512, false});
  if (myelin::isa_supported(myelin::Isa::Avx2)) who.push_back({"myelin avx2", myelin::Isa::Avx2, false});
  who.push_back({"OpenBLAS", myelin::Isa::Scalar, true});

  std::printf("%s%s (core %s); myelin kernels:", markdown ? "" : "# ", openblas_get_config(), openblas_get_corename());
  for (const Contender& c : who)
    if (!c.openblas) std::printf(" %s %s", myelin::kernels_for(c.isa).gemm.name, myelin::kernels_for(c.isa).dgemm.name);
  std::printf("\n");

  for (int threads : opt.threads) {
    const double peak512 = myelin::isa_supported(myelin::Isa::Avx512) ? fma_peak(true, threads) : 0;
    const double peak256 = fma_peak(false, threads);
    const double peak = std::max(peak512, peak256);
    const bool any_f64 = opt.workloads.find("D1") != std::string::npos;
    const double peak_f64 = any_f64 && myelin::isa_supported(myelin::Isa::Avx512) ? fma_peak(true, threads, true) : 0;
    std::printf(
        "\n%sthreads=%d, FMA peak: avx512 %.1f GFLOP/s, avx2 %.1f GFLOP/s, fp64 avx512 %.1f GFLOP/s (%% of "
        "peak below: of %.1f, D1 of %.1f)%s\n",
        markdown ? "**" : "# ", threads, peak512, peak256, peak_f64, peak, peak_f64, markdown ? "**\n" : "");
    if (markdown) {
      std::printf("| id | shape |");
      for (const Contender& c : who) std::printf(" %s GFLOP/s median (best) | %% peak |", c.name.c_str());
      for (size_t w = 0; w + 1 < who.size(); ++w) std::printf(" %s / OpenBLAS |", who[w].name.c_str());
      std::printf("\n|---|---|");
      for (size_t i = 0; i < who.size(); ++i) std::printf("---|---|");
      for (size_t w = 0; w + 1 < who.size(); ++w) std::printf("---|");
      std::printf("\n");
    }
    set_threads(threads);
    for (const Shape& s : shapes(opt.workloads, opt.sizes)) {
      bench::Rates rates;
      const bool same = s.f64 ? time_shape<double>(who, s, opt.reps, threads, &rates)
                              : time_shape<float>(who, s, opt.reps, threads, &rates);
      if (!same) return 1;
      const double row_peak = s.f64 ? peak_f64 : peak;
      const std::vector<double>&med = rates.median, &top = rates.best;
      const double blas = med.back(), blas_top = top.back();
      if (markdown) {
        std::printf("| %s | %s |", s.id, s.label);
        for (size_t w = 0; w < who.size(); ++w)
          std::printf(" %.1f (%.1f) | %.0f%% |", med[w], top[w], 100 * med[w] / row_peak);
        for (size_t w = 0; w + 1 < who.size(); ++w) std::printf(" %.2fx (%.2fx) |", med[w] / blas, top[w] / blas_top);
        std::printf("\n");
      } else {
        std::printf("%-3s %-20s", s.id, s.label);
        for (size_t w = 0; w < who.size(); ++w)
          std::printf("  %s %6.1f GF (%3.0f%%)", who[w].name.c_str(), med[w], 100 * med[w] / row_peak);
        for (size_t w = 0; w + 1 < who.size(); ++w) std::printf("  %.2fx", med[w] / blas);
        std::printf("\n");
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
