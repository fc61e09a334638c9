// The int32 GEMM's AVX-512 tile: 6 x 32 (two 16-lane vectors a row; vpmulld). Compiled with
// the AVX-512 flags.
#include <cstdint>
#include <cstring>

#include "kernels/gemm/gemm_i32.h"

namespace myelin {
namespace {

typedef uint32_t Vec __attribute__((vector_size(64)));
constexpr int kLanes = 16;
constexpr int kMR = 6, kNV = 2;

#include "kernels/gemm/gemm_i32_tile.inl"

}  // namespace

void fill_gemm_i32_avx512(GemmI32Kernels* k) {
  *k = GemmI32Kernels{"i32gemm_ukernel_6x32__avx512", kMR, kNR, i32_ukernel};
}

}  // namespace myelin
