// The double-precision GEMM of every ISA's kernel table (scalar included) against a reference in
// long double: values that use all 53 bits of a double (a float32 product would miss by ~1e-8),
// both transpositions, row strides past the row length, operands at offsets, alpha and beta
// (0 overwrites a C full of NaN), odd shapes around each table's tile and cache blocks, batches
// with a broadcast operand, 1 and 2 threads. The elements of C outside the product must keep
// their bits.
// Exit status: 0 when every check passed.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "kernels/gemm/gemm.h"
#include "each_isa.h"
#include "native_test.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

using namespace myelin;
using namespace myelin_test;

namespace {

// n doubles in [-1, 1) with 53 random bits each.
std::vector<double> random_doubles(size_t n, uint32_t seed) {
  Xorshift rng(seed);
  std::vector<double> v(n);
  for (double& x : v) {
    const uint64_t hi = rng.next() >> 6, lo = rng.next() >> 5;  // 26 + 27 bits
    x = static_cast<double>((hi << 27) | lo) * 0x1p-52 - 1.0;
  }
  return v;
}

struct Case {
  bool ta, tb;
  int64_t batch, m, n, k;
  double alpha, beta;
  bool broadcast_b;  // B's batch stride 0
  bool nan_c;        // C starts as NaN (beta must be 0)
};

void run_case(const KernelTable& t, const Case& c) {
  const int64_t lda = (c.ta ? c.m : c.k) + 1, ldb = (c.tb ? c.k : c.n) + 3, ldc = c.n + 2;
  const int64_t a_off = 3, b_off = 1, c_off = 2;
  const int64_t stride_a = (c.ta ? c.k : c.m) * lda + 5, stride_b = c.broadcast_b ? 0 : (c.tb ? c.n : c.k) * ldb + 1;
  const int64_t stride_c = c.m * ldc + 4;
  const auto a = random_doubles(static_cast<size_t>(a_off + c.batch * stride_a), 7 + c.m + c.k);
  const auto b = random_doubles(
      static_cast<size_t>(b_off + (c.broadcast_b ? 1 : c.batch) * ((c.tb ? c.n : c.k) * ldb + 1)), 11 + c.n + c.k);
  auto c0 = random_doubles(static_cast<size_t>(c_off + c.batch * stride_c), 13 + c.m);
  std::vector<long double> want(c0.size()), bound(c0.size(), 0.0L);
  std::vector<char> in_product(c0.size(), 0);
  for (size_t e = 0; e < c0.size(); ++e) want[e] = c0[e];
  for (int64_t s = 0; s < c.batch; ++s)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) {
        const size_t at = static_cast<size_t>(c_off + s * stride_c + i * ldc + j);
        in_product[at] = 1;
        if (c.nan_c) c0[at] = NAN;
        long double sum = 0, abs = 0;
        for (int64_t p = 0; p < c.k; ++p) {
          const long double x = a[a_off + s * stride_a + (c.ta ? p * lda + i : i * lda + p)];
          const long double y = b[b_off + s * stride_b + (c.tb ? j * ldb + p : p * ldb + j)];
          sum += x * y;
          abs += std::fabs(x * y);
        }
        const long double cv = c.beta == 0 ? 0.0L : static_cast<long double>(c.beta) * c0[at];
        want[at] = c.alpha * sum + cv;
        // Higham's gamma_k for the dot product, with room for the alpha and beta roundings.
        bound[at] = (c.k + 4) * 2 * 0x1p-53L * (std::fabs(c.alpha) * abs + std::fabs(cv));
      }
  std::vector<double> got = c0;
  dgemm_batched(t, c.ta, c.tb, c.batch, c.m, c.n, c.k, c.alpha, a.data() + a_off, lda, stride_a, b.data() + b_off, ldb,
                stride_b, c.beta, got.data() + c_off, ldc, stride_c);
  size_t bad = 0, first = 0;
  for (size_t e = got.size(); e-- > 0;) {
    const bool ok = in_product[e] ? std::fabs(static_cast<long double>(got[e]) - want[e]) <= bound[e]
                                  : std::memcmp(&got[e], &c0[e], sizeof(double)) == 0;
    if (!ok) ++bad, first = e;
  }
  CHECK(bad == 0,
        "%s ta=%d tb=%d batch %lld %lldx%lldx%lld alpha %g beta %g%s%s: %zu elements wrong, first %zu: %.17g, want "
        "%.17Lg",
        t.dgemm.name, c.ta, c.tb, (long long)c.batch, (long long)c.m, (long long)c.n, (long long)c.k, c.alpha, c.beta,
        c.broadcast_b ? " (B broadcast)" : "", c.nan_c ? " (C NaN)" : "", bad, first, got[first], want[first]);
}

void test_table(const KernelTable& t) {
  const DgemmKernels& g = t.dgemm;
  const int64_t mr = g.mr, nr = g.nr;
  int variant = 0;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t m : {int64_t{1}, mr - 1, mr, mr + 1, 2 * mr + 3})
        for (int64_t n : {int64_t{1}, nr - 1, nr, nr + 1, 2 * nr + 5})
          for (int64_t k : {0, 1, 5, 17}) {
            if (m < 1 || n < 1) continue;
            const double betas[] = {0.0, 1.0, -0.5};
            const double beta = betas[variant % 3];
            run_case(t, {ta, tb, 1, m, n, k, variant % 2 ? 0.75 : 1.0, beta, false, beta == 0 && variant % 4 == 0});
            ++variant;
          }
  // Across the cache blocks (kc, mc and nc edges), threaded, and batched.
  run_case(t, {false, false, 1, mr + 2, nr + 1, g.kc + 3, 1.0, 1.0, false, false});
  run_case(t, {true, true, 1, 5, 7, g.kc + 1, -2.0, 0.0, false, true});
  run_case(t, {false, false, 1, g.mc + 1, 9, 3, 1.0, 0.0, false, false});
  run_case(t, {false, true, 1, 3, g.nc + 1, 3, 1.0, 0.5, false, false});
  run_case(t, {true, false, 1, 70, 90, 200, 1.0, 0.0, false, false});
  run_case(t, {false, false, 1, 300, 40, 2 * g.kc + 5, 0.5, 0.0, false, false});
  run_case(t, {false, true, 3, 13, 21, 40, 1.0, 0.0, true, false});
  run_case(t, {true, false, 5, 31, 33, 64, 1.0, 1.0, false, false});
  run_case(t, {false, false, 2, 64, 80, 50, 0.0, 0.5, false, false});  // alpha 0: C scaled only
}

}  // namespace

int main() {
  const int tested = for_each_isa(false, [](Isa isa, const KernelTable& t) {
    at_1_and_2_threads(std::string(isa_name(isa)) + " (" + t.dgemm.name + ")", [&] { test_table(t); });
  });
  return finish(tested, "ISA(s)' float64 GEMM checked against the long double reference");
}
