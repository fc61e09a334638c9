// The portable float64 "vector" type VD of width 1 (the scalar path and the oracle of the
// float64 row kernels). Included inside an anonymous namespace by each scalar kernel file.
struct VD {
  using elem = double;
  using reg = double;
  using mask = bool;
  static constexpr int width = 1;
  static reg load(const double* p) { return *p; }
  static void store(double* p, reg v) { *p = v; }
  static reg set1(double x) { return x; }
  static reg add(reg a, reg b) { return a + b; }
  static reg sub(reg a, reg b) { return a - b; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg div(reg a, reg b) { return a / b; }
  // NaN-propagating max/min (torch.maximum semantics).
  static reg max_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
  static reg min_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
  static mask le(reg a, reg b) { return a <= b; }
  static reg select(mask m, reg a, reg b) { return m ? a : b; }
  // A row's tail: n is 0 or 1 at width 1.
  static reg load_first(const double* p, int64_t n, double fill) { return n > 0 ? *p : fill; }
};
