// AVX2+FMA optimizer row kernels (8 floats a register). Compiled with -mavx2 -mfma only.
#include <immintrin.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_avx2.inl"
#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_avx2(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
