// The float64 transcendentals that are not vectorised yet, from libm's double functions (glibc's
// log, sin, cos, log1p, expm1 are within 1 ulp, most results correctly rounded), element by
// element on every ISA, so every ISA gives the same bits. Included inside an anonymous namespace
// after <cmath>, so each ISA object has its own copy (never one compiled with another ISA's flags).

double log_d(double x) { return std::log(x); }
double sin_d(double x) { return std::sin(x); }
double cos_d(double x) { return std::cos(x); }
double tanh_d(double x) { return std::tanh(x); }
// 1 / (1 + e^-x) for x >= 0; e^x / (1 + e^x) below, which keeps the relative accuracy of the
// tiny results (1 + e^-x overflows from x < -709.8, where torch's formula gives 0).
double sigmoid_d(double x) {
  if (x >= 0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}
double log1p_d(double x) { return std::log1p(x); }
double expm1_d(double x) { return std::expm1(x); }
double erf_d(double x) { return std::erf(x); }

template <double (*F)(double)>
void libm_row_f64(int64_t n, const double* x, int64_t sx, double* out, int64_t so) {
  if (sx == 1 && so == 1) {
    for (int64_t i = 0; i < n; ++i) out[i] = F(x[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) out[i * so] = F(x[i * sx]);
  }
}
