// The int32 GEMM of every ISA's kernel table (scalar included) against a plain triple loop in
// uint32: exact, wrapping modulo 2^32. Values over all of int32 (every product and sum wraps),
// both transpositions, row strides past the row length, odd shapes around each table's tile and
// cache blocks, batches with a broadcast operand, 1 and 2 threads. The elements of C outside
// the product must be left as they were.
// Exit status: 0 when every check passed.
#include <cstdint>
#include <cstdio>
#include <vector>

#include "kernels/gemm/gemm_i32.h"
#include "each_isa.h"
#include "native_test.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

using namespace myelin;
using namespace myelin_test;

namespace {

std::vector<int32_t> random_ints(size_t n, uint32_t seed) {
  Xorshift rng(seed);
  std::vector<int32_t> v(n);
  for (int32_t& x : v) x = static_cast<int32_t>(rng.next());
  return v;
}

struct Case {
  bool ta, tb;
  int64_t batch, m, n, k;
  bool broadcast_b;  // B's batch stride 0
};

void run_case(const KernelTable& t, const Case& c) {
  const int64_t lda = (c.ta ? c.m : c.k) + 1, ldb = (c.tb ? c.k : c.n) + 3, ldc = c.n + 2;
  const int64_t stride_a = (c.ta ? c.k : c.m) * lda + 5, stride_b = c.broadcast_b ? 0 : (c.tb ? c.n : c.k) * ldb + 1;
  const int64_t stride_c = c.m * ldc + 4;
  const auto a = random_ints(static_cast<size_t>(c.batch * stride_a), 7 + c.m + c.k);
  const auto b =
      random_ints(static_cast<size_t>((c.broadcast_b ? 1 : c.batch) * ((c.tb ? c.n : c.k) * ldb + 1)), 11 + c.n + c.k);
  const auto c0 = random_ints(static_cast<size_t>(c.batch * stride_c), 13 + c.m);
  std::vector<int32_t> got = c0;
  gemm_i32(t, c.ta, c.tb, c.batch, c.m, c.n, c.k, a.data(), lda, stride_a, b.data(), ldb, stride_b, got.data(), ldc,
           stride_c);
  std::vector<int32_t> want = c0;
  for (int64_t s = 0; s < c.batch; ++s)
    for (int64_t i = 0; i < c.m; ++i)
      for (int64_t j = 0; j < c.n; ++j) {
        uint32_t sum = 0;
        for (int64_t p = 0; p < c.k; ++p) {
          const int32_t x = a[s * stride_a + (c.ta ? p * lda + i : i * lda + p)];
          const int32_t y = b[s * stride_b + (c.tb ? j * ldb + p : p * ldb + j)];
          sum += static_cast<uint32_t>(x) * static_cast<uint32_t>(y);
        }
        want[s * stride_c + i * ldc + j] = static_cast<int32_t>(sum);
      }
  size_t bad = 0, first = 0;
  for (size_t e = got.size(); e-- > 0;)
    if (got[e] != want[e]) ++bad, first = e;
  CHECK(bad == 0, "%s ta=%d tb=%d batch %lld %lldx%lldx%lld%s: %zu elements differ, first %zu: %d, want %d",
        t.gemm_i32.name, c.ta, c.tb, (long long)c.batch, (long long)c.m, (long long)c.n, (long long)c.k,
        c.broadcast_b ? " (B broadcast)" : "", bad, first, got[first], want[first]);
}

void test_table(const KernelTable& t) {
  const int64_t mr = t.gemm_i32.mr, nr = t.gemm_i32.nr;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t m : {int64_t{1}, mr - 1, mr, mr + 1, 2 * mr + 3})
        for (int64_t n : {int64_t{1}, nr - 1, nr, nr + 1, 2 * nr + 5})
          for (int64_t k : {0, 1, 5, 17}) run_case(t, {ta, tb, 1, m, n, k, false});
  // Across the cache blocks (KC = 256, MC = 96, NC = 512), threaded, and batched.
  run_case(t, {false, false, 1, mr + 2, nr + 1, 259, false});
  run_case(t, {true, true, 1, 5, 7, 513, false});
  run_case(t, {false, true, 1, 97, 9, 3, false});
  run_case(t, {true, false, 1, 3, 515, 3, false});
  run_case(t, {false, false, 1, 70, 90, 200, false});
  run_case(t, {false, true, 3, 13, 21, 40, true});
  run_case(t, {true, false, 5, 31, 33, 64, false});
}

}  // namespace

int main() {
  const int tested = for_each_isa(false, [](Isa isa, const KernelTable& t) {
    at_1_and_2_threads(std::string(isa_name(isa)) + " (" + t.gemm_i32.name + ")", [&] { test_table(t); });
  });
  return finish(tested, "ISA(s)' int32 GEMM checked against the wrapping reference");
}
