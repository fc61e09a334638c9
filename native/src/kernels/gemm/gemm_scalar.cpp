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
#include "kernels/gemm/scalar_vec.h"

namespace myelin {
namespace {

using V = ScalarVec<float>;

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
