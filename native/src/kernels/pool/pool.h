// 2-D pooling (1-D is H = 1) over `planes` contiguous h x w planes of floats or doubles (planes = N * C), forward and
// backward, with PyTorch 1.13's CPU semantics: max windows skip padding and propagate NaN,
// the first maximum wins; indices are flat positions ih * w + iw within the plane.
#pragma once
#include <cstdint>

#include "kernels/common/window2d.h"

namespace myelin {

enum class PoolOp : int { Max = 0, Avg = 1, AdaptiveAvg = 2, AdaptiveMax = 3 };

// The window is unused by the adaptive ops.
struct PoolShape : Window2d {
  int64_t planes, h, w, oh, ow;
  bool count_include_pad;  // Avg only
};

// y [planes, oh, ow]; indices (Max, AdaptiveMax only; else may be null). T is float or double.
template <class T>
void pool2d_forward(PoolOp op, const PoolShape& s, const T* x, T* y, int32_t* indices);
// dx [planes, h, w] (overwritten) from dy [planes, oh, ow]; Max/AdaptiveMax scatter through
// indices, which must all lie in [0, h * w).
template <class T>
void pool2d_backward(PoolOp op, const PoolShape& s, const T* dy, const int32_t* indices, T* dx);

}  // namespace myelin
