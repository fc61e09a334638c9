// The AVX-512 float64 vector type VD (8 doubles a register) of the float64 row kernels.
// Included inside an anonymous namespace by each AVX-512 kernel file.
struct VD {
  using elem = double;
  using reg = __m512d;
  using mask = __mmask8;
  static constexpr int width = 8;
  static reg load(const double* p) { return _mm512_loadu_pd(p); }
  static void store(double* p, reg v) { _mm512_storeu_pd(p, v); }
  static reg set1(double x) { return _mm512_set1_pd(x); }
  static reg add(reg a, reg b) { return _mm512_add_pd(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_pd(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_pd(a, b); }
  static reg div(reg a, reg b) { return _mm512_div_pd(a, b); }
  // What vmath_f64.inl needs beyond the row kernels: fused multiply-add, plain min/max (either
  // operand's choice for NaN: vd_exp puts NaN back), and 2^n for a double n holding an integer in
  // [-1022, 1023] (n + 1023 written into the exponent field, read from n + 2^52 + 2^51).
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_pd(a, b, c); }
  static reg min(reg a, reg b) { return _mm512_min_pd(a, b); }
  static reg max(reg a, reg b) { return _mm512_max_pd(a, b); }
  static reg pow2(reg n) {
    const __m512i bits = _mm512_castpd_si512(_mm512_add_pd(n, _mm512_set1_pd(0x1.8p52)));
    return _mm512_castsi512_pd(_mm512_slli_epi64(_mm512_add_epi64(bits, _mm512_set1_epi64(1023)), 52));
  }
  // NaN-propagating max/min (torch.maximum semantics): max_pd(a, b) yields b when either is
  // NaN, so a is put back where a is NaN.
  static reg max_nan(reg a, reg b) { return select(isnan(a), a, _mm512_max_pd(a, b)); }
  static reg min_nan(reg a, reg b) { return select(isnan(a), a, _mm512_min_pd(a, b)); }
  static mask le(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_LE_OQ); }
  static mask isnan(reg a) { return _mm512_cmp_pd_mask(a, a, _CMP_UNORD_Q); }
  static reg select(mask m, reg a, reg b) { return _mm512_mask_blend_pd(m, b, a); }
  static reg sqrt(reg a) { return _mm512_sqrt_pd(a); }
  static reg neg(reg a) { return _mm512_xor_pd(a, _mm512_set1_pd(-0.0)); }  // flips the sign bit, NaN's too
  static reg abs(reg a) { return _mm512_abs_pd(a); }
  static mask lt(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_LT_OQ); }
  static mask gt(reg a, reg b) { return _mm512_cmp_pd_mask(a, b, _CMP_GT_OQ); }
  // A row's tail: the first n doubles at p (0 <= n <= width), `fill` in the other lanes;
  // nothing past p[n - 1] is read.
  static reg load_first(const double* p, int64_t n, double fill) {
    return _mm512_mask_loadu_pd(_mm512_set1_pd(fill), static_cast<__mmask8>(n >= 8 ? 0xFFu : (1u << n) - 1u), p);
  }
};
