// The float64 unary row kernels over a float64 vector type VD (reg, width, load, store, set1,
// sub, sqrt, div, neg, abs, lt, gt, isnan, select, and vmath_f64.inl's needs), compiled once per
// ISA: the scalar VD of width 1 included, so every ISA gives the scalar path's bits. Included by
// unary_<isa>.cpp inside an anonymous namespace after VD and unary_f64_libm.inl.
//
// Vectorised: the exactly rounded ops (neg, abs, sqrt, rsqrt, relu, sign) and exp (vmath_f64.inl,
// within 1 ulp). The other transcendentals call libm's double function element by element.

#include "kernels/vmath/vmath_f64.inl"

struct NegD {
  static VD::reg vec(VD::reg x) { return VD::neg(x); }
};
struct AbsD {
  static VD::reg vec(VD::reg x) { return VD::abs(x); }
};
struct SqrtD {
  static VD::reg vec(VD::reg x) { return VD::sqrt(x); }
};
struct RsqrtD {
  static VD::reg vec(VD::reg x) { return VD::div(VD::set1(1.0), VD::sqrt(x)); }
};
struct ExpD {
  static VD::reg vec(VD::reg x) { return vd_exp(x); }
};
struct ReluD {  // x < 0 ? 0 : x: NaN and -0 pass
  static VD::reg vec(VD::reg x) {
    const VD::reg zero = VD::set1(0.0);
    return VD::select(VD::lt(x, zero), zero, x);
  }
};
struct SignD {  // +1, -1, +0 for both zeros, NaN kept
  static VD::reg vec(VD::reg x) {
    const VD::reg zero = VD::set1(0.0), one = VD::set1(1.0);
    const VD::reg r = VD::sub(VD::select(VD::gt(x, zero), one, zero), VD::select(VD::lt(x, zero), one, zero));
    return VD::select(VD::isnan(x), x, r);
  }
};

// Whole vectors where the row is contiguous; strided rows and the tail go through a vector's
// worth of copies, so every element takes the same arithmetic.
template <class Op>
void vector_row_f64(int64_t n, const double* x, int64_t sx, double* out, int64_t so) {
  constexpr int W = VD::width;
  int64_t i = 0;
  if (sx == 1 && so == 1) {
    for (; i + W <= n; i += W) VD::store(out + i, Op::vec(VD::load(x + i)));
  }
  for (; i < n; i += W) {
    const int64_t m = n - i < W ? n - i : W;
    double t[W] = {};
    for (int64_t j = 0; j < m; ++j) t[j] = x[(i + j) * sx];
    VD::store(t, Op::vec(VD::load(t)));
    for (int64_t j = 0; j < m; ++j) out[(i + j) * so] = t[j];
  }
}

void fill_unary_rows_f64(UnaryKernels* k) {
  UnaryRowF64Fn* r = k->row_f64;
  r[static_cast<int>(UnaryOp::Neg)] = vector_row_f64<NegD>;
  r[static_cast<int>(UnaryOp::Abs)] = vector_row_f64<AbsD>;
  r[static_cast<int>(UnaryOp::Exp)] = vector_row_f64<ExpD>;
  r[static_cast<int>(UnaryOp::Log)] = libm_row_f64<log_d>;
  r[static_cast<int>(UnaryOp::Sqrt)] = vector_row_f64<SqrtD>;
  r[static_cast<int>(UnaryOp::Rsqrt)] = vector_row_f64<RsqrtD>;
  r[static_cast<int>(UnaryOp::Sin)] = libm_row_f64<sin_d>;
  r[static_cast<int>(UnaryOp::Cos)] = libm_row_f64<cos_d>;
  r[static_cast<int>(UnaryOp::Tanh)] = libm_row_f64<tanh_d>;
  r[static_cast<int>(UnaryOp::Sigmoid)] = libm_row_f64<sigmoid_d>;
  r[static_cast<int>(UnaryOp::Relu)] = vector_row_f64<ReluD>;
  r[static_cast<int>(UnaryOp::Log1p)] = libm_row_f64<log1p_d>;
  r[static_cast<int>(UnaryOp::Expm1)] = libm_row_f64<expm1_d>;
  r[static_cast<int>(UnaryOp::Sign)] = vector_row_f64<SignD>;
  r[static_cast<int>(UnaryOp::Erf)] = libm_row_f64<erf_d>;
}
