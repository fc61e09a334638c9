// 2-D convolution (1-D is H = 1) over contiguous NCHW float32 or float64 tensors: im2col /
// col2im and the GEMM (float64: the dgemm; no Winograd or direct kernel). Weights are [OC, C/groups, KH, KW]. A
// transposed convolution is this convolution's grad-input (forward) and forward (grad-input), with the roles of x and y
// swapped.
#pragma once
#include <cstdint>

#include "kernels/common/window2d.h"

namespace myelin {

struct KernelTable;

// The window (kernel, stride, padding, dilation): input row ih = oy*sh - ph + i*dh.
struct ConvShape : Window2d {
  int64_t n, c, h, w;  // input x: [n, c, h, w]
  int64_t oc, oh, ow;  // output y: [n, oc, oh, ow]
  int64_t groups;      // divides c and oc
  // float only: the products through the bf16 GEMM (autocast), operands rounded to bf16 as
  // they are read, summed in fp32: im2col, or Winograd where winograd_applies says (its
  // transformed operands rounded, and dy before its transforms); never the direct kernel (fp32
  // products). The bias's gradient sums dy rounded to bf16 too.
  bool bf16 = false;
};

// col [c * kh * kw, oh * ow] (rows ld elements apart, ld >= oh * ow) of one image x [c, h, w]:
// col[(ci*kh + i)*kw + j][oy*ow + ox] = x[ci, oy*sh - ph + i*dh, ox*sw - pw + j*dw], 0 outside.
// Channels [c0, c1) only. A batch tile lays its images side by side: image t at col + t*oh*ow.
// T is float or double, or uint16_t (bf16 bits: an autocast forward's columns; 0 is +0).
template <class T>
void im2col(const ConvShape& s, const T* x, T* col, int64_t ld, int64_t c0, int64_t c1);
// The adjoint: dx [c, h, w] += the col entries that im2col would read from each position.
// Channels [c0, c1) only (each channel's rows write only that channel). col is scratch: entries
// that map to no input position (padding) may be overwritten with zeros.
template <class T>
void col2im_add(const ConvShape& s, T* col, int64_t ld, T* dx, int64_t c0, int64_t c1);

// Which algorithms the convolution drivers may use: 0 = choose (default), 1 = im2col + GEMM
// only (no Winograd, no direct kernel), 2 = Winograd wherever it can run (3x3, stride 1,
// undilated, ungrouped), whatever the sizes. For tests, which compare the paths.
void set_conv_algorithm(int algorithm);
int conv_algorithm();

// Below this many flops per thread, a convolution is not split over the threads (by images, or
// by rows of one image).
constexpr int64_t kConvMinThreadFlops = int64_t{1} << 20;

// Each throws ScratchError (runtime/scratch.h) when its buffers cannot be allocated.
// y = conv(x, w) + bias (bias may be null).
void conv2d_forward(const KernelTable& k, const ConvShape& s, const float* x, const float* w, const float* bias,
                    float* y);
// dx = grad of sum(dy * conv(x, w)) with respect to x (overwritten).
void conv2d_backward_input(const KernelTable& k, const ConvShape& s, const float* dy, const float* w, float* dx);
// dw (overwritten) and, when non-null, dbias (overwritten) from x and dy.
void conv2d_backward_weight(const KernelTable& k, const ConvShape& s, const float* x, const float* dy, float* dw,
                            float* dbias);
// The same three in double: every product and sum in double (the dgemm), for float64 tensors.
void conv2d_forward(const KernelTable& k, const ConvShape& s, const double* x, const double* w, const double* bias,
                    double* y);
void conv2d_backward_input(const KernelTable& k, const ConvShape& s, const double* dy, const double* w, double* dx);
void conv2d_backward_weight(const KernelTable& k, const ConvShape& s, const double* x, const double* dy, double* dw,
                            double* dbias);

}  // namespace myelin
