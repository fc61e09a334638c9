// Portable GEMM: packing and a 4x4 microkernel in plain C++, the path on any CPU and the
// oracle the SIMD versions are compared with.
#include <stdint.h>

// GCC 12 vectorizes the microkernel's k loop (tile_kloop) so that it loads the row after the
// last one: a read past the end of B when B is read in place and ends at a page boundary.
// The loop is the reference every SIMD table is checked against: keep it scalar.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-vectorize")
#endif

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = float;
  using reg = float;
  using mask = bool;
  static constexpr int width = 1;
  static reg zero() { return 0.0f; }
  static reg load(const float* p) { return *p; }
  static reg loadm(const float* p, mask m) { return m ? *p : 0.0f; }
  static void store(float* p, reg v) { *p = v; }
  static void storem(float* p, mask m, reg v) {
    if (m) *p = v;
  }
  static reg set1(float x) { return x; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg fmadd(reg a, reg b, reg c) { return a * b + c; }
  static mask mask_for(int n) { return n > 0; }
  static void transpose(const float* src, int64_t, int rows, float* dst, int64_t, int) {
    *dst = rows > 0 ? *src : 0.0f;
  }
};

constexpr int MR = 4;
constexpr int NV = 4;
constexpr int64_t kPrefetchC = 24;

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_gemm_scalar(GemmKernels* k) {
  k->name = "sgemm_ukernel_4x4__scalar";
  k->mr = MR;
  k->nr = NR;
  k->kc = 256;
  k->mc = 512;
  k->nc = 1024;
  k->loops = GemmLoops::AInL1;
  k->direct_b_max_rows = 96;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
