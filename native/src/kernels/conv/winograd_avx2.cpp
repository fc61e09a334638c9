// avx2 Winograd transforms. Compiled with -mavx2 -mfma only.
#include <stdint.h>
#include <string.h>

#include "kernels/conv/winograd_kernels.h"

namespace myelin {
namespace {

#include "kernels/conv/winograd_transforms.inl"

}  // namespace

void fill_winograd_avx2(WinogradKernels* k) { fill_winograd_transforms(k); }

}  // namespace myelin
