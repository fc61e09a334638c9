// The AVX2 float64 vector type VD (4 doubles a register) of the float64 row kernels. Included
// inside an anonymous namespace by each AVX2 kernel file (compiled with -mavx2 -mfma).
struct VD {
  using elem = double;
  using reg = __m256d;
  using mask = __m256d;  // all-ones lanes
  static constexpr int width = 4;
  static reg load(const double* p) { return _mm256_loadu_pd(p); }
  static void store(double* p, reg v) { _mm256_storeu_pd(p, v); }
  static reg set1(double x) { return _mm256_set1_pd(x); }
  static reg add(reg a, reg b) { return _mm256_add_pd(a, b); }
  static reg sub(reg a, reg b) { return _mm256_sub_pd(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_pd(a, b); }
  static reg div(reg a, reg b) { return _mm256_div_pd(a, b); }
  // What vmath_f64.inl needs beyond the row kernels: fused multiply-add, plain min/max (either
  // operand's choice for NaN: vd_exp puts NaN back), and 2^n for a double n holding an integer in
  // [-1022, 1023] (n + 1023 written into the exponent field, read from n + 2^52 + 2^51).
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_pd(a, b, c); }
  static reg min(reg a, reg b) { return _mm256_min_pd(a, b); }
  static reg max(reg a, reg b) { return _mm256_max_pd(a, b); }
  static reg pow2(reg n) {
    const __m256i bits = _mm256_castpd_si256(_mm256_add_pd(n, _mm256_set1_pd(0x1.8p52)));
    return _mm256_castsi256_pd(_mm256_slli_epi64(_mm256_add_epi64(bits, _mm256_set1_epi64x(1023)), 52));
  }
  // NaN-propagating max/min (torch.maximum semantics): max_pd(a, b) yields b when either is
  // NaN, so a is put back where a is NaN.
  static reg max_nan(reg a, reg b) { return select(isnan(a), a, _mm256_max_pd(a, b)); }
  static reg min_nan(reg a, reg b) { return select(isnan(a), a, _mm256_min_pd(a, b)); }
  static mask le(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_LE_OQ); }
  static mask isnan(reg a) { return _mm256_cmp_pd(a, a, _CMP_UNORD_Q); }
  static reg select(mask m, reg a, reg b) { return _mm256_blendv_pd(b, a, m); }
  static reg sqrt(reg a) { return _mm256_sqrt_pd(a); }
  static reg neg(reg a) { return _mm256_xor_pd(a, _mm256_set1_pd(-0.0)); }  // flips the sign bit, NaN's too
  static reg abs(reg a) { return _mm256_andnot_pd(_mm256_set1_pd(-0.0), a); }
  static mask lt(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_LT_OQ); }
  static mask gt(reg a, reg b) { return _mm256_cmp_pd(a, b, _CMP_GT_OQ); }
  // A row's tail: the first n doubles at p (0 <= n <= width), `fill` in the other lanes;
  // nothing past p[n - 1] is read.
  static reg load_first(const double* p, int64_t n, double fill) {
    const __m256i lanes = _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
    return _mm256_blendv_pd(_mm256_set1_pd(fill), _mm256_maskload_pd(p, lanes), _mm256_castsi256_pd(lanes));
  }
};
