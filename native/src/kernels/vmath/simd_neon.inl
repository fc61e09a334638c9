// The arm64 NEON vector type V (4 floats a register) that the vector math (vmath.inl) and the
// row kernels are written over. Included inside an anonymous namespace by each NEON kernel file
// (NEON is baseline on aarch64: no extra flags), so nothing is shared with other objects.
// min and max follow x86's order (the second operand when either is NaN, and for +0 vs -0),
// not NEON's fmin/fmax, so every ISA gives the same bits where the kernels rely on it.
struct V {
  using elem = float;
  using reg = float32x4_t;
  using ireg = int32x4_t;
  using mask = uint32x4_t;  // all-ones lanes
  static constexpr int width = 4;
  static reg load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, reg v) { vst1q_f32(p, v); }
  static reg set1(float x) { return vdupq_n_f32(x); }
  static ireg iset1(int32_t x) { return vdupq_n_s32(x); }
  static reg add(reg a, reg b) { return vaddq_f32(a, b); }
  static reg sub(reg a, reg b) { return vsubq_f32(a, b); }
  static reg mul(reg a, reg b) { return vmulq_f32(a, b); }
  static reg div(reg a, reg b) { return vdivq_f32(a, b); }
  static reg sqrt(reg a) { return vsqrtq_f32(a); }
  static reg fmadd(reg a, reg b, reg c) { return vfmaq_f32(c, a, b); }
  static reg fnmadd(reg a, reg b, reg c) { return vfmsq_f32(c, a, b); }
  static reg fmsub(reg a, reg b, reg c) { return vfmaq_f32(vnegq_f32(c), a, b); }
  static reg min(reg a, reg b) { return vbslq_f32(vcltq_f32(a, b), a, b); }
  static reg max(reg a, reg b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
  // NaN-propagating max/min (torch.maximum semantics): max(a, b) yields b when either is
  // NaN, so a is put back where a is NaN.
  static reg max_nan(reg a, reg b) { return select(isnan(a), a, max(a, b)); }
  static reg min_nan(reg a, reg b) { return select(isnan(a), a, min(a, b)); }
  static reg and_(reg a, reg b) { return bits(vandq_u32(ubits(a), ubits(b))); }
  static reg or_(reg a, reg b) { return bits(vorrq_u32(ubits(a), ubits(b))); }
  static reg xor_(reg a, reg b) { return bits(veorq_u32(ubits(a), ubits(b))); }
  static reg andnot(reg a, reg b) { return bits(vbicq_u32(ubits(b), ubits(a))); }  // ~a & b
  static mask lt(reg a, reg b) { return vcltq_f32(a, b); }
  static mask le(reg a, reg b) { return vcleq_f32(a, b); }
  static mask gt(reg a, reg b) { return vcgtq_f32(a, b); }
  static mask ge(reg a, reg b) { return vcgeq_f32(a, b); }
  static mask eq(reg a, reg b) { return vceqq_f32(a, b); }
  static mask isnan(reg a) { return vmvnq_u32(vceqq_f32(a, a)); }
  static bool any(mask m) { return vmaxvq_u32(m) != 0; }
  static reg select(mask m, reg a, reg b) { return vbslq_f32(m, a, b); }
  static ireg as_int(reg a) { return vreinterpretq_s32_f32(a); }
  static reg as_float(ireg a) { return vreinterpretq_f32_s32(a); }
  static reg to_float(ireg a) { return vcvtq_f32_s32(a); }
  static ireg i_add(ireg a, ireg b) { return vaddq_s32(a, b); }
  static ireg i_sub(ireg a, ireg b) { return vsubq_s32(a, b); }
  static ireg i_and(ireg a, ireg b) { return vandq_s32(a, b); }
  static ireg i_min(ireg a, ireg b) { return vminq_s32(a, b); }
  template <int N>
  static ireg shl(ireg a) {
    return vshlq_n_s32(a, N);
  }
  template <int N>
  static ireg sar(ireg a) {
    return vshrq_n_s32(a, N);
  }
  static mask test_bits(ireg a, ireg b) { return vtstq_s32(a, b); }
  // Horizontal reductions of one register. hsum adds in x86's order (lanes 0+2, 1+3, then the
  // two), the pairwise tree the AVX versions use within each 128-bit half.
  static float hsum(reg v) {
    const float32x2_t s = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(s, 0) + vget_lane_f32(s, 1);
  }
  static float hmax(reg v) {
    const float32x2_t m = max2(vget_low_f32(v), vget_high_f32(v));
    const float a = vget_lane_f32(m, 0), b = vget_lane_f32(m, 1);
    return a > b ? a : b;
  }
  static float first(reg v) { return vgetq_lane_f32(v, 0); }
  // Row tails (NEON has no masked loads or stores: through a copy on the stack). The first n
  // floats at p (0 <= n <= width) in the low lanes, `fill` in the others; nothing past p[n - 1]
  // is read.
  static reg load_first(const float* p, int64_t n, float fill) {
    float lanes[width] = {fill, fill, fill, fill};
    __builtin_memcpy(lanes, p, static_cast<uint64_t>(n) * sizeof(float));
    return load(lanes);
  }
  // The first n lanes of v (0 <= n <= width) to p; nothing past p[n - 1] is written.
  static void store_first(float* p, int64_t n, reg v) {
    float lanes[width];
    store(lanes, v);
    __builtin_memcpy(p, lanes, static_cast<uint64_t>(n) * sizeof(float));
  }

 private:
  static uint32x4_t ubits(reg a) { return vreinterpretq_u32_f32(a); }
  static reg bits(uint32x4_t a) { return vreinterpretq_f32_u32(a); }
  static float32x2_t max2(float32x2_t a, float32x2_t b) { return vbsl_f32(vcgt_f32(a, b), a, b); }
};
