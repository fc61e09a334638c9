// Portable double-precision GEMM: packing and a 4x4 microkernel in plain C++, the path on any
// CPU and the oracle the SIMD versions are compared with.
#include <stdint.h>

// As in gemm_scalar.cpp: GCC 12 would vectorize the k loop into a read past the end of B read
// in place. The loop is the reference: keep it scalar.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-vectorize")
#endif

#include "kernels/gemm/gemm.h"

namespace myelin {
namespace {

struct V {
  using scalar = double;
  using reg = double;
  using mask = bool;
  static constexpr int width = 1;
  static reg zero() { return 0.0; }
  static reg load(const double* p) { return *p; }
  static reg loadm(const double* p, mask m) { return m ? *p : 0.0; }
  static void store(double* p, reg v) { *p = v; }
  static void storem(double* p, mask m, reg v) {
    if (m) *p = v;
  }
  static reg set1(double x) { return x; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg fmadd(reg a, reg b, reg c) { return a * b + c; }
  static mask mask_for(int n) { return n > 0; }
  static void transpose(const double* src, int64_t, int rows, double* dst, int64_t, int) {
    *dst = rows > 0 ? *src : 0.0;
  }
};

constexpr int MR = 4;
constexpr int NV = 4;
constexpr int64_t kPrefetchC = 24;

#include "kernels/gemm/gemm_tile.inl"

}  // namespace

void fill_dgemm_scalar(DgemmKernels* k) {
  k->name = "dgemm_ukernel_4x4__scalar";
  k->mr = MR;
  k->nr = NR;
  k->kc = 256;
  k->mc = 256;
  k->nc = 512;
  k->loops = GemmLoops::AInL1;
  k->direct_b_max_rows = 96;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = gemm_ukernel;
}

}  // namespace myelin
