// arm64 NEON optimizer row kernels (4 floats a register). NEON is baseline on aarch64: no extra
// flags.
#include <arm_neon.h>
#include <stdint.h>
#include <string.h>

#include "kernels/optim/optim.h"

// No contraction of a*b + c into an FMA beyond the explicit fmadd calls (see optim_rows.inl).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

namespace myelin {
namespace {

namespace simd {
#include "kernels/vmath/simd_neon.inl"
}  // namespace simd

// The shared vector type plus the partial (tail) loads and stores of optim_rows.inl. NEON has
// no masked loads: a tail goes through a stack copy of its `count` floats.
struct V : simd::V {
  using mask = int;  // the number of leading lanes loaded and stored
  static reg load_part(const float* p, mask count) {
    float lanes[width] = {0.0f, 0.0f, 0.0f, 0.0f};
    memcpy(lanes, p, static_cast<size_t>(count) * sizeof(float));
    return load(lanes);
  }
  static void store_part(float* p, mask count, reg v) {
    float lanes[width];
    store(lanes, v);
    memcpy(p, lanes, static_cast<size_t>(count) * sizeof(float));
  }
  static mask part_mask(int64_t count) { return static_cast<mask>(count); }
};

#include "kernels/optim/optim_rows.inl"

}  // namespace

void fill_optim_neon(OptimKernels* k) { fill_optim_rows(k); }

}  // namespace myelin
