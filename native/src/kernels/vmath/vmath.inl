// Vector float32 math, written once over a vector type V and compiled once per ISA: exp, expm1,
// log, log1p, sin, cos, tanh, sigmoid, erf. Included by the <family>_<isa>.cpp kernel files
// inside an anonymous namespace after kernels/vmath/simd_<isa>.inl has defined V.
//
// Method: Cody-Waite range reduction (with FMA the first step is exact) and minimax polynomials
// fitted for these ranges, coefficients rounded to float32 one at a time with the rest refitted.
// Every function handles the whole float range: +-0, denormals, +-inf and NaN (returned as is);
// sin and cos of |x| >= 2^21 go lane by lane through libm (Payne-Hanek reduction).
// Accuracy (checked over every float): within 1 ulp of the exact value (sigmoid 1.5), within 1
// ulp of glibc; test/native/unary.test.ts holds the figures and the sweep that checks them.

using vreg = V::reg;
using ireg = V::ireg;
using vmask = V::mask;

constexpr float kLog2e = 0x1.715476p+0f;
constexpr float kLn2Hi = 0x1.62e430p-1f;    // float nearest ln 2
constexpr float kLn2Lo = -0x1.05c610p-29f;  // ln 2 - kLn2Hi
// Added to |v| < 2^22, rounds v to an integer that then sits in the low mantissa bits.
constexpr float kRoundMagic = 0x1.8p23f;
constexpr int32_t kRoundMagicBits = 0x4b400000;
constexpr float kInf = __builtin_inff();
constexpr float kNaN = __builtin_nanf("");

inline vreg vabs(vreg x) { return V::andnot(V::set1(-0.0f), x); }
inline vreg sign_bit(vreg x) { return V::and_(x, V::set1(-0.0f)); }
// NaN inputs come back unchanged (payload included), whatever the approximation made of them.
inline vreg keep_nan(vreg x, vreg y) { return V::select(V::isnan(x), x, y); }

// Q(r) with expm1(r) = r + r^2 Q(r) for |r| <= ln2/2: minimax degree 7, relative error 2^-31.
inline vreg expm1_q(vreg r) {
  vreg q = V::set1(0x1.9e66b8p-13f);
  q = V::fmadd(q, r, V::set1(0x1.6d3a24p-10f));
  q = V::fmadd(q, r, V::set1(0x1.1112dep-7f));
  q = V::fmadd(q, r, V::set1(0x1.5554f8p-5f));
  q = V::fmadd(q, r, V::set1(0x1.555554p-3f));
  return V::fmadd(q, r, V::set1(0.5f));
}

// exp(r) = (1 + r) + r^2 Q(r) with 1 + r carried in two parts (Fast2Sum, |r| < 1), so only
// the last add rounds a value near 1.
inline vreg exp_poly(vreg r) {
  const vreg one = V::set1(1.0f);
  const vreg s = V::add(one, r);
  const vreg s_lo = V::sub(r, V::sub(s, one));
  return V::add(s, V::fmadd(V::mul(r, r), expm1_q(r), s_lo));
}

// x = n ln2 + r, |r| <= ln2/2, for |x| <= 104. The first FMA step is exact: x and n*kLn2Hi are
// multiples of 2^-25 when n != 0, and |x - n*kLn2Hi| < 1/2.
struct ExpReduced {
  vreg r;
  ireg n;
};
inline ExpReduced exp_reduce(vreg x) {
  const vreg t = V::fmadd(x, V::set1(kLog2e), V::set1(kRoundMagic));
  const vreg n = V::sub(t, V::set1(kRoundMagic));
  vreg r = V::fnmadd(n, V::set1(kLn2Hi), x);
  r = V::fnmadd(n, V::set1(kLn2Lo), r);
  return {r, V::i_sub(V::as_int(t), V::iset1(kRoundMagicBits))};
}

// 2^n as a float, for n in [-126, 127].
inline vreg pow2i(ireg n) { return V::as_float(V::template shl<23>(V::i_add(n, V::iset1(127)))); }

inline vreg v_exp(vreg x) {
  // Beyond [-104, 89] the result is 0 or inf; clamping keeps n in [-150, 129].
  const vreg xc = V::min(V::max(x, V::set1(-104.0f)), V::set1(89.0f));
  const ExpReduced e = exp_reduce(xc);
  const vreg y = exp_poly(e.r);
  // Scale by 2^n as two normal factors: the first product is exact, the second rounds once,
  // into the denormals (correctly, from y) or to inf.
  const ireg n1 = V::template sar<1>(e.n);
  return keep_nan(x, V::mul(V::mul(y, pow2i(n1)), pow2i(V::i_sub(e.n, n1))));
}

inline vreg v_expm1(vreg x) {
  // Below -18 the result rounds to -1; above 89 it is inf. n stays in [-26, 129].
  const vreg xc = V::min(V::max(x, V::set1(-18.0f)), V::set1(89.0f));
  const ExpReduced e = exp_reduce(xc);
  // expm1(x) = 2^n (1 + r + r^2 Q) - 1 = 2 (s r + a + s r^2 Q) with s = 2^(n-1) (normal even for
  // n = 128) and a = s - 1/2, exact up to n = 24; from there on the -1 moves into the small
  // term instead: a = s, r^2 Q - 2^-n. s r + a is carried in two parts (TwoSum; s r is exact),
  // so only the last add rounds a large value.
  const vreg s = pow2i(V::i_sub(e.n, V::iset1(1)));
  const vmask big = V::gt(xc, V::set1(16.5f));  // n >= 24
  const vreg a = V::select(big, s, V::sub(s, V::set1(0.5f)));
  const vreg c = V::select(big, pow2i(V::i_sub(V::iset1(0), V::i_min(e.n, V::iset1(126)))), V::set1(0.0f));
  const vreg sr = V::mul(s, e.r);
  const vreg h = V::add(sr, a);
  const vreg a_part = V::sub(h, sr);
  const vreg sr_part = V::sub(h, a_part);
  const vreg h_lo = V::add(V::sub(sr, sr_part), V::sub(a, a_part));
  const vreg small = V::fmsub(V::mul(e.r, e.r), expm1_q(e.r), c);
  vreg y = V::mul(V::add(h, V::fmadd(s, small, h_lo)), V::set1(2.0f));
  // |x| < 2^-25: expm1(x) rounds to x (this also keeps the sign of -0 and the denormals).
  y = V::select(V::lt(vabs(x), V::set1(0x1p-25f)), x, y);
  return keep_nan(x, y);
}

// log(1 + f) + c for f in [sqrt(1/2) - 1, sqrt(2) - 1] and a small correction c:
// f + (f^2 Q(f) + c), minimax degree 10, relative error 2^-27.4.
inline vreg log1p_poly(vreg f, vreg c) {
  vreg q = V::set1(-0x1.38c910p-4f);
  q = V::fmadd(q, f, V::set1(0x1.055e62p-3f));
  q = V::fmadd(q, f, V::set1(-0x1.0d8232p-3f));
  q = V::fmadd(q, f, V::set1(0x1.22d936p-3f));
  q = V::fmadd(q, f, V::set1(-0x1.54728cp-3f));
  q = V::fmadd(q, f, V::set1(0x1.99a01cp-3f));
  q = V::fmadd(q, f, V::set1(-0x1.000226p-2f));
  q = V::fmadd(q, f, V::set1(0x1.555554p-2f));
  q = V::fmadd(q, f, V::set1(-0.5f));
  return V::add(f, V::fmadd(V::mul(f, f), q, c));
}

// A positive normal x as 2^e m with m in [sqrt(1/2), sqrt(2)); returns m - 1 (exact).
inline vreg log_split(vreg x, ireg* e) {
  const ireg tmp = V::i_sub(V::as_int(x), V::iset1(0x3f3504f3));  // bits of sqrt(1/2)
  *e = V::template sar<23>(tmp);
  const vreg m = V::as_float(V::i_sub(V::as_int(x), V::i_and(tmp, V::iset1(-0x800000))));
  return V::sub(m, V::set1(1.0f));
}

// e ln2 + l, with e ln2 carried in two parts.
inline vreg add_e_ln2(vreg e, vreg l) { return V::fmadd(e, V::set1(kLn2Hi), V::fmadd(e, V::set1(kLn2Lo), l)); }

inline vreg v_log(vreg x) {
  // Denormals: scale into the normals first.
  const vmask denormal = V::lt(x, V::set1(0x1p-126f));
  const vreg xs = V::select(denormal, V::mul(x, V::set1(0x1p23f)), x);
  ireg e;
  const vreg f = log_split(xs, &e);
  const vreg ef = V::sub(V::to_float(e), V::select(denormal, V::set1(23.0f), V::set1(0.0f)));
  vreg y = add_e_ln2(ef, log1p_poly(f, V::set1(0.0f)));
  y = V::select(V::lt(x, V::set1(0.0f)), V::set1(kNaN), y);
  y = V::select(V::eq(x, V::set1(0.0f)), V::set1(-kInf), y);
  y = V::select(V::eq(x, V::set1(kInf)), x, y);
  return keep_nan(x, y);
}

inline vreg v_log1p(vreg x) {
  const vreg one = V::set1(1.0f);
  const vreg u = V::add(one, x);  // >= 2^-24 when x > -1: always normal
  ireg e;
  const vreg f = log_split(u, &e);
  // u is 1 + x rounded; its rounding error (exact by Fast2Sum, the larger operand first) adds
  // err / u to log(u).
  const vreg err = V::select(V::gt(x, one), V::sub(one, V::sub(u, x)), V::sub(x, V::sub(u, one)));
  vreg y = add_e_ln2(V::to_float(e), log1p_poly(f, V::div(err, u)));
  // |x| < 2^-25: log1p(x) rounds to x (keeps -0 and the denormals).
  y = V::select(V::lt(vabs(x), V::set1(0x1p-25f)), x, y);
  y = V::select(V::lt(x, V::set1(-1.0f)), V::set1(kNaN), y);
  y = V::select(V::eq(x, V::set1(-1.0f)), V::set1(-kInf), y);
  y = V::select(V::eq(x, V::set1(kInf)), x, y);
  return keep_nan(x, y);
}

// sin(rh + rl) = rh + (rl + rh^3 S(rh^2)), |r| <= pi/4, minimax degree 9, relative error 2^-32.
inline vreg sin_poly(vreg rh, vreg rl, vreg r2) {
  vreg s = V::set1(0x1.7c2c4ep-19f);
  s = V::fmadd(s, r2, V::set1(-0x1.a05954p-13f));
  s = V::fmadd(s, r2, V::set1(0x1.111174p-7f));
  s = V::fmadd(s, r2, V::set1(-0x1.555556p-3f));
  return V::add(rh, V::fmadd(V::mul(rh, r2), s, rl));
}

// cos(rh + rl) = 1 - rh^2/2 + rh^4 C(rh^2) - rh rl, |r| <= pi/4, minimax degree 8, relative
// error 2^-33. 1 - rh^2/2 is carried in two parts (w + werr - hz_lo), so only the last add rounds
// a large value.
inline vreg cos_poly(vreg rh, vreg rl, vreg r2) {
  vreg c = V::set1(0x1.99e80cp-16f);
  c = V::fmadd(c, r2, V::set1(-0x1.6c0c28p-10f));
  c = V::fmadd(c, r2, V::set1(0x1.55554ap-5f));
  const vreg tail = V::fnmadd(rh, rl, V::mul(V::mul(r2, r2), c));
  const vreg half_rh = V::mul(rh, V::set1(0.5f));
  const vreg hz = V::mul(half_rh, rh);
  const vreg hz_lo = V::fmsub(half_rh, rh, hz);  // rh^2/2 = hz + hz_lo exactly
  const vreg one = V::set1(1.0f);
  const vreg w = V::sub(one, hz);
  const vreg werr = V::sub(V::sub(one, w), hz);  // 1 - hz = w + werr exactly (Fast2Sum)
  return V::add(w, V::add(V::sub(werr, hz_lo), tail));
}

// Lanes with |x| >= kTrigMax (and inf) take libm's sinf/cosf (Payne-Hanek reduction). Below it
// the first reduction step |x| - n p1 is exact (both multiples of 2^-24, the difference under
// 1), which the three-part pi/2 relies on.
constexpr float kTrigMax = 0x1p21f;

// sin(x) (kCos false) or cos(x): quadrant k = round(|x| 2/pi), r = |x| - k pi/2.
template <bool kCos>
inline vreg v_sincos(vreg x) {
  const vreg ax = vabs(x);
  const vreg t = V::fmadd(ax, V::set1(0x1.45f306p-1f), V::set1(kRoundMagic));
  const vreg n = V::sub(t, V::set1(kRoundMagic));
  // r = rh + rl. r1 is exact; n p2 = ph + pl exactly; rh = r1 - ph and its rounding error
  // (TwoSum: r1 may be tiny next to ph near multiples of pi/2), then the third part of pi/2.
  const vreg pio2_2 = V::set1(-0x1.777a5cp-25f);
  const vreg r1 = V::fnmadd(n, V::set1(0x1.921fb6p+0f), ax);
  const vreg ph = V::mul(n, pio2_2);
  const vreg pl = V::fmsub(n, pio2_2, ph);
  const vreg rh = V::sub(r1, ph);
  const vreg b = V::sub(rh, r1);  // the part of -ph that made it into rh
  const vreg err = V::sub(V::sub(r1, V::sub(rh, b)), V::add(ph, b));
  const vreg rl = V::fnmadd(n, V::set1(-0x1.ee59dap-50f), V::sub(err, pl));
  ireg k = V::as_int(t);                   // its low bits are n's
  if (kCos) k = V::i_add(k, V::iset1(1));  // cos(x) = sin(x + pi/2)
  const vreg r2 = V::mul(rh, rh);
  // Quadrant k: sin r, cos r, -sin r, -cos r.
  vreg y = V::select(V::test_bits(k, V::iset1(1)), cos_poly(rh, rl, r2), sin_poly(rh, rl, r2));
  y = V::xor_(y, V::as_float(V::template shl<30>(V::i_and(k, V::iset1(2)))));
  if (!kCos) y = V::xor_(y, sign_bit(x));  // sin is odd
  const vmask large = V::ge(ax, V::set1(kTrigMax));
  if (V::any(large)) {  // rare: huge arguments and inf go lane by lane through libm
    alignas(64) float xs[V::width], ys[V::width];
    V::store(xs, x);
    V::store(ys, y);
    for (int i = 0; i < V::width; ++i)
      if (fabsf(xs[i]) >= kTrigMax) ys[i] = kCos ? cosf(xs[i]) : sinf(xs[i]);
    y = V::load(ys);
  }
  return y;  // NaN went through the arithmetic as NaN
}

// tanh(x) = x + x^3 T(x^2) below atanh(1/2) (minimax degree 11, relative error 2^-29.7), else
// 1 - 2 / (exp(2|x|) + 1), which loses nothing to cancellation once tanh >= 1/2.
inline vreg v_tanh(vreg x) {
  const vreg ax = vabs(x);
  const vreg x2 = V::mul(ax, ax);
  vreg t = V::set1(-0x1.9921a2p-8f);
  t = V::fmadd(t, x2, V::set1(0x1.58e518p-6f));
  t = V::fmadd(t, x2, V::set1(-0x1.b91e7ep-5f));
  t = V::fmadd(t, x2, V::set1(0x1.110ceep-3f));
  t = V::fmadd(t, x2, V::set1(-0x1.55554ap-2f));
  vreg y = V::fmadd(V::mul(ax, x2), t, ax);
  const vmask large = V::ge(ax, V::set1(0x1.193ea8p-1f));  // atanh(1/2) rounded up
  if (V::any(large)) {
    // q = 2 / (e + 1) plus the rounding errors of e + 1 (Fast2Sum) and of the division (FMA
    // residual, with 1/d = q/2); then 1 - q in two parts, so only the last add rounds.
    const vreg one = V::set1(1.0f), two = V::set1(2.0f);
    // In [3, e^40]: tanh rounds to 1 long before, and e + 1 stays finite.
    const vreg e = v_exp(V::min(V::add(ax, ax), V::set1(40.0f)));
    const vreg d = V::add(e, one);
    const vreg d_lo = V::sub(one, V::sub(d, e));
    const vreg q = V::div(two, d);
    const vreg q_lo = V::mul(V::fnmadd(q, d_lo, V::fnmadd(q, d, two)), V::mul(q, V::set1(0.5f)));
    const vreg w = V::sub(one, q);
    const vreg w_lo = V::sub(V::sub(one, w), q);
    y = V::select(large, V::add(w, V::sub(w_lo, q_lo)), y);
  }
  return keep_nan(x, V::or_(y, sign_bit(x)));
}

// 1 / (1 + exp(-x)) for x >= 0, exp(x) / (1 + exp(x)) below: exp never overflows, and tiny
// results (denormals included) keep their accuracy. The rounding errors of 1 + e (Fast2Sum) and
// of the division (FMA residual) are added back before the one final rounding:
// num / (d + d_lo) = q + (num - q d - q d_lo) / d, where 1/d is q (x >= 0) or 1 - q (x < 0).
inline vreg v_sigmoid(vreg x) {
  const vreg one = V::set1(1.0f);
  const vreg e = v_exp(V::or_(x, V::set1(-0.0f)));  // exp(-|x|), in [0, 1]
  const vmask nonneg = V::ge(x, V::set1(0.0f));
  const vreg num = V::select(nonneg, one, e);
  const vreg d = V::add(one, e);
  const vreg d_lo = V::sub(e, V::sub(d, one));
  const vreg q = V::div(num, d);
  const vreg resid = V::fnmadd(q, d_lo, V::fnmadd(q, d, num));
  const vreg inv_d = V::select(nonneg, q, V::sub(one, q));
  return keep_nan(x, V::fmadd(resid, inv_d, q));
}

// erf(x) = x + x E(x^2) for |x| < 1 (minimax degree 13, relative error 2^-29), else
// 1 - exp(-x^2) R(|x|) with R ~ erfc(x) exp(x^2) a minimax polynomial in |x| - 2.5 on [1, 4]
// (weighted: its error stays under 0.05 ulp of erf); erf(x) rounds to 1 beyond 4.
inline vreg v_erf(vreg x) {
  const vreg one = V::set1(1.0f);
  const vreg ax = vabs(x);
  const vreg x2 = V::mul(ax, ax);
  vreg p = V::set1(0x1.4771fep-14f);
  p = V::fmadd(p, x2, V::set1(-0x1.a3515ep-11f));
  p = V::fmadd(p, x2, V::set1(0x1.53f224p-8f));
  p = V::fmadd(p, x2, V::set1(-0x1.b7f71ap-6f));
  p = V::fmadd(p, x2, V::set1(0x1.ce2ce6p-4f));
  p = V::fmadd(p, x2, V::set1(-0x1.81273ep-2f));
  p = V::fmadd(p, x2, V::set1(0x1.06eba8p-3f));
  vreg y = V::fmadd(ax, p, ax);
  const vmask tail = V::ge(ax, one);
  if (V::any(tail)) {
    const vreg z = V::min(ax, V::set1(4.0f));
    const vreg t = V::sub(z, V::set1(2.5f));
    vreg r = V::set1(0x1.c014a2p-14f);
    r = V::fmadd(r, t, V::set1(0x1.d7dc0ep-13f));
    r = V::fmadd(r, t, V::set1(0x1.1cce88p-11f));
    r = V::fmadd(r, t, V::set1(-0x1.5a9a9cp-11f));
    r = V::fmadd(r, t, V::set1(0x1.2dd2c6p-9f));
    r = V::fmadd(r, t, V::set1(-0x1.0a781ap-7f));
    r = V::fmadd(r, t, V::set1(0x1.98340cp-6f));
    r = V::fmadd(r, t, V::set1(-0x1.308168p-4f));
    r = V::fmadd(r, t, V::set1(0x1.afbbe6p-3f));
    const vreg e = v_exp(V::xor_(V::mul(z, z), V::set1(-0.0f)));
    y = V::select(tail, V::fnmadd(e, r, one), y);
  }
  return keep_nan(x, V::or_(y, sign_bit(x)));
}
