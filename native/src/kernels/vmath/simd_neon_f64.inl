// The arm64 NEON float64 vector type VD (2 doubles a register) of the float64 row kernels.
// Included inside an anonymous namespace by each NEON kernel file. min and max follow x86's
// order (the second operand when either is NaN, and for +0 vs -0), as V's do.
struct VD {
  using elem = double;
  using reg = float64x2_t;
  using mask = uint64x2_t;  // all-ones lanes
  static constexpr int width = 2;
  static reg load(const double* p) { return vld1q_f64(p); }
  static void store(double* p, reg v) { vst1q_f64(p, v); }
  static reg set1(double x) { return vdupq_n_f64(x); }
  static reg add(reg a, reg b) { return vaddq_f64(a, b); }
  static reg sub(reg a, reg b) { return vsubq_f64(a, b); }
  static reg mul(reg a, reg b) { return vmulq_f64(a, b); }
  static reg div(reg a, reg b) { return vdivq_f64(a, b); }
  // What vmath_f64.inl needs beyond the row kernels: fused multiply-add, plain min/max (either
  // operand's choice for NaN: vd_exp puts NaN back), and 2^n for a double n holding an integer in
  // [-1022, 1023] (n + 1023 written into the exponent field, read from n + 2^52 + 2^51).
  static reg fmadd(reg a, reg b, reg c) { return vfmaq_f64(c, a, b); }
  static reg min(reg a, reg b) { return vminq_f64(a, b); }
  static reg max(reg a, reg b) { return vmaxq_f64(a, b); }
  static reg pow2(reg n) {
    const int64x2_t bits = vreinterpretq_s64_f64(vaddq_f64(n, vdupq_n_f64(0x1.8p52)));
    return vreinterpretq_f64_s64(vshlq_n_s64(vaddq_s64(bits, vdupq_n_s64(1023)), 52));
  }
  static reg max_nan(reg a, reg b) { return select(isnan(a), a, vbslq_f64(vcgtq_f64(a, b), a, b)); }
  static reg min_nan(reg a, reg b) { return select(isnan(a), a, vbslq_f64(vcltq_f64(a, b), a, b)); }
  static mask le(reg a, reg b) { return vcleq_f64(a, b); }
  static mask isnan(reg a) { return vreinterpretq_u64_u32(vmvnq_u32(vreinterpretq_u32_u64(vceqq_f64(a, a)))); }
  static reg select(mask m, reg a, reg b) { return vbslq_f64(m, a, b); }
  static reg sqrt(reg a) { return vsqrtq_f64(a); }
  static reg neg(reg a) { return vnegq_f64(a); }  // flips the sign bit, NaN's too
  static reg abs(reg a) { return vabsq_f64(a); }
  static mask lt(reg a, reg b) { return vcltq_f64(a, b); }
  static mask gt(reg a, reg b) { return vcgtq_f64(a, b); }
  // A row's tail: the first n doubles at p (0 <= n <= width), `fill` in the other lanes;
  // nothing past p[n - 1] is read.
  static reg load_first(const double* p, int64_t n, double fill) {
    return vcombine_f64(vdup_n_f64(n > 0 ? p[0] : fill), vdup_n_f64(n > 1 ? p[1] : fill));
  }
};
