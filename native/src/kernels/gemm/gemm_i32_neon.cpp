// The int32 GEMM's NEON tile: 4 x 16 (four 4-lane vectors a row; mul, add). NEON is baseline
// on arm64.
#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm_i32.h"

namespace myelin {
namespace {

typedef uint32_t Vec __attribute__((vector_size(16)));
constexpr int kLanes = 4;
constexpr int kMR = 4, kNV = 4;

#include "kernels/gemm/gemm_i32_tile.inl"

}  // namespace

void fill_gemm_i32_neon(GemmI32Kernels* k) { *k = GemmI32Kernels{"i32gemm_ukernel_4x16__neon", kMR, kNR, i32_ukernel}; }

}  // namespace myelin
