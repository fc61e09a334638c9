// AVX-512 optimizer row kernels (16 floats a register). Compiled with the AVX-512 flags only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx512.inl"
#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx512(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
