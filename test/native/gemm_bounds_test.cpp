// Every GEMM table (scalar included, float32 and float64) reads and writes only inside its operands: each operand
// is placed so that its last element is the last one before an inaccessible page, and a
// read or write past it is a crash here instead of a rare one in a user's process. Covers the
// microkernel on B read in place (the small-matrix path), the packing routines, and whole
// products on small shapes; results are compared with a double-precision reference.
// Exit status: 0 when every check passed.
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"
#include "each_isa.h"
#include "native_test.h"

using namespace myelin;
using namespace myelin_test;

namespace {

// `count` elements of type T whose last one ends where a PROT_NONE page begins.
template <class T>
class Guarded {
 public:
  explicit Guarded(int64_t count) {
    const int64_t page = sysconf(_SC_PAGESIZE);
    const int64_t bytes = (count * int64_t{sizeof(T)} + page - 1) / page * page;
    size_ = static_cast<size_t>(bytes + page);
    void* m = mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
      std::perror("gemm_bounds_test: mmap");
      std::exit(2);
    }
    base_ = static_cast<char*>(m);
    if (mprotect(base_ + bytes, static_cast<size_t>(page), PROT_NONE) != 0) {
      std::perror("gemm_bounds_test: mprotect");
      std::exit(2);
    }
    data_ = reinterpret_cast<T*>(base_ + bytes) - count;
  }
  ~Guarded() { munmap(base_, size_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  T* get() const { return data_; }

 private:
  char* base_;
  size_t size_;
  T* data_;
};

// Fills p with n values in [-1, 1), a new seed each call.
template <class T>
void fill(T* p, int64_t n) {
  static uint32_t seed = 12345;
  const auto v = random_floats(static_cast<size_t>(n), seed++);
  std::copy(v.begin(), v.end(), p);
}

template <class T>
const GemmKernelsOf<T>& kernels(const KernelTable& kt);
template <>
const GemmKernels& kernels<float>(const KernelTable& kt) {
  return kt.gemm;
}
template <>
const DgemmKernels& kernels<double>(const KernelTable& kt) {
  return kt.dgemm;
}

// The microkernel with A a packed panel (kc x MR), B read in place (kc rows of nr floats, ldb
// apart) and C (mr rows of nr floats, ldc apart), each ending at a guard page.
template <class T>
void ukernel_case(const GemmKernelsOf<T>& g, int64_t kc, int mr, int nr, int64_t ldb, int64_t ldc, T beta) {
  Guarded<T> a(kc * g.mr), b((kc - 1) * ldb + nr), c((mr - 1) * ldc + nr);
  fill(a.get(), kc * g.mr);
  fill(b.get(), (kc - 1) * ldb + nr);
  fill(c.get(), (mr - 1) * ldc + nr);
  std::vector<double> want(static_cast<size_t>(mr * nr));
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < kc; ++p) sum += double(a.get()[p * g.mr + i]) * b.get()[p * ldb + j];
      want[i * nr + j] = 0.5 * sum + (beta != 0 ? beta * c.get()[i * ldc + j] : 0.0);
    }
  g.ukernel(kc, a.get(), b.get(), ldb, c.get(), ldc, T(0.5), beta, mr, nr);
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j) {
      const double got = c.get()[i * ldc + j], w = want[i * nr + j];
      CHECK(std::fabs(got - w) <= 1e-5 * (kc + 2), "%s kc %lld mr %d nr %d ldb %lld beta %g at (%d, %d): %g vs %g",
            g.name, (long long)kc, mr, nr, (long long)ldb, beta, i, j, got, w);
    }
}

// pack_a / pack_b on a source block ending at a guard page, into an output ending at one.
template <class T>
void pack_case(const GemmKernelsOf<T>& g, int64_t rows, int64_t kc, bool transposed) {
  const int64_t ld = transposed ? rows : kc;
  const int64_t src_count = transposed ? (kc - 1) * ld + rows : (rows - 1) * ld + kc;
  for (int which = 0; which < 2; ++which) {
    const int64_t unit = which == 0 ? g.mr : g.nr;
    const int64_t out_count = (rows + unit - 1) / unit * unit * kc;
    Guarded<T> src(src_count), out(out_count);
    fill(src.get(), src_count);
    // Element (row i, k p) of the block: A is packed as op(A) rows, B as op(B) columns.
    const int64_t rs = transposed ? 1 : ld, cs = transposed ? ld : 1;
    if (which == 0)
      g.pack_a(rows, kc, src.get(), rs, cs, out.get());
    else
      g.pack_b(kc, rows, src.get(), cs, rs, out.get());
    for (int64_t i = 0; i < rows; ++i)
      for (int64_t p = 0; p < kc; ++p) {
        const T got = out.get()[(i / unit) * unit * kc + p * unit + i % unit];
        const T want = src.get()[i * rs + p * cs];
        CHECK(got == want, "%s %s rows %lld kc %lld transposed %d at (%lld, %lld): %g vs %g", g.name,
              which == 0 ? "pack_a" : "pack_b", (long long)rows, (long long)kc, transposed, (long long)i, (long long)p,
              double(got), double(want));
      }
  }
}

// A whole product with A, B and C each ending at a guard page.
void product(const KernelTable& kt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const float* a, int64_t lda,
             const float* b, int64_t ldb, float* c, int64_t ldc) {
  sgemm(kt, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
}

void product(const KernelTable& kt, bool ta, bool tb, int64_t m, int64_t n, int64_t k, const double* a, int64_t lda,
             const double* b, int64_t ldb, double* c, int64_t ldc) {
  dgemm_batched(kt, ta, tb, 1, m, n, k, 1.0, a, lda, 0, b, ldb, 0, 0.0, c, ldc, 0);
}

template <class T>
void gemm_case(const KernelTable& kt, bool ta, bool tb, int64_t m, int64_t n, int64_t k) {
  const int64_t lda = ta ? m : k, ldb = tb ? k : n, ldc = n;
  const int64_t a_count = ta ? (k - 1) * lda + m : (m - 1) * lda + k;
  const int64_t b_count = tb ? (n - 1) * ldb + k : (k - 1) * ldb + n;
  Guarded<T> a(a_count), b(b_count), c(m * ldc);
  fill(a.get(), a_count);
  fill(b.get(), b_count);
  product(kt, ta, tb, m, n, k, a.get(), lda, b.get(), ldb, c.get(), ldc);
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double sum = 0;
      for (int64_t p = 0; p < k; ++p)
        sum += double(a.get()[ta ? p * lda + i : i * lda + p]) * b.get()[tb ? j * ldb + p : p * ldb + j];
      CHECK(std::fabs(c.get()[i * ldc + j] - sum) <= 1e-5 * (k + 1), "%s ta=%d tb=%d %lldx%lldx%lld at (%lld, %lld)",
            kernels<T>(kt).name, ta, tb, (long long)m, (long long)n, (long long)k, (long long)i, (long long)j);
    }
}

template <class T>
void test_table(const KernelTable& kt) {
  const GemmKernelsOf<T>& g = kernels<T>(kt);
  for (int64_t kc : {1, 2, 3, 5, 33})
    for (int mr = 1; mr <= g.mr; ++mr)
      for (int nr = 1; nr <= g.nr; ++nr)
        for (int64_t extra : {0, 3}) ukernel_case<T>(g, kc, mr, nr, nr + extra, nr + extra, T(extra ? 1 : 0));
  for (int64_t rows : {int64_t{1}, int64_t{g.mr} - 1, int64_t{g.nr} + 1})
    for (int64_t kc : {1, 3, 17})
      for (bool transposed : {false, true})
        if (rows > 0) pack_case<T>(g, rows, kc, transposed);
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t m : {int64_t{1}, int64_t{g.mr} + 1})
        for (int64_t n : {int64_t{1}, int64_t{2}, int64_t{g.nr} - 1, int64_t{g.nr} + 3})
          for (int64_t k : {1, 3, 14})
            if (n > 0) gemm_case<T>(kt, ta, tb, m, n, k);
}

}  // namespace

int main() {
  const int tested = for_each_isa(false, [](Isa isa, const KernelTable& t) {
    at_1_and_2_threads(std::string(isa_name(isa)) + " (" + t.gemm.name + ", " + t.dgemm.name + ")", [&] {
      test_table<float>(t);
      test_table<double>(t);
    });
  });
  return finish(tested, "GEMM table(s) checked against guard pages");
}
