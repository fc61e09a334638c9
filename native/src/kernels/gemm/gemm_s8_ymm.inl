// The 256-bit vector type of the u8 x s8 GEMM template (gemm_s8_tile.inl) without its dot
// product: each 256-bit ISA file (AVX2, AVX-VNNI) derives its V from Ymm, adds dp, and includes
// this inside its anonymous namespace, so each compiles it with its own level's flags.
struct Ymm {
  using reg = __m256i;
  using freg = __m256;
  static constexpr int width = 8;
  // The first n lanes (n clamped to [0, 8]) as a vector mask.
  static reg mask(int n) { return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7)); }
  static reg zero() { return _mm256_setzero_si256(); }
  static reg load(const uint32_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }
  static reg bcast(uint32_t w) { return _mm256_set1_epi32(static_cast<int>(w)); }
  static reg add(reg a, reg b) { return _mm256_add_epi32(a, b); }
  static reg sub(reg a, reg b) { return _mm256_sub_epi32(a, b); }
  static reg mullo(reg a, reg b) { return _mm256_mullo_epi32(a, b); }
  static reg set1(int32_t x) { return _mm256_set1_epi32(x); }
  static reg loadi(const int32_t* p, int n) {
    if (n >= 8) return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm256_maskload_epi32(p, mask(n));
  }
  static freg loadf(const float* p, int n) {
    if (n >= 8) return _mm256_loadu_ps(p);
    return _mm256_maskload_ps(p, mask(n));
  }
  static freg cvt(reg x) { return _mm256_cvtepi32_ps(x); }
  static freg fmul(freg a, freg b) { return _mm256_mul_ps(a, b); }
  static freg fadd(freg a, freg b) { return _mm256_add_ps(a, b); }
  static freg fset1(float x) { return _mm256_set1_ps(x); }
  static void storei(int32_t* p, reg x, int n) {
    if (n >= 8) return _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), x);
    _mm256_maskstore_epi32(p, mask(n), x);
  }
  static void storef(float* p, freg x, int n) {
    if (n >= 8) return _mm256_storeu_ps(p, x);
    _mm256_maskstore_ps(p, mask(n), x);
  }
  // clamp(nearbyint(x * inv) + zero, 0, 255); NaN -> 0 (max(NaN, lo) is lo).
  static void store_u8(uint8_t* p, freg x, float inv, int32_t zero, int n) {
    x = _mm256_mul_ps(x, _mm256_set1_ps(inv));
    x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-65536.0f)), _mm256_set1_ps(65536.0f));
    reg q = _mm256_add_epi32(_mm256_cvtps_epi32(x), _mm256_set1_epi32(zero));
    q = _mm256_min_epi32(_mm256_max_epi32(q, _mm256_setzero_si256()), _mm256_set1_epi32(255));
    // 8 int32 in [0, 255] -> 8 bytes: pack to 16 bits, then to 8 (per 128-bit lane), gather lanes.
    const __m128i w = _mm_packus_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    const __m128i b = _mm_packus_epi16(w, w);
    uint8_t bytes[16];
    _mm_storeu_si128(reinterpret_cast<__m128i*>(bytes), b);
    memcpy(p, bytes, static_cast<size_t>(n < 8 ? (n > 0 ? n : 0) : 8));
  }
};
