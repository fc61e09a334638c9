// The register-only loops whose throughput is the machine's peak (workload L1), shared by
// bench/native/limits.c and bench/gemm/lowp_bench.cpp. C and C++; each function carries its own
// target attribute, so the including file needs no ISA flags, and callers check the CPU first.
#pragma once
#include <immintrin.h>
#include <stdint.h>

// fp32 FMA: acc = acc * m + c converges to 1 (no overflow, no denormals); the sum is returned so
// the compiler must keep every chain.
#define FMA_AVX512_ACCS 16  // 16 zmm chains: covers latency 4 x 2 pipes (and 4 x 1 on Zen 4)
__attribute__((target("avx512f"))) static float fma_loop_avx512(int64_t iters) {
  __m512 acc[FMA_AVX512_ACCS];
  for (int j = 0; j < FMA_AVX512_ACCS; ++j) acc[j] = _mm512_set1_ps(0.5f + 0.01f * (float)j);
  const __m512 m = _mm512_set1_ps(0.999f), c = _mm512_set1_ps(0.001f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < FMA_AVX512_ACCS; ++j) acc[j] = _mm512_fmadd_ps(acc[j], m, c);
  }
  __m512 s = acc[0];
  for (int j = 1; j < FMA_AVX512_ACCS; ++j) s = _mm512_add_ps(s, acc[j]);
  return _mm512_reduce_add_ps(s);
}

// The same loop in fp64 (vfmadd...pd): as many FMA instructions a cycle, half the flops each.
__attribute__((target("avx512f"))) static float fma_loop_avx512_f64(int64_t iters) {
  __m512d acc[FMA_AVX512_ACCS];
  for (int j = 0; j < FMA_AVX512_ACCS; ++j) acc[j] = _mm512_set1_pd(0.5 + 0.01 * j);
  const __m512d m = _mm512_set1_pd(0.999), c = _mm512_set1_pd(0.001);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < FMA_AVX512_ACCS; ++j) acc[j] = _mm512_fmadd_pd(acc[j], m, c);
  }
  __m512d s = acc[0];
  for (int j = 1; j < FMA_AVX512_ACCS; ++j) s = _mm512_add_pd(s, acc[j]);
  return (float)_mm512_reduce_add_pd(s);
}

#define FMA_AVX2_ACCS 12  // 12 ymm chains + 2 constants fit the 16 ymm registers; >= 4 x 2
__attribute__((target("avx2,fma"))) static float fma_loop_avx2(int64_t iters) {
  __m256 acc[FMA_AVX2_ACCS];
  for (int j = 0; j < FMA_AVX2_ACCS; ++j) acc[j] = _mm256_set1_ps(0.5f + 0.01f * (float)j);
  const __m256 m = _mm256_set1_ps(0.999f), c = _mm256_set1_ps(0.001f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < FMA_AVX2_ACCS; ++j) acc[j] = _mm256_fmadd_ps(acc[j], m, c);
  }
  __m256 s = acc[0];
  for (int j = 1; j < FMA_AVX2_ACCS; ++j) s = _mm256_add_ps(s, acc[j]);
  float lanes[8];
  _mm256_storeu_ps(lanes, s);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

// The dot-product loops are written in assembly: with arrays of integer or bf16 vectors GCC
// copies the accumulators between registers (and spills one) every step, which measured 2.7
// instead of 6.7 vpdpbusd a nanosecond on Zen 5. 16 chains in zmm2..zmm17 (ymm for AVX-VNNI)
// cover latency x issue width on the cores that have these instructions; the two sources are
// constants, so the sums stay far from overflow (fp32) or wrap harmlessly (int32).
#define DP16(op, r)                                                                                                    \
  op " %%" r "1, %%" r "0, %%" r "2\n" op " %%" r "1, %%" r "0, %%" r "3\n" op " %%" r "1, %%" r "0, %%" r "4\n" op    \
     " %%" r "1, %%" r "0, %%" r "5\n" op " %%" r "1, %%" r "0, %%" r "6\n" op " %%" r "1, %%" r "0, %%" r "7\n" op    \
     " %%" r "1, %%" r "0, %%" r "8\n" op " %%" r "1, %%" r "0, %%" r "9\n" op " %%" r "1, %%" r "0, %%" r "10\n" op   \
     " %%" r "1, %%" r "0, %%" r "11\n" op " %%" r "1, %%" r "0, %%" r "12\n" op " %%" r "1, %%" r "0, %%" r "13\n" op \
     " %%" r "1, %%" r "0, %%" r "14\n" op " %%" r "1, %%" r "0, %%" r "15\n" op " %%" r "1, %%" r "0, %%" r "16\n" op \
     " %%" r "1, %%" r "0, %%" r "17\n"
#define DP_CLOBBERS(r)                                                                                          \
  r "0", r "1", r "2", r "3", r "4", r "5", r "6", r "7", r "8", r "9", r "10", r "11", r "12", r "13", r "14", \
      r "15", r "16", r "17"
#define DP_ACCS 16

// vdpbf16ps: each fp32 lane += a[2i] * b[2i] + a[2i+1] * b[2i+1] (bf16 2^-23 times 1.0).
__attribute__((target("avx512f,avx512bf16"))) static float bf16_loop_avx512(int64_t iters) {
  float lane = 0.0f;
  if (iters <= 0) return lane;
  __asm__ volatile(
      "vpbroadcastd %[a], %%zmm0\n vpbroadcastd %[b], %%zmm1\n"
      "vpxord %%zmm2, %%zmm2, %%zmm2\n vmovaps %%zmm2, %%zmm3\n vmovaps %%zmm2, %%zmm4\n vmovaps %%zmm2, %%zmm5\n"
      "vmovaps %%zmm2, %%zmm6\n vmovaps %%zmm2, %%zmm7\n vmovaps %%zmm2, %%zmm8\n vmovaps %%zmm2, %%zmm9\n"
      "vmovaps %%zmm2, %%zmm10\n vmovaps %%zmm2, %%zmm11\n vmovaps %%zmm2, %%zmm12\n vmovaps %%zmm2, %%zmm13\n"
      "vmovaps %%zmm2, %%zmm14\n vmovaps %%zmm2, %%zmm15\n vmovaps %%zmm2, %%zmm16\n vmovaps %%zmm2, %%zmm17\n"
      "1:\n" DP16("vdpbf16ps", "zmm") "dec %[n]\n jnz 1b\n"
      "vaddps %%zmm3, %%zmm2, %%zmm2\n vaddps %%zmm17, %%zmm2, %%zmm2\n vmovss %%xmm2, %[out]\n"
      : [n] "+r"(iters), [out] "=m"(lane)
      : [a] "r"(0x34003400), [b] "r"(0x3f803f80)
      : DP_CLOBBERS("zmm"), "cc");
  return lane;
}

// vpdpbusd: each int32 lane += the sum of 4 u8 x s8 products (3 x -5).
__attribute__((target("avx512f,avx512vnni"))) static float int8_loop_avx512(int64_t iters) {
  int32_t lane = 0;
  if (iters <= 0) return 0.0f;
  __asm__ volatile(
      "vpbroadcastd %[a], %%zmm0\n vpbroadcastd %[b], %%zmm1\n"
      "vpxord %%zmm2, %%zmm2, %%zmm2\n vmovdqa32 %%zmm2, %%zmm3\n vmovdqa32 %%zmm2, %%zmm4\n"
      "vmovdqa32 %%zmm2, %%zmm5\n vmovdqa32 %%zmm2, %%zmm6\n vmovdqa32 %%zmm2, %%zmm7\n vmovdqa32 %%zmm2, %%zmm8\n"
      "vmovdqa32 %%zmm2, %%zmm9\n vmovdqa32 %%zmm2, %%zmm10\n vmovdqa32 %%zmm2, %%zmm11\n"
      "vmovdqa32 %%zmm2, %%zmm12\n vmovdqa32 %%zmm2, %%zmm13\n vmovdqa32 %%zmm2, %%zmm14\n"
      "vmovdqa32 %%zmm2, %%zmm15\n vmovdqa32 %%zmm2, %%zmm16\n vmovdqa32 %%zmm2, %%zmm17\n"
      "1:\n" DP16("vpdpbusd", "zmm") "dec %[n]\n jnz 1b\n"
      "vpaddd %%zmm3, %%zmm2, %%zmm2\n vpaddd %%zmm17, %%zmm2, %%zmm2\n vmovd %%xmm2, %[out]\n"
      : [n] "+r"(iters), [out] "=m"(lane)
      : [a] "r"(0x03030303), [b] "r"(0xfbfbfbfb)
      : DP_CLOBBERS("zmm"), "cc");
  return (float)lane;
}

// The same at 256 bits through the VEX-encoded AVX-VNNI (16 chains + 2 sources: ymm0..ymm15
// hold 14 chains; 12 as the AVX2 FMA loop keeps).
__attribute__((target("avx2,avxvnni"))) static float int8_loop_avxvnni(int64_t iters) {
  int32_t lane = 0;
  if (iters <= 0) return 0.0f;
  __asm__ volatile(
      "vpbroadcastd %[a], %%ymm0\n vpbroadcastd %[b], %%ymm1\n"
      "vpxor %%ymm2, %%ymm2, %%ymm2\n vmovdqa %%ymm2, %%ymm3\n vmovdqa %%ymm2, %%ymm4\n vmovdqa %%ymm2, %%ymm5\n"
      "vmovdqa %%ymm2, %%ymm6\n vmovdqa %%ymm2, %%ymm7\n vmovdqa %%ymm2, %%ymm8\n vmovdqa %%ymm2, %%ymm9\n"
      "vmovdqa %%ymm2, %%ymm10\n vmovdqa %%ymm2, %%ymm11\n vmovdqa %%ymm2, %%ymm12\n vmovdqa %%ymm2, %%ymm13\n"
      "1:\n"
      "%{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm2\n %{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm3\n"
      "%{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm4\n %{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm5\n"
      "%{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm6\n %{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm7\n"
      "%{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm8\n %{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm9\n"
      "%{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm10\n %{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm11\n"
      "%{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm12\n %{vex%} vpdpbusd %%ymm1, %%ymm0, %%ymm13\n"
      "dec %[n]\n jnz 1b\n"
      "vpaddd %%ymm3, %%ymm2, %%ymm2\n vpaddd %%ymm13, %%ymm2, %%ymm2\n vmovd %%xmm2, %[out]\n"
      : [n] "+r"(iters), [out] "=m"(lane)
      : [a] "r"(0x03030303), [b] "r"(0xfbfbfbfb)
      : "ymm0", "ymm1", "ymm2", "ymm3", "ymm4", "ymm5", "ymm6", "ymm7", "ymm8", "ymm9", "ymm10", "ymm11", "ymm12",
        "ymm13", "cc");
  return (float)lane;
}
#define DP_AVX_ACCS 12
