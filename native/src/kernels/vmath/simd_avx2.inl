// The AVX2+FMA vector type V (8 floats a register) that the vector math (vmath.inl) and the
// row kernels are written over. Included inside an anonymous namespace by each AVX2 kernel file
// (compiled with -mavx2 -mfma), so nothing is shared with objects of another ISA.
struct V {
  using elem = float;
  using reg = __m256;
  using ireg = __m256i;
  using mask = __m256;  // all-ones lanes
  static constexpr int width = 8;
  static reg load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, reg v) { _mm256_storeu_ps(p, v); }
  static reg set1(float x) { return _mm256_set1_ps(x); }
  static ireg iset1(int32_t x) { return _mm256_set1_epi32(x); }
  static reg add(reg a, reg b) { return _mm256_add_ps(a, b); }
  static reg sub(reg a, reg b) { return _mm256_sub_ps(a, b); }
  static reg mul(reg a, reg b) { return _mm256_mul_ps(a, b); }
  static reg div(reg a, reg b) { return _mm256_div_ps(a, b); }
  static reg sqrt(reg a) { return _mm256_sqrt_ps(a); }
  static reg fmadd(reg a, reg b, reg c) { return _mm256_fmadd_ps(a, b, c); }
  static reg fnmadd(reg a, reg b, reg c) { return _mm256_fnmadd_ps(a, b, c); }
  static reg fmsub(reg a, reg b, reg c) { return _mm256_fmsub_ps(a, b, c); }
  static reg min(reg a, reg b) { return _mm256_min_ps(a, b); }
  static reg max(reg a, reg b) { return _mm256_max_ps(a, b); }
  // NaN-propagating max/min (torch.maximum semantics): max_ps(a, b) yields b when either is
  // NaN, so a is put back where a is NaN.
  static reg max_nan(reg a, reg b) { return select(isnan(a), a, max(a, b)); }
  static reg min_nan(reg a, reg b) { return select(isnan(a), a, min(a, b)); }
  static reg and_(reg a, reg b) { return _mm256_and_ps(a, b); }
  static reg or_(reg a, reg b) { return _mm256_or_ps(a, b); }
  static reg xor_(reg a, reg b) { return _mm256_xor_ps(a, b); }
  static reg andnot(reg a, reg b) { return _mm256_andnot_ps(a, b); }
  static mask lt(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static mask le(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static mask gt(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static mask ge(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_GE_OQ); }
  static mask eq(reg a, reg b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
  static mask isnan(reg a) { return _mm256_cmp_ps(a, a, _CMP_UNORD_Q); }
  static bool any(mask m) { return _mm256_movemask_ps(m) != 0; }
  static reg select(mask m, reg a, reg b) { return _mm256_blendv_ps(b, a, m); }
  static ireg as_int(reg a) { return _mm256_castps_si256(a); }
  static reg as_float(ireg a) { return _mm256_castsi256_ps(a); }
  static reg to_float(ireg a) { return _mm256_cvtepi32_ps(a); }
  static ireg i_add(ireg a, ireg b) { return _mm256_add_epi32(a, b); }
  static ireg i_sub(ireg a, ireg b) { return _mm256_sub_epi32(a, b); }
  static ireg i_and(ireg a, ireg b) { return _mm256_and_si256(a, b); }
  static ireg i_min(ireg a, ireg b) { return _mm256_min_epi32(a, b); }
  template <int N>
  static ireg shl(ireg a) {
    return _mm256_slli_epi32(a, N);
  }
  template <int N>
  static ireg sar(ireg a) {
    return _mm256_srai_epi32(a, N);
  }
  static mask test_bits(ireg a, ireg bits) {
    return _mm256_castsi256_ps(_mm256_cmpeq_epi32(_mm256_and_si256(a, bits), bits));
  }
  // Horizontal reductions of one register.
  static float hsum(reg v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
  }
  static float hmax(reg v) {
    __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    m = _mm_max_ps(m, _mm_movehl_ps(m, m));
    m = _mm_max_ss(m, _mm_movehdup_ps(m));
    return _mm_cvtss_f32(m);
  }
  static float first(reg v) { return _mm256_cvtss_f32(v); }
  // Row tails. The first n floats at p (0 <= n <= width) in the low lanes, `fill` in the others;
  // nothing past p[n - 1] is read.
  static reg load_first(const float* p, int64_t n, float fill) {
    const __m256i lanes =
        _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, lanes), _mm256_castsi256_ps(lanes));
  }
  // The first n lanes of v (0 <= n <= width) to p; nothing past p[n - 1] is written. Plain 16-,
  // 8- and 4-byte stores: vmaskmovps stores are slow on AMD cores.
  static void store_first(float* p, int64_t n, reg v) {
    if (n >= 8) {
      _mm256_storeu_ps(p, v);
      return;
    }
    __m128 x = _mm256_castps256_ps128(v);
    if (n >= 4) {
      _mm_storeu_ps(p, x);
      p += 4;
      n -= 4;
      x = _mm256_extractf128_ps(v, 1);
    }
    if (n >= 2) {
      _mm_storel_pi(reinterpret_cast<__m64*>(p), x);
      p += 2;
      n -= 2;
      x = _mm_movehl_ps(x, x);
    }
    if (n >= 1) _mm_store_ss(p, x);
  }
};
