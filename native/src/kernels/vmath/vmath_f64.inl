// Vector float64 math, written once over a float64 vector type VD and compiled once per ISA
// (the scalar VD of width 1 included, so every ISA gives the same bits): exp. Included by the
// kernel files inside an anonymous namespace after kernels/vmath/simd_<isa>_f64.inl has defined
// VD (set1, add, sub, mul, fmadd, min, max, isnan, select, pow2).
//
// Method (as vmath.inl's float exp): x = n ln2 + r with |r| <= ln2/2, r carried as r + r_err
// (the first reduction step is exact with FMA, the second's rounding error is kept), then
// exp(r) = (1 + r) + r^2 Q(r) with Q the Taylor series to r^11/13! (truncation below 2^-57
// relative), 1 + r carried in two parts so only the last add rounds a value near 1, and the
// scaling by 2^n split in two normal factors. Every product that feeds a sum is an explicit
// FMA, so the result does not depend on the compiler's contraction. Handles +-0, denormals,
// +-inf and NaN (returned as is). Accuracy: within 1 ulp of the exact value over the whole
// range; test/native/float64_kernels_test.cpp prints the worst error it finds.

constexpr double kLog2eD = 0x1.71547652b82fep+0;
constexpr double kLn2HiD = 0x1.62e42fefp-1;        // ln 2 to 33 bits: n * kLn2HiD is exact for |n| < 2^20
constexpr double kLn2LoD = 0x1.473de6af278edp-34;  // ln 2 - kLn2HiD, to 2^-87
// Added to |v| < 2^51, rounds v to an integer (to nearest, ties to even).
constexpr double kRoundMagicD = 0x1.8p52;

// Q(r) with exp(r) = 1 + r + r^2 Q(r): 1/2! + r/3! + ... + r^11/13!.
inline VD::reg vd_exp_q(VD::reg r) {
  VD::reg q = VD::set1(1.0 / 6227020800.0);  // 1/13!
  q = VD::fmadd(q, r, VD::set1(1.0 / 479001600.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 39916800.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 3628800.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 362880.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 40320.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 5040.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 720.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 120.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 24.0));
  q = VD::fmadd(q, r, VD::set1(1.0 / 6.0));
  return VD::fmadd(q, r, VD::set1(0.5));
}

inline VD::reg vd_exp(VD::reg x) {
  // Beyond [-746, 710] the result is 0 or inf; clamping keeps n in [-1077, 1025].
  const VD::reg xc = VD::min(VD::max(x, VD::set1(-746.0)), VD::set1(710.0));
  const VD::reg n = VD::sub(VD::fmadd(xc, VD::set1(kLog2eD), VD::set1(kRoundMagicD)), VD::set1(kRoundMagicD));
  const VD::reg r_hi = VD::fmadd(n, VD::set1(-kLn2HiD), xc);  // exact: Sterbenz, after an exact product
  const VD::reg r = VD::fmadd(n, VD::set1(-kLn2LoD), r_hi);
  const VD::reg r_err = VD::fmadd(n, VD::set1(-kLn2LoD), VD::sub(r_hi, r));  // (r_hi - n kLn2LoD) - r
  const VD::reg one = VD::set1(1.0);
  const VD::reg s = VD::add(one, r);
  const VD::reg s_lo = VD::sub(r, VD::sub(s, one));  // Fast2Sum: s + s_lo = 1 + r exactly
  // exp(r + r_err) ~ exp(r) (1 + r_err), and exp(r) ~ s at the precision r_err needs.
  const VD::reg y = VD::add(s, VD::fmadd(VD::mul(r, r), vd_exp_q(r), VD::fmadd(r_err, s, s_lo)));
  // 2^n as two normal factors: the first product is exact, the second rounds once, into the
  // denormals (correctly, from y) or to inf.
  const VD::reg n1 = VD::sub(VD::fmadd(n, VD::set1(0.5), VD::set1(kRoundMagicD)), VD::set1(kRoundMagicD));
  const VD::reg e = VD::mul(VD::mul(y, VD::pow2(n1)), VD::pow2(VD::sub(n, n1)));
  return VD::select(VD::isnan(x), x, e);
}
