// The float64 kernels of every vector ISA against the scalar ones, and the scalar ones against
// long double. Unary: bit for bit (the exactly rounded ops and exp are the same vector code on
// every ISA, the other transcendentals libm's double functions), and the scalar path's error in ulps of the double
// result (the worst of each function is printed). Reductions: max and min bit for bit; sum,
// mean and prod (whose order follows the vector width) within the pairwise sum's bound, and
// against the exact (long double) sum. Runs under qemu for NEON (scripts/test_neon.sh).
// Exit status: 0 when every check passed.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "kernels/elementwise/elementwise.h"
#include "kernels/reduce/reduce.h"
#include "each_isa.h"
#include "native_test.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

using namespace myelin;
using namespace myelin_test;

namespace {

const char* const kNames[] = {"neg",  "abs",     "exp",  "log",   "sqrt",  "rsqrt", "sin", "cos",
                              "tanh", "sigmoid", "relu", "log1p", "expm1", "sign",  "erf"};

// Every 0xd1b71758e219-th bit pattern (80,000 values over every exponent and both signs),
// values in the ranges the functions are used in (exp's whole finite range), and the edges.
std::vector<double> inputs() {
  std::vector<double> x;
  for (uint64_t b = 0; b < ~uint64_t{0} - 0x3333333333333ull; b += 0xd1b71758e219ull) x.push_back(from_bits(b));
  Xorshift rng(7);
  for (int i = 0; i < 20000; ++i) {
    const double hi = rng.next() * 0x1p-32, lo = rng.next() * 0x1p-64;
    x.push_back((hi + lo) * 40 - 20);  // [-20, 20), all 53 bits random
  }
  for (int i = 0; i < 20000; ++i) {  // exp's whole finite range, denormal results included
    const double hi = rng.next() * 0x1p-32, lo = rng.next() * 0x1p-64;
    x.push_back((hi + lo) * 1456 - 746);  // [-746, 710)
  }
  const double edges[] = {0,
                          -0.0,
                          INFINITY,
                          -INFINITY,
                          NAN,
                          1,
                          -1,
                          0.5,
                          -0.5,
                          2,
                          4.9e-324,
                          -4.9e-324,
                          2.2250738585072014e-308,
                          1.7976931348623157e308,
                          -1.7976931348623157e308,
                          709.78,
                          709.782712893384,  // exp's last finite result
                          709.7827128933841,
                          -708.3964185322641,  // exp's smallest normal result
                          -745.1332191019411,  // exp's smallest denormal result
                          -745.1332191019412,
                          -0x1.62e42fefa39efp-2,  // -ln2/2 and ln2/2: the reduction's edges
                          0x1.62e42fefa39efp-2,
                          709.79,
                          -708.4,
                          -745.1,
                          -745.2,
                          1e-300,
                          -1e-300,
                          0x1p-54,
                          -0x1p-54,
                          0x1p-27,
                          3.141592653589793,
                          1.5707963267948966,
                          1e22,
                          -1e300,
                          -0.9999999999999999,
                          0.7071067811865476,
                          19.06,
                          -19.06,
                          5.9,
                          -5.9,
                          37,
                          -37,
                          710,
                          -710};
  x.insert(x.end(), std::begin(edges), std::end(edges));
  return x;
}

long double exact(int op, double xd) {
  const long double x = xd;
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Exp:
      return expl(x);
    case UnaryOp::Log:
      return logl(x);
    case UnaryOp::Sin:
      return sinl(x);
    case UnaryOp::Cos:
      return cosl(x);
    case UnaryOp::Tanh:
      return tanhl(x);
    case UnaryOp::Sigmoid:
      return x >= 0 ? 1 / (1 + expl(-x)) : expl(x) / (1 + expl(x));
    case UnaryOp::Log1p:
      return log1pl(x);
    case UnaryOp::Expm1:
      return expm1l(x);
    case UnaryOp::Erf:
      return erfl(x);
    case UnaryOp::Sqrt:
      return sqrtl(x);
    case UnaryOp::Rsqrt:
      return 1 / std::sqrt(xd);  // two roundings, as defined (torch's)
    case UnaryOp::Neg:
      return -xd;
    case UnaryOp::Abs:
      return std::fabs(xd);
    case UnaryOp::Relu:
      return xd < 0 ? 0.0 : xd;
    case UnaryOp::Sign:
      return xd > 0 ? 1.0 : xd < 0 ? -1.0 : xd == 0 ? 0.0 : xd;
  }
  return NAN;
}

// Error of got in ulps of the double nearest the exact value (denormals in 2^-1074 steps);
// specials and overflow: 0 when got is the rounded exact value (NaN matching NaN), else infinite.
double ulp_error(double got, long double e) {
  const double rounded = static_cast<double>(e);
  if (std::isnan(rounded) || std::isnan(got)) return std::isnan(rounded) && std::isnan(got) ? 0 : INFINITY;
  if (std::isinf(rounded) || std::isinf(got)) return got == rounded ? 0 : INFINITY;
  int ex;
  std::frexp(rounded == 0 ? 0x1p-1074 : rounded, &ex);
  const long double ulp = std::ldexp(1.0L, ex - 53 < -1074 ? -1074 : ex - 53);
  return static_cast<double>(fabsl(static_cast<long double>(got) - e) / ulp);
}

// libm's documented bounds (glibc's libm-test-ulps: tanh 2, erf 1 on x86-64 and aarch64) plus
// the formulas' roundings: sigmoid rounds exp, a sum and a quotient.
double bound(int op) {
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Tanh:
      return 2;
    case UnaryOp::Sigmoid:
      return 2.5;
    case UnaryOp::Rsqrt:
    case UnaryOp::Neg:
    case UnaryOp::Abs:
    case UnaryOp::Relu:
    case UnaryOp::Sign:
      return 0;
    case UnaryOp::Sqrt:
      return 0.5;
    default:
      return 1;
  }
}

void test_accuracy(const KernelTable& s, const std::vector<double>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<double> y(x.size());
  std::printf("scalar float64 unary, worst ulp vs long double over %lld inputs:", static_cast<long long>(n));
  for (int op = 0; op < kNumUnaryOps; ++op) {
    s.unary.row_f64[op](n, x.data(), 1, y.data(), 1);
    double worst = 0;
    for (int64_t i = 0; i < n; ++i) {
      const double e = ulp_error(y[i], exact(op, x[i]));
      if (e > worst) worst = e;
      CHECK(e <= bound(op), "%s(%a): %a, %g ulp", kNames[op], x[i], y[i], e);
    }
    std::printf(" %s %.3g", kNames[op], worst);
  }
  std::printf("\n");
}

void test_isa(const KernelTable& v, const KernelTable& s, const char* isa, const std::vector<double>& x) {
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<double> got(x.size()), want(x.size());
  for (int op = 0; op < kNumUnaryOps; ++op) {
    v.unary.row_f64[op](n, x.data(), 1, got.data(), 1);
    s.unary.row_f64[op](n, x.data(), 1, want.data(), 1);
    for (int64_t i = 0; i < n; ++i)
      CHECK(same_bits(got[i], want[i]), "%s %s(%a): %a vs scalar %a", isa, kNames[op], x[i], got[i], want[i]);
    // Strided input and output, ragged lengths; a broadcast input.
    for (int64_t len : {1, 3, 7, 8, 9, 17, 33, 100}) {
      std::vector<double> a(len * 3, -7), b(len * 3, -7);
      v.unary.row_f64[op](len, x.data() + 5, 2, a.data(), 3);
      s.unary.row_f64[op](len, x.data() + 5, 2, b.data(), 3);
      for (int64_t i = 0; i < len * 3; ++i)
        CHECK(same_bits(a[i], b[i]), "%s %s strided n=%lld at %lld", isa, kNames[op], (long long)len, (long long)i);
      v.unary.row_f64[op](len, x.data() + 11, 0, a.data(), 1);
      s.unary.row_f64[op](1, x.data() + 11, 1, b.data(), 1);
      for (int64_t i = 0; i < len; ++i) CHECK(same_bits(a[i], b[0]), "%s %s broadcast", isa, kNames[op]);
    }
  }
  std::printf("%s float64 unary vs scalar, bit for bit over %lld inputs and strided/broadcast rows: %s\n", isa,
              static_cast<long long>(n), g_failures ? "FAILED" : "ok");
}

// ---- reductions ---------------------------------------------------------------------------

const char* const kReduceNames[] = {"sum", "mean", "max", "min", "prod"};

// n random doubles (all 53 bits) in [lo, hi).
std::vector<double> random_doubles(size_t n, uint32_t seed, double lo, double hi) {
  std::vector<double> v(n);
  Xorshift rng(seed);
  for (double& x : v) x = lo + (hi - lo) * (rng.next() * 0x1p-32 + rng.next() * 0x1p-64);
  return v;
}

// x of shape [a, b] reduced over axis 1 (rows), axis 0 (columns) or both, on table t.
std::vector<double> reduce2d(const KernelTable& t, ReduceOp op, const std::vector<double>& x, int64_t a, int64_t b,
                             bool r0, bool r1, bool transposed) {
  const int64_t shape[2] = {a, b};
  const int64_t strides[2] = {transposed ? 1 : b, transposed ? a : 1};
  const bool reduced[2] = {r0, r1};
  std::vector<double> out((r0 ? 1 : a) * (r1 ? 1 : b));
  reduce_strided(t, op, 2, shape, x.data(), strides, reduced, out.data());
  return out;
}

void test_reduce(const KernelTable& v, const KernelTable& s, const char* isa) {
  const int64_t dims[][2] = {{1, 1}, {3, 7}, {5, 33}, {17, 100}, {64, 1000}, {1000, 3}, {2, 40001}, {300, 257}};
  for (auto& d : dims) {
    const int64_t a = d[0], b = d[1];
    std::vector<double> x = random_doubles(a * b, static_cast<uint32_t>(a * 31 + b), -1, 1);
    if (a * b > 10) x[a * b / 2] = NAN;  // a NaN in one row and one column, for max and min
    std::vector<double> clean = random_doubles(a * b, static_cast<uint32_t>(a + b), -1, 1);
    for (int op = 0; op < kNumReduceOps; ++op) {
      const ReduceOp r = static_cast<ReduceOp>(op);
      const bool extreme = r == ReduceOp::Max || r == ReduceOp::Min;
      // prod of many values in (-1, 1) underflows: values near 1 keep it in range.
      std::vector<double> in = extreme ? x : clean;
      if (r == ReduceOp::Prod)
        for (double& e : in) e = 1 + e * 0x1p-8;
      for (int layout = 0; layout < 6; ++layout) {
        const bool r0 = layout % 3 != 1, r1 = layout % 3 != 0, tr = layout >= 3;
        const std::vector<double> got = reduce2d(v, r, in, a, b, r0, r1, tr);
        const std::vector<double> want = reduce2d(s, r, in, a, b, r0, r1, tr);
        const int64_t n = (r0 ? a : 1) * (r1 ? b : 1);  // elements per output
        for (size_t o = 0; o < want.size(); ++o) {
          if (extreme) {
            CHECK(same_bits(got[o], want[o]), "%s %s [%lld,%lld] layout %d out %zu: %a vs %a", isa, kReduceNames[op],
                  (long long)a, (long long)b, layout, o, got[o], want[o]);
            continue;
          }
          // Pairwise sums (either order) are within (log2 n + blocks) eps of sum|x| of the exact
          // sum; 64 eps sum|x| (n per output <= 80,000) bounds both, and their difference.
          const double scale = r == ReduceOp::Prod ? std::fabs(want[o]) * n : (r == ReduceOp::Mean ? 1.0 : n);
          CHECK(std::fabs(got[o] - want[o]) <= 64 * 0x1p-52 * scale,
                "%s %s [%lld,%lld] layout %d out %zu: %.17g vs %.17g", isa, kReduceNames[op], (long long)a,
                (long long)b, layout, o, got[o], want[o]);
        }
      }
    }
  }
}

// The scalar path's sums against long double: a pairwise sum of n values in [0, 1) (no
// cancellation) is within (log2(n) + 32*4) eps of the exact sum, relative; a linear sum would be
// within n eps.
void test_sum_accuracy(const KernelTable& s) {
  double worst = 0;
  for (int64_t n : {1000, 100000, 1000000}) {
    const std::vector<double> x = random_doubles(n, static_cast<uint32_t>(n), 0, 1);
    long double exact = 0;
    for (double e : x) exact += e;
    const bool reduced[1] = {true};
    const int64_t shape[1] = {n}, strides[1] = {1};
    double got = 0;
    reduce_strided(s, ReduceOp::Sum, 1, shape, x.data(), strides, reduced, &got);
    const double rel = static_cast<double>(fabsl(got - exact) / exact) / 0x1p-53;
    if (rel > worst) worst = rel;
    CHECK(rel <= 2 * (std::log2(static_cast<double>(n)) + 128), "sum of %lld: %.17g vs exact %.20Lg (%g eps)",
          (long long)n, got, exact, rel);
  }
  std::printf("scalar float64 sum, worst relative error vs long double over up to 1e6 values: %.3g units of 2^-53\n",
              worst);
}

}  // namespace

int main() {
  const std::vector<double> x = inputs();
  const KernelTable& scalar = kernels_for(Isa::Scalar);
  test_accuracy(scalar, x);
  test_sum_accuracy(scalar);
  const int tested = for_each_isa(true, [&](Isa isa, const KernelTable& t) {
    test_isa(t, scalar, isa_name(isa), x);
    at_1_and_2_threads(std::string(isa_name(isa)) + " float64 sum, mean, max, min, prod vs scalar",
                       [&] { test_reduce(t, scalar, isa_name(isa)); });
  });
  return finish(tested, "vector ISA(s) checked");
}
