// The portable "vector" type V of width 1 that the row kernels are written over on the scalar
// path. Included inside an anonymous namespace by each scalar kernel file.
struct V {
  using elem = float;
  using reg = float;
  static constexpr int width = 1;
  static reg load(const float* p) { return *p; }
  static void store(float* p, reg v) { *p = v; }
  static reg set1(float x) { return x; }
  static float first(reg v) { return v; }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg div(reg a, reg b) { return a / b; }
  // Plain min/max: the second operand when either is NaN (as _mm256_min_ps/max_ps choose).
  static reg min(reg a, reg b) { return a < b ? a : b; }
  static reg max(reg a, reg b) { return a > b ? a : b; }
  // NaN-propagating max/min (torch.maximum semantics).
  static reg max_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
  static reg min_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
  using mask = bool;
  static mask lt(reg a, reg b) { return a < b; }
  static mask le(reg a, reg b) { return a <= b; }
  static reg select(mask m, reg a, reg b) { return m ? a : b; }
  static float hsum(reg v) { return v; }
  static float hmax(reg v) { return v; }
  // Row tails: n is 0 or 1 at width 1.
  static reg load_first(const float* p, int64_t n, float fill) { return n > 0 ? *p : fill; }
  static void store_first(float* p, int64_t n, reg v) {
    if (n > 0) *p = v;
  }
};
