// neon Winograd transforms. Compiled with the arm64 baseline (NEON).
#include <stdint.h>
#include <string.h>

#include "kernels/conv/winograd_kernels.h"

namespace myelin {
namespace {

#include "kernels/conv/winograd_transforms.inl"

}  // namespace

void fill_winograd_neon(WinogradKernels* k) { fill_winograd_transforms(k); }

}  // namespace myelin
