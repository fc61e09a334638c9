// The int32 GEMM's AVX2 tile: 6 x 16 (two 8-lane vectors a row; vpmulld). Compiled with -mavx2
// -mfma only.
#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm_i32.h"

namespace myelin {
namespace {

typedef uint32_t Vec __attribute__((vector_size(32)));
constexpr int kLanes = 8;
constexpr int kMR = 6, kNV = 2;

#include "kernels/gemm/gemm_i32_tile.inl"

}  // namespace

void fill_gemm_i32_avx2(GemmI32Kernels* k) { *k = GemmI32Kernels{"i32gemm_ukernel_6x16__avx2", kMR, kNR, i32_ukernel}; }

}  // namespace myelin
