// Workloads G1 and G2 (shared WORKLOADS.md): myelin's sgemm (the core, called directly, on
// each x86 ISA) side by side with OpenBLAS's cblas_sgemm in the same process, against the
// FMA peak measured in the same run by a register-only FMA loop.
//
// usage: gemm_bench [--threads 1,2] [--reps 7] [--workloads G1,G2] [--sizes 256,512,1024,2048]
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

#include "kernels/gemm/gemm.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

extern "C" void openblas_set_num_threads(int);
extern "C" char* openblas_get_config(void);
extern "C" char* openblas_get_corename(void);

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// --clock cpu: this process's CPU time instead of wall time. On a machine shared with other
// jobs, a 1-thread figure in CPU time leaves out the time the scheduler gave to others (not
// meaningful at 2 threads, where a thread spinning for its partner also counts).
bool g_cpu_clock = false;
double sample_clock() {
  if (!g_cpu_clock) return now();
  timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + 1e-9 * double(ts.tv_nsec);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// ---- FMA peak: 16 independent zmm (or 12 ymm) chains, registers only ----------------------
__attribute__((target("avx512f"), noinline)) float fma_avx512(int64_t iters) {
  __m512 acc[16];
  for (int j = 0; j < 16; ++j) acc[j] = _mm512_set1_ps(0.5f + 0.01f * j);
  const __m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(0.001f);
  for (int64_t i = 0; i < iters; ++i)
#pragma GCC unroll 16
    for (int j = 0; j < 16; ++j) acc[j] = _mm512_fmadd_ps(acc[j], m, c);
  __m512 s = acc[0];
  for (int j = 1; j < 16; ++j) s = _mm512_add_ps(s, acc[j]);
  return _mm512_reduce_add_ps(s);
}

__attribute__((target("avx2,fma"), noinline)) float fma_avx2(int64_t iters) {
  __m256 acc[12];
  for (int j = 0; j < 12; ++j) acc[j] = _mm256_set1_ps(0.5f + 0.01f * j);
  const __m256 m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
  for (int64_t i = 0; i < iters; ++i)
#pragma GCC unroll 12
    for (int j = 0; j < 12; ++j) acc[j] = _mm256_fmadd_ps(acc[j], m, c);
  float out[8];
  __m256 s = acc[0];
  for (int j = 1; j < 12; ++j) s = _mm256_add_ps(s, acc[j]);
  _mm256_storeu_ps(out, s);
  return out[0] + out[7];
}

volatile float g_sink;

// GFLOP/s of `threads` threads each running the loop; best of 5 (a peak is a maximum).
double fma_peak(bool avx512, int threads) {
  const int64_t iters = 20'000'000;
  const double flops_per_thread = avx512 ? 16.0 * 16 * 2 * iters : 12.0 * 8 * 2 * iters;
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    std::vector<std::thread> pool;
    const double t0 = sample_clock();
    for (int t = 0; t < threads; ++t) pool.emplace_back([&] { g_sink = avx512 ? fma_avx512(iters) : fma_avx2(iters); });
    for (auto& th : pool) th.join();
    // (CPU clock: the threads' CPU seconds add up, so this is per core times the thread count.)
    const double elapsed = (sample_clock() - t0) / (g_cpu_clock ? threads : 1);
    const double gf = flops_per_thread * threads / elapsed / 1e9;
    best = std::max(best, gf);
  }
  return best;
}

// ---- workloads ---------------------------------------------------------------------------
struct Shape {
  const char* id;
  const char* label;
  bool ta, tb;
  int m, n, k;
};

std::vector<Shape> shapes(const std::string& which, const std::vector<int>& square_sizes) {
  std::vector<Shape> out;
  if (which.find("G1") != std::string::npos)
    for (int n : square_sizes) {
      static std::vector<std::string> labels;  // owns the label text for the process's life
      labels.reserve(64);
      labels.push_back("N=" + std::to_string(n));
      out.push_back({"G1", labels.back().c_str(), false, false, n, n, n});
    }
  if (which.find("G2") != std::string::npos) {
    out.push_back({"G2", "(64x784)(784x256)", false, false, 64, 256, 784});
    out.push_back({"G2", "(256x784)(784x256)", false, false, 256, 256, 784});
    out.push_back({"G2", "(784x64)^T(64x256)", true, false, 784, 256, 64});
    out.push_back({"G2", "(64x256)(784x256)^T", false, true, 64, 784, 256});
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

void set_threads(int t) {
  myelin::set_num_threads(t);
  openblas_set_num_threads(t);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> thread_counts = {1, 2};
  int reps = 7;
  std::string workloads = "G1,G2";
  bool markdown = false;
  std::vector<int> square_sizes = {256, 512, 1024, 2048};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      thread_counts.clear();
      for (const char* p = argv[++i]; *p;) {
        thread_counts.push_back(std::atoi(p));
        while (*p && *p != ',') ++p;
        if (*p == ',') ++p;
      }
    } else if (arg == "--sizes" && i + 1 < argc) {  // G1's square sizes
      square_sizes.clear();
      for (const char* p = argv[++i]; *p;) {
        square_sizes.push_back(std::atoi(p));
        while (*p && *p != ',') ++p;
        if (*p == ',') ++p;
      }
    } else if (arg == "--reps" && i + 1 < argc) {
      reps = std::max(5, std::atoi(argv[++i]));
    } else if (arg == "--workloads" && i + 1 < argc) {
      workloads = argv[++i];
    } else if (arg == "--markdown") {
      markdown = true;
    } else if (arg == "--clock" && i + 1 < argc) {
      g_cpu_clock = std::string(argv[++i]) == "cpu";
    } else {
      std::fprintf(stderr,
                   "usage: gemm_bench [--threads 1,2] [--reps N>=5] [--workloads G1,G2] [--sizes 256,512,...] "
                   "[--markdown] [--clock wall|cpu]\n");
      return 2;
    }
  }

  std::vector<Contender> who;
  if (myelin::isa_supported(myelin::Isa::Avx512)) who.push_back({"myelin avx512", myelin::Isa::Avx512, false});
  if (myelin::isa_supported(myelin::Isa::Avx2)) who.push_back({"myelin avx2", myelin::Isa::Avx2, false});
  who.push_back({"OpenBLAS", myelin::Isa::Scalar, true});

  std::printf("%s%s (core %s); myelin kernels:", markdown ? "" : "# ", openblas_get_config(), openblas_get_corename());
  for (const Contender& c : who)
    if (!c.openblas) std::printf(" %s", myelin::kernels_for(c.isa).gemm.name);
  std::printf("\n");

  for (int threads : thread_counts) {
    const double peak512 = myelin::isa_supported(myelin::Isa::Avx512) ? fma_peak(true, threads) : 0;
    const double peak256 = fma_peak(false, threads);
    const double peak = std::max(peak512, peak256);
    std::printf("\n%sthreads=%d, FMA peak: avx512 %.1f GFLOP/s, avx2 %.1f GFLOP/s (%% of peak below: of %.1f)%s\n",
                markdown ? "**" : "# ", threads, peak512, peak256, peak, markdown ? "**\n" : "");
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
    for (const Shape& s : shapes(workloads, square_sizes)) {
      const size_t asz = size_t(s.m) * s.k, bsz = size_t(s.k) * s.n, csz = size_t(s.m) * s.n;
      std::vector<float> a(asz), b(bsz);
      std::vector<std::vector<float>> c(who.size(), std::vector<float>(csz));
      for (size_t i = 0; i < asz; ++i) a[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
      for (size_t i = 0; i < bsz; ++i) b[i] = float((i * 104729) % 1000) / 1000.0f - 0.5f;
      const double flops = 2.0 * s.m * s.n * s.k;
      // Calls per sample so that a sample lasts about 20 ms at ~100 GFLOP/s.
      const int calls = std::max(1, int(2e9 / flops));
      std::vector<std::vector<double>> gf(who.size());
      for (int r = -2; r < reps; ++r) {  // two warm-up rounds
        for (size_t w = 0; w < who.size(); ++w) {
          const double t0 = sample_clock();
          for (int i = 0; i < calls; ++i) run_one(who[w], s, a.data(), b.data(), c[w].data());
          const double t = sample_clock() - t0;
          if (r >= 0) gf[w].push_back(flops * calls / t / 1e9);
          // OpenBLAS's idle workers spin for a while after a call: let them settle before the
          // next contender runs, so they do not steal its core.
          if (who[w].openblas && threads > 1) usleep(200000);
        }
      }
      // Every contender must compute the same product.
      for (size_t w = 1; w < who.size(); ++w)
        for (size_t i = 0; i < csz; ++i)
          if (std::abs(c[w][i] - c[0][i]) > 1e-3f * (1.0f + std::abs(c[0][i]))) {
            std::fprintf(stderr, "mismatch %s vs %s at %zu: %g vs %g\n", who[w].name.c_str(), who[0].name.c_str(), i,
                         c[w][i], c[0][i]);
            return 1;
          }
      std::vector<double> med(who.size()), top(who.size());
      for (size_t w = 0; w < who.size(); ++w) {
        med[w] = median(gf[w]);
        top[w] = *std::max_element(gf[w].begin(), gf[w].end());
      }
      const double blas = med.back(), blas_top = top.back();
      if (markdown) {
        std::printf("| %s | %s |", s.id, s.label);
        for (size_t w = 0; w < who.size(); ++w)
          std::printf(" %.1f (%.1f) | %.0f%% |", med[w], top[w], 100 * med[w] / peak);
        for (size_t w = 0; w + 1 < who.size(); ++w) std::printf(" %.2fx (%.2fx) |", med[w] / blas, top[w] / blas_top);
        std::printf("\n");
      } else {
        std::printf("%-3s %-20s", s.id, s.label);
        for (size_t w = 0; w < who.size(); ++w)
          std::printf("  %s %6.1f GF (%3.0f%%)", who[w].name.c_str(), med[w], 100 * med[w] / peak);
        for (size_t w = 0; w + 1 < who.size(); ++w) std::printf("  %.2fx", med[w] / blas);
        std::printf("\n");
      }
      std::fflush(stdout);
    }
  }
  return 0;
}
