// The AVX-512 vector type V (16 floats a register) that the vector math (vmath.inl) and the
// row kernels are written over. Included inside an anonymous namespace by each AVX-512 kernel
// file (compiled with the AVX-512 flags), so nothing is shared with objects of another ISA.
struct V {
  using elem = float;
  using reg = __m512;
  using ireg = __m512i;
  using mask = __mmask16;
  static constexpr int width = 16;
  static reg load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, reg v) { _mm512_storeu_ps(p, v); }
  static reg set1(float x) { return _mm512_set1_ps(x); }
  static ireg iset1(int32_t x) { return _mm512_set1_epi32(x); }
  static reg add(reg a, reg b) { return _mm512_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm512_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm512_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm512_div_ps(a, b); }
  static reg sqrt(reg a) { return _mm512_sqrt_ps(a); }
  static reg fmadd(reg a, reg b, reg c) { return _mm512_fmadd_ps(a, b, c); }
  static reg fnmadd(reg a, reg b, reg c) { return _mm512_fnmadd_ps(a, b, c); }
  static reg fmsub(reg a, reg b, reg c) { return _mm512_fmsub_ps(a, b, c); }
  static reg min(reg a, reg b) { return _mm512_min_ps(a, b); }
  static reg max(reg a, reg b) { return _mm512_max_ps(a, b); }
  // NaN-propagating max/min (torch.maximum semantics): max_ps(a, b) yields b when either is
  // NaN, so a is put back where a is NaN.
  static reg max_nan(reg a, reg b) { return select(isnan(a), a, max(a, b)); }
  static reg min_nan(reg a, reg b) { return select(isnan(a), a, min(a, b)); }
  static reg and_(reg a, reg b) { return _mm512_and_ps(a, b); }
  static reg or_(reg a, reg b) { return _mm512_or_ps(a, b); }
  static reg xor_(reg a, reg b) { return _mm512_xor_ps(a, b); }
  static reg andnot(reg a, reg b) { return _mm512_andnot_ps(a, b); }
  static mask lt(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static mask le(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static mask gt(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static mask ge(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_GE_OQ); }
  static mask eq(reg a, reg b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
  static mask isnan(reg a) { return _mm512_cmp_ps_mask(a, a, _CMP_UNORD_Q); }
  static bool any(mask m) { return m != 0; }
  static reg select(mask m, reg a, reg b) { return _mm512_mask_blend_ps(m, b, a); }
  static ireg as_int(reg a) { return _mm512_castps_si512(a); }
  static reg as_float(ireg a) { return _mm512_castsi512_ps(a); }
  static reg to_float(ireg a) { return _mm512_cvtepi32_ps(a); }
  static ireg i_add(ireg a, ireg b) { return _mm512_add_epi32(a, b); }
  static ireg i_sub(ireg a, ireg b) { return _mm512_sub_epi32(a, b); }
  static ireg i_and(ireg a, ireg b) { return _mm512_and_si512(a, b); }
  static ireg i_min(ireg a, ireg b) { return _mm512_min_epi32(a, b); }
  template <int N>
  static ireg shl(ireg a) {
    return _mm512_slli_epi32(a, N);
  }
  template <int N>
  static ireg sar(ireg a) {
    return _mm512_srai_epi32(a, N);
  }
  static mask test_bits(ireg a, ireg bits) { return _mm512_test_epi32_mask(a, bits); }
  // Horizontal reductions of one register.
  static float hsum(reg v) { return _mm512_reduce_add_ps(v); }
  static float hmax(reg v) { return _mm512_reduce_max_ps(v); }
  static float first(reg v) { return _mm512_cvtss_f32(v); }
  // Row tails. The first n floats at p (0 <= n <= width) in the low lanes, `fill` in the others;
  // nothing past p[n - 1] is read.
  static reg load_first(const float* p, int64_t n, float fill) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(fill), first_lanes(n), p);
  }
  // The first n lanes of v (0 <= n <= width) to p; nothing past p[n - 1] is written.
  static void store_first(float* p, int64_t n, reg v) { _mm512_mask_storeu_ps(p, first_lanes(n), v); }

 private:
  static __mmask16 first_lanes(int64_t n) { return static_cast<__mmask16>(n >= 16 ? 0xFFFFu : (1u << n) - 1u); }
};
