// 2-D resampling (interpolate's nearest and (bi)linear modes; 1-D is H = 1) over `planes`
// contiguous h x w planes (planes = N * C). The caller computes the per-axis source tables
// (PyTorch's index and weight rounding lives in one place, lib/ops/interpolate.ts); the kernels
// only walk them. float sums take each float product exactly in double and round once to float
// per stored value, so results are those of the TypeScript loops they replace, bit for bit;
// double ones (float64 tensors, double weights) are plain double arithmetic.
#pragma once
#include <cstdint>

namespace myelin {

struct ResampleShape {
  int64_t planes, h, w, oh, ow;
};

// One axis of source positions. Nearest (weight null): output o reads index[o]. Linear:
// output o is weight[2o] * in[index[2o]] + weight[2o + 1] * in[index[2o + 1]]. Every index
// must lie in [0, in size) of its axis.
// Weights of the element type T (float or double).
template <class T>
struct ResampleAxisOf {
  const int32_t* index;
  const T* weight;
};

// y [planes, oh, ow] (overwritten) from x [planes, h, w]. rows and cols are both nearest or
// both linear. T is float or double.
template <class T>
void resample2d_forward(const ResampleShape& s, const ResampleAxisOf<T>& rows, const ResampleAxisOf<T>& cols,
                        const T* x, T* y);
// dx [planes, h, w] (overwritten): the adjoint of resample2d_forward applied to dy.
template <class T>
void resample2d_backward(const ResampleShape& s, const ResampleAxisOf<T>& rows, const ResampleAxisOf<T>& cols,
                         const T* dy, T* dx);

}  // namespace myelin
