// arm64 NEON optimizer row kernels (4 floats a register). NEON is baseline on aarch64: no extra
// flags.
#include <arm_neon.h>
#include <stdint.h>

#include "kernels/common/no_fp_contract.h"  // the only FMAs: optim_rows.inl's fmadd calls
#include "kernels/optim/optim.h"

namespace myelin {
namespace {

#include "kernels/vmath/simd_neon.inl"
#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_neon(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
