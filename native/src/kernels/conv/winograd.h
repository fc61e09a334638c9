// Winograd F(2x2, 3x3) convolution: the fast path for 3x3, stride-1, undilated, ungrouped
// convolutions with enough channels. Each 2x2 block of outputs comes from a 4x4 input patch
// with 16 multiplies per (input, output) channel pair instead of 36: the input patches and the
// filters are transformed into 16 "positions", each position is one GEMM over the channels,
// and the 16 products are transformed back. Forward, grad-input (a forward convolution of dy
// with the filters rotated and transposed) and grad-weight (16 GEMMs over the tiles) all run
// this way, so the three passes do 2.25x fewer multiplies than im2col + GEMM.
#pragma once
#include "kernels/conv/conv.h"

namespace myelin {

// Whether conv2d_* take the Winograd path for this shape (and the algorithm setting allows it).
// An autocast convolution (s.bf16) takes it where its position GEMMs can run on k's bf16 GEMM:
// the transforms in fp32, the transformed operands rounded to bf16 by the GEMM (so less exact
// than im2col's bf16 products of the operands themselves; see winograd.cpp); the gradients round
// dy to bf16 before transforming it, as im2col's products read it.
bool winograd_applies(const KernelTable& k, const ConvShape& s);

// The same contracts as conv2d_forward / _backward_input / _backward_weight (conv.h), buffer
// allocation failures included. dbias is left to the caller.
void winograd_forward(const KernelTable& k, const ConvShape& s, const float* x, const float* w, const float* bias,
                      float* y);
void winograd_backward_input(const KernelTable& k, const ConvShape& s, const float* dy, const float* w, float* dx);
void winograd_backward_weight(const KernelTable& k, const ConvShape& s, const float* x, const float* dy, float* dw);

}  // namespace myelin
