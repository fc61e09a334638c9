// Direct convolution for layers with few input taps (C * kh * kw small, e.g. an RGB first
// layer): there im2col + GEMM has a tiny K, so the GEMM spends its time loading and storing its
// output tiles. This kernel instead keeps a block of output channels x 2 registers of one output
// row in registers, adds every tap (a broadcast weight times a row of the zero-padded input) and
// writes each row of y once, bias included. Stride 1 along the width (contiguous loads).
#pragma once
#include <stdint.h>

#include "kernels/conv/conv.h"

namespace myelin {

struct ConvDirectArgs {
  int64_t c, oc, kh, kw;
  int64_t sh, dh, dw;  // row stride; dilations (the column stride is 1)
  int64_t oh, ow;      // output plane
  const float* xpad;   // one image, zero-padded: xpad[(c * rows + r) * ld + col]
  int64_t rows, ld;    // padded plane height and row length (see conv.cpp for the slack)
  const float* wt;     // weights by tap: wt[((ci * kh + i) * kw + j) * wt_ld + o]
  int64_t wt_ld;       // >= oc rounded up to the kernel's block (zeros past oc)
  const float* bias;   // [oc] or null
  float* y;            // this image's output [oc, oh, ow]
};

// Output rows [oy0, oy1) of one image, every output channel.
using ConvDirectFn = void (*)(const ConvDirectArgs& a, int64_t oy0, int64_t oy1);

struct ConvDirectKernels {
  ConvDirectFn forward;
  int width;     // floats a register: the kernel reads up to 2 * width - 1 past an output row
  int oc_block;  // output channels a register block: wt_ld is a multiple of it
};

void fill_conv_direct_scalar(ConvDirectKernels* k);
void fill_conv_direct_avx2(ConvDirectKernels* k);
void fill_conv_direct_avx512(ConvDirectKernels* k);
void fill_conv_direct_neon(ConvDirectKernels* k);

// The driver (conv_direct.cpp). Whether conv2d_forward takes the direct kernel for this shape
// (and the algorithm setting allows it), and that forward: conv2d_forward's contract.
bool conv_direct_applies(const KernelTable& k, const ConvShape& s);
void conv_direct_forward(const KernelTable& k, const ConvShape& s, const float* x, const float* w, const float* bias,
                         float* y);

}  // namespace myelin
