// The unary row kernels, written once over a vector type V and compiled once per ISA.
// Included by unary_<isa>.cpp inside an anonymous namespace, after that file defines V:
//   V::reg (floats), V::ireg (int32 lanes), V::mask (a lane predicate), V::width;
//   load, store, set1, iset1; add, sub, mul, div, sqrt;
//   fmadd(a,b,c) = a*b+c, fnmadd(a,b,c) = c-a*b, fmsub(a,b,c) = a*b-c;
//   min, max (x86 order: the second operand when either is NaN);
//   and_, or_, xor_, andnot(a,b) = ~a&b; lt, le, gt, ge, eq (ordered), isnan -> mask;
//   any(mask); select(mask, a, b) = mask ? a : b; as_int, as_float (bit casts), to_float
//   (int32 -> float); i_add, i_sub, i_and, i_min, shl<N>, sar<N>; test_bits(a, b) = (a & b) != 0.
// No system includes here: each ISA file brings its own, so nothing is shared across ISA
// objects.

#include "kernels/vmath/vmath.inl"

struct NegOp {
  static vreg vec(vreg x) { return V::xor_(x, V::set1(-0.0f)); }
};
struct AbsOp {
  static vreg vec(vreg x) { return vabs(x); }
};
struct ExpOp {
  static vreg vec(vreg x) { return v_exp(x); }
};
struct LogOp {
  static vreg vec(vreg x) { return v_log(x); }
};
struct SqrtOp {
  static vreg vec(vreg x) { return V::sqrt(x); }
};
struct RsqrtOp {  // 1 / sqrt(x), two roundings like torch (bit-exact with the scalar path)
  static vreg vec(vreg x) { return V::div(V::set1(1.0f), V::sqrt(x)); }
};
struct SinOp {
  static vreg vec(vreg x) { return v_sincos<false>(x); }
};
struct CosOp {
  static vreg vec(vreg x) { return v_sincos<true>(x); }
};
struct TanhOp {
  static vreg vec(vreg x) { return v_tanh(x); }
};
struct SigmoidOp {
  static vreg vec(vreg x) { return v_sigmoid(x); }
};
struct ReluOp {  // max(0, x) in x86 order: x when x is NaN or -0, like torch
  static vreg vec(vreg x) { return V::max(V::set1(0.0f), x); }
};
struct Log1pOp {
  static vreg vec(vreg x) { return v_log1p(x); }
};
struct Expm1Op {
  static vreg vec(vreg x) { return v_expm1(x); }
};
struct SignOp {  // +1, -1, +0 for both zeros, NaN kept
  static vreg vec(vreg x) {
    const vreg zero = V::set1(0.0f), one = V::set1(1.0f);
    const vreg pos = V::select(V::gt(x, zero), one, zero);
    const vreg neg = V::select(V::lt(x, zero), one, zero);
    return keep_nan(x, V::sub(pos, neg));
  }
};
struct ErfOp {
  static vreg vec(vreg x) { return v_erf(x); }
};

// Every element goes through Op::vec, partial vectors and strided runs through a buffer, so an
// element's result never depends on where it sits.
template <class Op>
void unary_row(int64_t n, const float* x, int64_t sx, float* out, int64_t so) {
  constexpr int W = V::width;
  alignas(64) float buf[W];
  if (sx == 0) {  // broadcast input: one value
    V::store(buf, Op::vec(V::set1(*x)));
    const float y = buf[0];
    for (int64_t i = 0; i < n; ++i) out[i * so] = y;
    return;
  }
  int64_t i = 0;
  if (sx == 1 && so == 1) {
    for (; i + W <= n; i += W) V::store(out + i, Op::vec(V::load(x + i)));
  }
  for (; i < n; i += W) {
    const int m = n - i < W ? static_cast<int>(n - i) : W;
    for (int j = 0; j < W; ++j) buf[j] = j < m ? x[(i + j) * sx] : 0.0f;
    V::store(buf, Op::vec(V::load(buf)));
    for (int j = 0; j < m; ++j) out[(i + j) * so] = buf[j];
  }
}

void fill_unary_rows(UnaryKernels* k) {
  UnaryRowFn* r = k->row;
  r[static_cast<int>(UnaryOp::Neg)] = unary_row<NegOp>;
  r[static_cast<int>(UnaryOp::Abs)] = unary_row<AbsOp>;
  r[static_cast<int>(UnaryOp::Exp)] = unary_row<ExpOp>;
  r[static_cast<int>(UnaryOp::Log)] = unary_row<LogOp>;
  r[static_cast<int>(UnaryOp::Sqrt)] = unary_row<SqrtOp>;
  r[static_cast<int>(UnaryOp::Rsqrt)] = unary_row<RsqrtOp>;
  r[static_cast<int>(UnaryOp::Sin)] = unary_row<SinOp>;
  r[static_cast<int>(UnaryOp::Cos)] = unary_row<CosOp>;
  r[static_cast<int>(UnaryOp::Tanh)] = unary_row<TanhOp>;
  r[static_cast<int>(UnaryOp::Sigmoid)] = unary_row<SigmoidOp>;
  r[static_cast<int>(UnaryOp::Relu)] = unary_row<ReluOp>;
  r[static_cast<int>(UnaryOp::Log1p)] = unary_row<Log1pOp>;
  r[static_cast<int>(UnaryOp::Expm1)] = unary_row<Expm1Op>;
  r[static_cast<int>(UnaryOp::Sign)] = unary_row<SignOp>;
  r[static_cast<int>(UnaryOp::Erf)] = unary_row<ErfOp>;
}
