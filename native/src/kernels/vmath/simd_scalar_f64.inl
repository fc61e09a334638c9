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
  static reg sqrt(reg a) { return __builtin_sqrt(a); }
  static reg neg(reg a) { return -a; }  // flips the sign bit, NaN's too
  static reg abs(reg a) { return __builtin_fabs(a); }
  static mask lt(reg a, reg b) { return a < b; }
  static mask gt(reg a, reg b) { return a > b; }
  static mask isnan(reg a) { return a != a; }
  // What vmath_f64.inl needs beyond the row kernels: fused multiply-add, plain min/max (either
  // operand's choice for NaN: vd_exp puts NaN back), and 2^n for a double n holding an integer in
  // [-1022, 1023] (n + 1023 written into the exponent field, read from n + 2^52 + 2^51).
  static reg fmadd(reg a, reg b, reg c) { return __builtin_fma(a, b, c); }
  static reg min(reg a, reg b) { return a < b ? a : b; }
  static reg max(reg a, reg b) { return a > b ? a : b; }
  static reg pow2(reg n) {
    const double t = n + 0x1.8p52;
    uint64_t bits;
    __builtin_memcpy(&bits, &t, sizeof bits);
    bits = (bits + 1023) << 52;
    double p;
    __builtin_memcpy(&p, &bits, sizeof p);
    return p;
  }
  // NaN-propagating max/min (torch.maximum semantics).
  static reg max_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
  static reg min_nan(reg a, reg b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
  static mask le(reg a, reg b) { return a <= b; }
  static reg select(mask m, reg a, reg b) { return m ? a : b; }
  // A row's tail: n is 0 or 1 at width 1.
  static reg load_first(const double* p, int64_t n, double fill) { return n > 0 ? *p : fill; }
};
