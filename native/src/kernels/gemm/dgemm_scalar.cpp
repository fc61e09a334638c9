// Portable double-precision GEMM: packing and a 4x4 microkernel in plain C++, the path on any
// CPU and the oracle the SIMD versions are compared with.
#include <stdint.h>

// As in gemm_scalar.cpp: GCC 12 would vectorize the k loop into a read past the end of B read
// in place. The loop is the reference: keep it scalar.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-vectorize")
#endif

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/scalar_vec.h"

namespace myelin {
namespace {

using V = ScalarVec<double>;

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
