// scalar Winograd transforms. Compiled with the baseline flags (SSE2 on x86-64).
#include <stdint.h>
#include <string.h>

#include "kernels/conv/winograd_kernels.h"

namespace myelin {
namespace {

#include "kernels/conv/winograd_transforms.inl"

}  // namespace

void fill_winograd_scalar(WinogradKernels* k) { fill_winograd_transforms(k); }

}  // namespace myelin
