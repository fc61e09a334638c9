// Workloads B1 (bf16 GEMM) and the GEMM part of Q1 (u8 x s8 GEMM): myelin's reduced-precision
// GEMMs side by side with its own fp32 GEMM in the same process, against the peaks measured in
// the same run by register-only loops (fp32 FMA, vdpbf16ps, vpdpbusd; as bench/native/limits.c).
//
// usage: lowp_bench [--threads 1,2] [--reps 7] [--workloads B1,Q1] [--sizes 256,512,1024,2048]
//                   [--markdown] [--clock wall|cpu]
// Run it through bench/gemm/run_lowp.sh. On a CPU without AVX512_BF16 it runs Q1 on the best
// ISA it has (AVX2: the vpmaddubsw kernel on 7-bit and on full-range A, and the path through
// the fp32 GEMM that ISA used before it had the kernel) against the fp32 peak only.
//
// Timing: every round times each contender once (enough calls that a sample lasts >= 20 ms), in
// turn, after two warm-up rounds; the figure is the median round, the best in brackets. GEMMs
// are counted in flops, 2 per multiply-add, whatever the element type (int8 "flops" are integer
// multiply-adds x 2), so the ratios are ratios of multiply-adds per second.
#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "../native/peak_loops.h"
#include "bench_common.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_lowp.h"
#include "runtime/kernel_table.h"
#include "runtime/malloc_tuning.h"
#include "runtime/threadpool.h"

namespace {

using myelin::Isa;
using myelin::LowpType;

// ---- workloads ---------------------------------------------------------------------------
struct Shape {
  const char* id;
  std::string label;
  bool ta, tb;
  int m, n, k;
};

std::vector<Shape> shapes(const std::string& which, const std::vector<int>& sizes) {
  std::vector<Shape> out;
  for (const char* id : {"B1", "Q1"}) {
    if (which.find(id) == std::string::npos) continue;
    for (int n : sizes) out.push_back({id, "N=" + std::to_string(n), false, false, n, n, n});
    out.push_back({id, "(64x784)(784x256)", false, false, 64, 256, 784});
    out.push_back({id, "(256x784)(784x256)", false, false, 256, 256, 784});
    out.push_back({id, "(784x64)^T(64x256)", true, false, 784, 256, 64});
    out.push_back({id, "(64x256)(784x256)^T", false, true, 64, 784, 256});
  }
  if (which.find("B1") != std::string::npos) {
    // The M1 MLP's products at batch 256 as autocast runs them (x [256, in], W [out, in]): each
    // layer's forward x W^T, input gradient g W and weight gradient g^T x.
    for (const Shape& s : std::vector<Shape>{{"B1", "M1 (256x784)(256x784)^T", false, true, 256, 256, 784},
                                             {"B1", "M1 (256x256)^T(256x784)", true, false, 256, 784, 256},
                                             {"B1", "M1 (256x256)(128x256)^T", false, true, 256, 128, 256},
                                             {"B1", "M1 (256x128)(128x256)", false, false, 256, 256, 128},
                                             {"B1", "M1 (256x128)^T(256x256)", true, false, 128, 256, 256},
                                             {"B1", "M1 (256x128)(10x128)^T", false, true, 256, 10, 128},
                                             {"B1", "M1 (256x10)(10x128)", false, false, 256, 128, 10},
                                             {"B1", "M1 (256x10)^T(256x128)", true, false, 10, 128, 256}})
      out.push_back(s);
  }
  if (which.find("Q1") != std::string::npos) {
    // The M1 MLP's layers at batch 256 as the quantized Linear runs them: x [256, in] times the
    // [out, in] weight transposed.
    out.push_back({"Q1", "M1 (256x784)(256x784)^T", false, true, 256, 256, 784});
    out.push_back({"Q1", "M1 (256x256)(128x256)^T", false, true, 256, 128, 256});
    out.push_back({"Q1", "M1 (256x128)(10x128)^T", false, true, 256, 10, 128});
  }
  return out;
}

// Bf16F32: the bf16 GEMM on fp32 operands rounded as they are read (autocast's products).
enum class Kind { F32, Bf16, Bf16F32, S8 };

struct Contender {
  std::string name;
  Kind kind;
  Isa isa;
  bool full_range = false;                     // int8: A bytes up to 255 (else below 128)
  const myelin::KernelTable* table = nullptr;  // in place of isa's table
};

struct Operands {
  std::vector<float> a, b, c;
  std::vector<uint16_t> ah, bh;
  std::vector<uint8_t> au, au7;
  std::vector<int8_t> bs;
  std::vector<float> scale;
};

void run_one(const Contender& who, const Shape& s, Operands& o) {
  const myelin::KernelTable& kt = who.table ? *who.table : myelin::kernels_for(who.isa);
  const int lda = s.ta ? s.m : s.k, ldb = s.tb ? s.k : s.n, ldc = s.n;
  if (who.kind == Kind::F32) {
    myelin::sgemm(kt, s.ta, s.tb, s.m, s.n, s.k, 1.0f, o.a.data(), lda, o.b.data(), ldb, 0.0f, o.c.data(), ldc);
    return;
  }
  myelin::LowpOutput out;
  out.type = LowpType::F32;
  out.c = o.c.data();
  out.ldc = ldc;
  if (who.kind == Kind::Bf16) {
    const myelin::LowpOperand a{o.ah.data(), LowpType::Bf16, lda, s.ta, 0},
        b{o.bh.data(), LowpType::Bf16, ldb, s.tb, 0};
    myelin::gemm_bf16(kt, 1, s.m, s.n, s.k, a, b, out, 0);
    return;
  }
  if (who.kind == Kind::Bf16F32) {
    const myelin::LowpOperand a{o.a.data(), LowpType::F32, lda, s.ta, 0}, b{o.b.data(), LowpType::F32, ldb, s.tb, 0};
    myelin::gemm_bf16(kt, 1, s.m, s.n, s.k, a, b, out, 0);
    return;
  }
  // int8: A is stored m x k (a transposed A is not a layout the quantized GEMM takes).
  out.col_scale = o.scale.data();
  myelin::gemm_u8s8(kt, s.m, s.n, s.k, who.full_range ? o.au.data() : o.au7.data(), s.k, 0, o.bs.data(), ldb, s.tb,
                    nullptr, out);
}

}  // namespace

int main(int argc, char** argv) {
  // As the addon at load: the fallbacks' scratch operands are reused from the heap, not
  // page-faulted in afresh on every call.
  myelin::tune_malloc_for_tensors();
  bench::Options opt;
  opt.workloads = "B1,Q1";
  if (!opt.parse(argc, argv,
                 "lowp_bench [--threads 1,2] [--reps N>=5] [--workloads B1,Q1] [--sizes 256,...] [--markdown] "
                 "[--clock wall|cpu]"))
    return 2;
  const bool markdown = opt.markdown;
  const bool dp = myelin::isa_supported(Isa::Avx512Bf16);
  if (!dp && !myelin::isa_supported(Isa::Avx2)) {
    std::fprintf(stderr, "lowp_bench: this CPU has neither AVX512_BF16 / AVX512_VNNI nor AVX2\n");
    return 1;
  }
  const Isa best = dp ? Isa::Avx512Bf16 : myelin::best_isa();
  if (!dp) opt.workloads = "Q1";  // no bf16 kernel to time
  // The int8 path an ISA without a kernel of its own takes: widen to fp32, sgemm in k-chunks.
  myelin::KernelTable via_f32 = myelin::kernels_for(best);
  myelin::GemmLowpKernels unused;
  myelin::fill_gemm_lowp_via_f32(&unused, &via_f32.gemm_s8);
  std::printf("%smyelin kernels: %s, %s, %s; MYELIN_ISA=avx512 fallbacks: %s, %s\n", markdown ? "" : "# ",
              myelin::kernels_for(best).gemm.name, myelin::kernels_for(best).gemm_bf16.name,
              myelin::kernels_for(best).gemm_s8.name, myelin::kernels_for(Isa::Avx512).gemm_bf16.name,
              myelin::kernels_for(Isa::Avx512).gemm_s8.name);

  for (int threads : opt.threads) {
    // The peaks of bench/native/peak_loops.h's loops (as L1), 2 flops a multiply-add.
    const double p32 = dp ? bench::peak(fma_loop_avx512, 2.0 * 16 * FMA_AVX512_ACCS, threads)
                          : bench::peak(fma_loop_avx2, 2.0 * 8 * FMA_AVX2_ACCS, threads);
    const double p16 = dp ? bench::peak(bf16_loop_avx512, 2.0 * 32 * DP_ACCS, threads) : 0;
    const double p8 = dp ? bench::peak(int8_loop_avx512, 2.0 * 64 * DP_ACCS, threads) : 0;
    if (dp) {
      std::printf(
          "\n%sthreads=%d, peaks: fp32 FMA %.1f GFLOP/s, bf16 vdpbf16ps %.1f GFLOP/s (%.2fx), int8 vpdpbusd %.1f "
          "GOP/s (%.2fx)%s\n",
          markdown ? "**" : "# ", threads, p32, p16, p16 / p32, p8, p8 / p32, markdown ? "**\n" : "");
    } else {
      std::printf("\n%sthreads=%d, peak: fp32 FMA %.1f GFLOP/s%s\n", markdown ? "**" : "# ", threads, p32,
                  markdown ? "**\n" : "");
    }
    myelin::set_num_threads(threads);
    for (const char* id : {"B1", "Q1"}) {
      if (opt.workloads.find(id) == std::string::npos) continue;
      const bool b1 = std::string(id) == "B1";
      std::vector<Contender> who =
          b1   ? std::vector<Contender>{{"fp32", Kind::F32, best},
                                        {"bf16", Kind::Bf16, best},
                                        {"bf16 on fp32 operands", Kind::Bf16F32, best},
                                        {"bf16 (avx512 fallback)", Kind::Bf16, Isa::Avx512}}
          : dp ? std::vector<Contender>{{"fp32", Kind::F32, best},
                                        {"int8", Kind::S8, best},
                                        {"int8 (avx512 fallback)", Kind::S8, Isa::Avx512}}
               : std::vector<Contender>{{"fp32", Kind::F32, best},
                                        {"int8 7-bit A", Kind::S8, best},
                                        {"int8 full-range A", Kind::S8, best, true},
                                        {"int8 via fp32 sgemm", Kind::S8, best, false, &via_f32}};
      // AVX-VNNI (the 256-bit vpdpbusd) is Zen 5's, not Zen 4's: an ISA the CPU lacks has no
      // kernel table to time.
      if (!b1 && dp && myelin::isa_supported(Isa::Avx2Vnni))
        who.insert(who.begin() + 2, Contender{"int8 avx2vnni", Kind::S8, Isa::Avx2Vnni});
      // Without a dot-product peak (AVX2), the int8 rate is put against the fp32 FMA peak.
      const double lowp_peak = b1 ? p16 : (dp ? p8 : p32);
      const char* peak_name = b1 ? "bf16" : (dp ? "int8" : "fp32 FMA");
      if (markdown) {
        std::printf("\n| id | shape |");
        for (const Contender& c : who) std::printf(" %s GFLOP/s median (best) |", c.name.c_str());
        std::printf(" %s / fp32 | %% of %s peak |\n|---|---|", who[1].name.c_str(), peak_name);
        for (size_t i = 0; i < who.size(); ++i) std::printf("---|");
        std::printf("---|---|\n");
      }
      for (const Shape& s : shapes(id, opt.sizes)) {
        if (s.id != std::string(id)) continue;
        Operands o;
        const size_t asz = size_t(s.m) * s.k, bsz = size_t(s.k) * s.n, csz = size_t(s.m) * s.n;
        o.a.resize(asz);
        o.b.resize(bsz);
        o.c.resize(csz);
        o.ah.resize(asz);
        o.bh.resize(bsz);
        o.au.resize(asz);
        o.au7.resize(asz);
        o.bs.resize(bsz);
        o.scale.assign(s.n, 1e-3f);
        for (size_t i = 0; i < asz; ++i) {
          o.a[i] = float((i * 7919) % 1000) / 1000.0f - 0.5f;
          o.ah[i] = myelin::f32_to_bf16(o.a[i]);
          o.au[i] = uint8_t((i * 7919) % 251);
          o.au7[i] = uint8_t((i * 7919) % 127);
        }
        for (size_t i = 0; i < bsz; ++i) {
          o.b[i] = float((i * 104729) % 1000) / 1000.0f - 0.5f;
          o.bh[i] = myelin::f32_to_bf16(o.b[i]);
          o.bs[i] = int8_t(int((i * 104729) % 255) - 127);
        }
        const double flops = 2.0 * s.m * s.n * s.k;
        const int calls = std::max(1, int(4e9 / flops));
        const bench::Rates rates = bench::time_rounds(
            who.size(), opt.reps, flops, calls, [&](size_t w) { run_one(who[w], s, o); }, [](size_t) {});
        const std::vector<double>&med = rates.median, &top = rates.best;
        if (markdown) {
          std::printf("| %s | %s |", s.id, s.label.c_str());
          for (size_t w = 0; w < who.size(); ++w) std::printf(" %.1f (%.1f) |", med[w], top[w]);
          std::printf(" %.2fx (%.2fx) | %.0f%% (%.0f%%) |\n", med[1] / med[0], top[1] / top[0],
                      100 * med[1] / lowp_peak, 100 * top[1] / lowp_peak);
        } else {
          std::printf("%-3s %-26s", s.id, s.label.c_str());
          for (size_t w = 0; w < who.size(); ++w) std::printf("  %s %6.1f", who[w].name.c_str(), med[w]);
          std::printf("  ratio %.2fx  %.0f%% of peak\n", med[1] / med[0], 100 * med[1] / lowp_peak);
        }
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
