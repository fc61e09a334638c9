// Portable unary row kernels on libm: the path on any CPU and the accuracy oracle of the SIMD
// versions (float64: the same row kernels as every ISA over the width-1 VD, unary_rows_f64.inl). Where libm's float
// function is not within 1 ulp (tanhf is ~2 ulp in glibc) or the float formula loses accuracy (sigmoid's tiny results),
// the double function is rounded once.
#include <cmath>

#include "kernels/elementwise/elementwise.h"

namespace myelin {
namespace {

float sign_of(float x) {
  if (x > 0) return 1.0f;
  if (x < 0) return -1.0f;
  return x == 0 ? 0.0f : x;  // +0 for both zeros; NaN stays NaN
}

float sigmoid_of(float x) { return static_cast<float>(1.0 / (1.0 + std::exp(-static_cast<double>(x)))); }

template <float (*F)(float)>
void unary_row(int64_t n, const float* x, int64_t sx, float* out, int64_t so) {
  if (sx == 1 && so == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = F(x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i * so] = F(x[i * sx]);
  }
}

float neg_f(float x) { return -x; }
float abs_f(float x) { return std::fabs(x); }
float exp_f(float x) { return std::exp(x); }
float log_f(float x) { return std::log(x); }
float sqrt_f(float x) { return std::sqrt(x); }
float rsqrt_f(float x) { return 1.0f / std::sqrt(x); }
float sin_f(float x) { return std::sin(x); }
float cos_f(float x) { return std::cos(x); }
float tanh_f(float x) { return static_cast<float>(std::tanh(static_cast<double>(x))); }
float relu_f(float x) { return x < 0 ? 0.0f : x; }  // max(0, x): keeps NaN and -0 like torch
float log1p_f(float x) { return std::log1p(x); }
float expm1_f(float x) { return std::expm1(x); }
float erf_f(float x) { return std::erf(x); }

#include "kernels/vmath/simd_scalar_f64.inl"
#include "kernels/elementwise/unary_f64_libm.inl"
#include "kernels/elementwise/unary_rows_f64.inl"

}  // namespace

void fill_unary_scalar(UnaryKernels* k) {
  UnaryRowFn* r = k->row;
  r[static_cast<int>(UnaryOp::Neg)] = unary_row<neg_f>;
  r[static_cast<int>(UnaryOp::Abs)] = unary_row<abs_f>;
  r[static_cast<int>(UnaryOp::Exp)] = unary_row<exp_f>;
  r[static_cast<int>(UnaryOp::Log)] = unary_row<log_f>;
  r[static_cast<int>(UnaryOp::Sqrt)] = unary_row<sqrt_f>;
  r[static_cast<int>(UnaryOp::Rsqrt)] = unary_row<rsqrt_f>;
  r[static_cast<int>(UnaryOp::Sin)] = unary_row<sin_f>;
  r[static_cast<int>(UnaryOp::Cos)] = unary_row<cos_f>;
  r[static_cast<int>(UnaryOp::Tanh)] = unary_row<tanh_f>;
  r[static_cast<int>(UnaryOp::Sigmoid)] = unary_row<sigmoid_of>;
  r[static_cast<int>(UnaryOp::Relu)] = unary_row<relu_f>;
  r[static_cast<int>(UnaryOp::Log1p)] = unary_row<log1p_f>;
  r[static_cast<int>(UnaryOp::Expm1)] = unary_row<expm1_f>;
  r[static_cast<int>(UnaryOp::Sign)] = unary_row<sign_of>;
  r[static_cast<int>(UnaryOp::Erf)] = unary_row<erf_f>;
  fill_unary_rows_f64(k);
}

}  // namespace myelin
