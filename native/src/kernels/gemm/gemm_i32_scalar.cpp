// The int32 GEMM's scalar tile: plain uint32 code, the reference the vector ISAs match.
#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm_i32.h"

namespace myelin {
namespace {

using Vec = uint32_t;
constexpr int kLanes = 1;
constexpr int kMR = 4, kNV = 4;

#include "kernels/gemm/gemm_i32_tile.inl"

}  // namespace

void fill_gemm_i32_scalar(GemmI32Kernels* k) {
  *k = GemmI32Kernels{"i32gemm_ukernel_4x4__scalar", kMR, kNR, i32_ukernel};
}

}  // namespace myelin
