// Every vector ISA's kernel table against the scalar one, without Node: the check that runs on
// any architecture the core builds for (cross-compiled for aarch64 and run under qemu by
// scripts/test_neon.sh, where it is the only test of the NEON kernels). The vitest suite checks
// the same kernels in more layouts through the addon on the machine it runs on.
//
// Exact where every ISA must give the same bits (binary ops, exactly rounded unary ops,
// max/min, arg-reductions, the optimizers); within stated bounds elsewhere (transcendentals in
// ulps, sums and products whose order follows the vector width). Prints the worst ulp error of
// each vector math function, against the scalar path and against the exact value.
// Exit status: 0 when every check passed.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/cpu_features.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"
#include "native_test.h"

using namespace myelin;
using namespace myelin_test;

namespace {

// Distance in ulps counting every float as one step (+0 and -0 the same point); NaN matches
// only NaN and an infinity only itself.
double ulp_distance(float got, float want) {
  if (std::isnan(got) || std::isnan(want)) return std::isnan(got) && std::isnan(want) ? 0 : INFINITY;
  if (std::isinf(got) || std::isinf(want)) return got == want ? 0 : INFINITY;
  auto line = [](float x) {
    const int64_t b = bits_of(x) & 0x7fffffff;
    return std::signbit(x) ? -b : b;
  };
  return std::fabs(static_cast<double>(line(got) - line(want)));
}

bool close(float got, float want, double tol) {
  if (std::isnan(want)) return std::isnan(got);
  if (std::isinf(want)) return got == want;
  return std::fabs(static_cast<double>(got) - want) <= tol;
}

const int64_t kSizes[] = {1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 1000, 4099};

// ---- binary: every op bit-exact against the scalar rows, contiguous, broadcast and strided,
// in float32 and float64 (whose values carry bits below float32's precision). Both carry NaN,
// infinities and signed zeros from random_floats.
// random_floats as T; a float64 operand's value i scaled by 1 + wiggle * (i % 97).
template <class T>
std::vector<T> binary_operand(size_t n, uint32_t seed, float lo, float hi, double wiggle) {
  const auto f = random_floats(n, seed, lo, hi, true);
  if constexpr (sizeof(T) == sizeof(float)) {
    return f;
  } else {
    std::vector<T> out(f.size());
    for (size_t i = 0; i < f.size(); ++i) out[i] = f[i] * (1 + wiggle * static_cast<double>(i % 97));
    return out;
  }
}

template <class T>
const auto& binary_rows(const KernelTable& t) {
  if constexpr (sizeof(T) == sizeof(float))
    return t.binary.row;
  else
    return t.binary.row_f64;
}

template <class T>
void test_binary(const KernelTable& v, const KernelTable& s, const char* dtype) {
  for (int op = 0; op < kNumBinaryOps; ++op)
    for (int64_t n : kSizes)
      for (int layout = 0; layout < 4; ++layout) {
        const int64_t sa = layout == 1 ? 0 : (layout == 3 ? 3 : 1);
        const int64_t sb = layout == 2 ? 0 : (layout == 3 ? 2 : 1);
        const int64_t so = layout == 3 ? 2 : 1;
        const auto a = binary_operand<T>(n * 3 + 1, 1 + n + op, -2, 2, 1e-9);
        const auto b = binary_operand<T>(n * 3 + 1, 7 + n, 0.5f, 2, -1e-10);
        std::vector<T> got(n * so + 1, -7), want(n * so + 1, -7);
        binary_rows<T>(v)[op](n, a.data(), sa, b.data(), sb, got.data(), so);
        binary_rows<T>(s)[op](n, a.data(), sa, b.data(), sb, want.data(), so);
        for (size_t i = 0; i < got.size(); ++i)
          CHECK(std::memcmp(&got[i], &want[i], sizeof(T)) == 0,
                "binary %s op %d n=%lld layout %d at %zu: %.17g vs %.17g", dtype, op, (long long)n, layout, i,
                static_cast<double>(got[i]), static_cast<double>(want[i]));
      }
}

// ---- unary: a sweep over every 4099th bit pattern plus the approximations' edges.
const char* const kUnaryNames[] = {"neg",  "abs",     "exp",  "log",   "sqrt",  "rsqrt", "sin", "cos",
                                   "tanh", "sigmoid", "relu", "log1p", "expm1", "sign",  "erf"};

bool unary_exact(int op) {
  const UnaryOp u = static_cast<UnaryOp>(op);
  return u == UnaryOp::Neg || u == UnaryOp::Abs || u == UnaryOp::Sqrt || u == UnaryOp::Rsqrt || u == UnaryOp::Relu ||
         u == UnaryOp::Sign;
}

// The exact value (double libm), for the ops computed approximately.
double unary_exact_value(int op, float xf) {
  const double x = xf;
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::Exp:
      return std::exp(x);
    case UnaryOp::Log:
      return std::log(x);
    case UnaryOp::Sin:
      return std::sin(x);
    case UnaryOp::Cos:
      return std::cos(x);
    case UnaryOp::Tanh:
      return std::tanh(x);
    case UnaryOp::Sigmoid:
      return 1.0 / (1.0 + std::exp(-x));
    case UnaryOp::Log1p:
      return std::log1p(x);
    case UnaryOp::Expm1:
      return std::expm1(x);
    case UnaryOp::Erf:
      return std::erf(x);
    default:
      return NAN;
  }
}

// Error of got in ulps of the float nearest the exact value (fractional; denormals count in
// 2^-149 steps). Specials and overflow: 0 when the rounded exact value is got, else infinite.
double ulp_error_vs_exact(float got, double exact) {
  const float rounded = static_cast<float>(exact);
  if (std::isnan(exact) || std::isinf(rounded) || std::isnan(got) || std::isinf(got)) return ulp_distance(got, rounded);
  int e;
  std::frexp(static_cast<double>(rounded == 0 ? 0x1p-149f : rounded), &e);
  const double ulp = std::ldexp(1.0, (e - 24 < -149 ? -149 : e - 24));
  return std::fabs(static_cast<double>(got) - exact) / ulp;
}

std::vector<float> sweep_inputs() {
  std::vector<float> x;
  for (uint64_t b = 0; b < (1ull << 32); b += 4099) x.push_back(from_bits(static_cast<uint32_t>(b)));
  const float edges[] = {0,
                         -0.0f,
                         INFINITY,
                         -INFINITY,
                         NAN,
                         1,
                         -1,
                         0.5f,
                         -0.5f,
                         2,
                         1e-45f,
                         -1e-45f,
                         1.1754942e-38f,
                         1.1754944e-38f,
                         -1.1754944e-38f,
                         3.4028235e38f,
                         -3.4028235e38f,
                         88.72283f,
                         88.72284f,
                         89,
                         -87.33655f,
                         -103.27893f,
                         -103.97208f,
                         -104,
                         16.5f,
                         17,
                         -18,
                         0x1p-25f,
                         -0x1p-25f,
                         0x1p-24f,
                         0.54930615f,
                         -0.54930615f,
                         0.5493061f,
                         4,
                         -4,
                         3.92f,
                         0x1p21f,
                         -0x1p21f,
                         2097151.9f,
                         2097152.2f,
                         1.5707964f,
                         3.1415927f,
                         78172,
                         1e30f,
                         -1e-30f,
                         0.70710677f,
                         1.4142135f,
                         -0.99999994f,
                         -0.9999999f,
                         1e-8f,
                         -1e-8f,
                         9,
                         10,
                         -10,
                         20};
  x.insert(x.end(), std::begin(edges), std::end(edges));
  return x;
}

void test_unary(const KernelTable& v, const KernelTable& s, const char* isa) {
  const std::vector<float> x = sweep_inputs();
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<float> got(x.size()), want(x.size());
  std::printf("  %s unary, worst ulp over %lld inputs (vs scalar path / vs exact):", isa, (long long)n);
  for (int op = 0; op < kNumUnaryOps; ++op) {
    v.unary.row[op](n, x.data(), 1, got.data(), 1);
    s.unary.row[op](n, x.data(), 1, want.data(), 1);
    double worst = 0, worst_exact = 0;
    for (int64_t i = 0; i < n; ++i) {
      if (unary_exact(op)) {
        CHECK(same_bits(got[i], want[i]), "%s %s(%a): %a vs scalar %a", isa, kUnaryNames[op], x[i], got[i], want[i]);
        continue;
      }
      const double d = ulp_distance(got[i], want[i]);
      if (d > worst) worst = d;
      CHECK(d <= 2, "%s %s(%a): %a vs scalar %a (%g ulp)", isa, kUnaryNames[op], x[i], got[i], want[i], d);
      const double e = ulp_error_vs_exact(got[i], unary_exact_value(op, x[i]));
      if (e > worst_exact) worst_exact = e;
    }
    if (!unary_exact(op)) std::printf(" %s %g/%.2f", kUnaryNames[op], worst, worst_exact);
  }
  std::printf("\n");
  // Strided and broadcast rows give the same bits as the contiguous ones.
  for (int op = 0; op < kNumUnaryOps; ++op)
    for (int64_t len : kSizes) {
      auto in = random_floats(len * 2 + 1, 3 + op, -5, 5, true);
      std::vector<float> a(len * 3 + 1, -9.0f), b(len * 3 + 1, -9.0f);
      v.unary.row[op](len, in.data(), 2, a.data(), 3);
      s.unary.row[op](len, in.data(), 2, b.data(), 3);
      for (int64_t i = 0; i < len; ++i) {
        const double d =
            unary_exact(op) ? (same_bits(a[i * 3], b[i * 3]) ? 0 : INFINITY) : ulp_distance(a[i * 3], b[i * 3]);
        CHECK(d <= 2, "%s %s strided n=%lld at %lld", isa, kUnaryNames[op], (long long)len, (long long)i);
      }
      v.unary.row[op](len, in.data(), 0, a.data(), 1);
      for (int64_t i = 1; i < len; ++i) CHECK(same_bits(a[i], a[0]), "%s %s broadcast", isa, kUnaryNames[op]);
    }
}

// ---- reductions: max/min and arg-reductions exact; sums and products within their bound.
void test_reduce(const KernelTable& v, const KernelTable& s) {
  for (int op = 0; op < kNumReduceOps; ++op)
    for (int64_t n : kSizes)
      for (int64_t stride : {1, 3})
        for (int nan : {0, 1}) {
          const bool prod = op == static_cast<int>(ReduceOp::Prod);
          auto x = random_floats(n * stride, 11 + n, prod ? 0.99f : -1, prod ? 1.01f : 1);
          if (nan) x[(n / 2) * stride] = NAN;
          const float got = v.reduce.row[op](n, x.data(), stride);
          const float want = s.reduce.row[op](n, x.data(), stride);
          const bool exact = op == static_cast<int>(ReduceOp::Max) || op == static_cast<int>(ReduceOp::Min);
          double scale = 0;
          for (int64_t i = 0; i < n; ++i) scale += std::fabs(x[i * stride]);
          CHECK(exact ? same_bits(got, want) : close(got, want, 1e-6 * (prod ? n * std::fabs(want) : scale) + 1e-30),
                "reduce op %d n=%lld stride %lld: %a vs %a", op, (long long)n, (long long)stride, got, want);
        }
  for (int op = 0; op < kNumReduceOps; ++op)
    for (int64_t rows : {1, 2, 5, 33})
      for (int64_t cols : {1, 3, 4, 5, 8, 17, 64, 67}) {
        auto x = random_floats(rows * cols, 5 + rows * cols, -1, 1, rows * cols > 8);
        std::vector<float> got(cols, 0.25f), want(cols, 0.25f);
        v.reduce.cols[op](rows, cols, x.data(), cols, 1, got.data(), true);
        s.reduce.cols[op](rows, cols, x.data(), cols, 1, want.data(), true);
        for (int64_t j = 0; j < cols; ++j)
          CHECK(close(got[j], want[j], 1e-6 * rows) || same_bits(got[j], want[j]),
                "reduce cols op %d %lldx%lld at %lld: %a vs %a", op, (long long)rows, (long long)cols, (long long)j,
                got[j], want[j]);
      }
  for (int op = 0; op < kNumArgReduceOps; ++op) {
    for (int64_t n : kSizes)
      for (int64_t stride : {1, 2})
        for (int nan : {0, 1}) {
          auto x = random_floats(n * stride, 17 + n, -4, 4);
          for (int64_t i = 0; i < n; i += 5) x[i * stride] = 1.5f;  // ties: the first wins
          if (nan) x[(n * 2 / 3) * stride] = NAN;
          CHECK(v.reduce.arg_row[op](n, x.data(), stride) == s.reduce.arg_row[op](n, x.data(), stride),
                "arg op %d n=%lld stride %lld", op, (long long)n, (long long)stride);
        }
    for (int64_t rows : {1, 3, 9})
      for (int64_t cols : {1, 4, 5, 13, 33}) {
        auto x = random_floats(rows * cols, 23 + rows, -1, 1, rows * cols > 8);
        std::vector<float> bg(cols), bw(cols);
        std::vector<int32_t> ig(cols), iw(cols);
        v.reduce.arg_cols[op](rows, cols, x.data(), cols, 1, bg.data(), ig.data());
        s.reduce.arg_cols[op](rows, cols, x.data(), cols, 1, bw.data(), iw.data());
        for (int64_t j = 0; j < cols; ++j)
          CHECK(ig[j] == iw[j] && same_bits(bg[j], bw[j]), "arg cols op %d %lldx%lld at %lld", op, (long long)rows,
                (long long)cols, (long long)j);
      }
  }
}

// ---- softmax family: within a few ulps of the scalar path (tol: float 1e-5, double 1e-13; the
// double rows share libm's exp, only the sums' order differs).
template <class T>
void expect_close(const std::vector<T>& a, const std::vector<T>& b, double tol, const char* what, int64_t n) {
  for (size_t i = 0; i < a.size(); ++i) {
    const bool ok = std::isnan(b[i]) ? std::isnan(a[i])
                                     : std::fabs(double(a[i]) - double(b[i])) <= tol * (1 + std::fabs(double(b[i])));
    CHECK(ok, "%s d=%lld at %zu: %.17g vs %.17g", what, (long long)n, i, double(a[i]), double(b[i]));
  }
}

// random_floats as T; a double's value i scaled by 1 + 1e-7 (i % 97), bits below float's.
template <class T>
std::vector<T> operand_as(size_t n, uint32_t seed, float lo, float hi) {
  const auto f = random_floats(n, seed, lo, hi);
  std::vector<T> out(f.size());
  for (size_t i = 0; i < f.size(); ++i)
    out[i] = sizeof(T) == sizeof(float) ? f[i] : static_cast<T>(f[i] * (1 + 1e-7 * static_cast<double>(i % 97)));
  return out;
}

template <class T>
void test_softmax(const KernelTable& v, const KernelTable& s, double tol) {
  for (int64_t n : kSizes) {
    const int64_t rows = 3;
    auto x = operand_as<T>(rows * n, 29 + n, -8, 8);
    auto dy = operand_as<T>(rows * n, 31 + n, -1, 1);
    for (int op = 0; op < 4; ++op) {
      const SoftmaxOp sop = static_cast<SoftmaxOp>(op);
      std::vector<T> in = x;
      if (sop == SoftmaxOp::SoftmaxBackward || sop == SoftmaxOp::LogSoftmaxBackward)
        softmax_rows<T>(s, sop == SoftmaxOp::SoftmaxBackward ? SoftmaxOp::Softmax : SoftmaxOp::LogSoftmax, rows, n,
                        x.data(), nullptr, in.data());  // y from the forward
      std::vector<T> got(rows * n), want(rows * n);
      softmax_rows(v, sop, rows, n, in.data(), dy.data(), got.data());
      softmax_rows(s, sop, rows, n, in.data(), dy.data(), want.data());
      expect_close(got, want, tol,
                   sop == SoftmaxOp::Softmax           ? "softmax"
                   : sop == SoftmaxOp::LogSoftmax      ? "log_softmax"
                   : sop == SoftmaxOp::SoftmaxBackward ? "softmax backward"
                                                       : "log_softmax backward",
                   n);
    }
    std::vector<T> got(rows), want(rows);
    logsumexp_rows(v, rows, n, x.data(), got.data());
    logsumexp_rows(s, rows, n, x.data(), want.data());
    expect_close(got, want, tol, "logsumexp", n);
  }
}

// ---- softmax and log_softmax outputs large enough for the non-temporal stores (a quarter of the
// L3 or more): within tol of the scalar path, and the same bits as the ISA's plain kernels (four
// rows at a time: too few to stream), into an output that is not 64-byte aligned and in place.
// Odd row lengths (tails, rows straddling lines), a NaN row and an infinite one, and a row longer
// than the streaming kernel's buffer (8 KiB).
template <class T>
void test_softmax_stream(const KernelTable& v, const KernelTable& s, double tol) {
  const int64_t min_elements = cpu_identity().l3 / 4 / int64_t(sizeof(T)) + 1;
  for (int64_t n : {int64_t(1001), int64_t(37), int64_t((8 << 10) / sizeof(T) + 3)}) {
    const int64_t rows = (min_elements + n - 1) / n;
    auto x = operand_as<T>(rows * n, 41 + n, -8, 8);
    x[n + 3] = T(NAN);
    x[2 * n + 5] = T(INFINITY);
    for (SoftmaxOp op : {SoftmaxOp::Softmax, SoftmaxOp::LogSoftmax}) {
      const char* what = op == SoftmaxOp::Softmax ? "streamed softmax" : "streamed log_softmax";
      std::vector<T> got(rows * n + 1), plain(rows * n), want(rows * n);
      softmax_rows<T>(v, op, rows, n, x.data(), nullptr, got.data() + 1);
      for (int64_t r = 0; r < rows; r += 4)
        softmax_rows<T>(v, op, rows - r < 4 ? rows - r : 4, n, x.data() + r * n, nullptr, plain.data() + r * n);
      softmax_rows<T>(s, op, rows, n, x.data(), nullptr, want.data());
      std::vector<T> in_place = x;
      softmax_rows<T>(v, op, rows, n, in_place.data(), nullptr, in_place.data());
      int64_t bad = 0;
      for (int64_t i = 0; i < rows * n; ++i) {
        const bool ok = same_bits(got[i + 1], plain[i]) && same_bits(in_place[i], plain[i]);
        if (!ok && bad++ < 3)
          CHECK(ok, "%s n=%lld rows=%lld at %lld: %.17g / in place %.17g, plain kernel %.17g", what, (long long)n,
                (long long)rows, (long long)i, double(got[i + 1]), double(in_place[i]), double(plain[i]));
      }
      expect_close(plain, want, tol, what, n);
    }
  }
}

// ---- LSTM / GRU steps: within float rounding of the scalar path.
void test_rnn(const KernelTable& v, const KernelTable& s) {
  for (int op = 0; op < 4; ++op)
    for (int64_t hidden : {1, 3, 4, 5, 8, 13, 33}) {
      const int64_t rows = 2;
      const int* widths = nullptr;
      const int count = rnn_op_arrays(static_cast<RnnOp>(op), &widths);
      std::vector<std::vector<float>> in_v(count), in_s(count);
      std::vector<float*> pv(count), ps(count);
      for (int a = 0; a < count; ++a) {
        in_v[a] = random_floats(rows * widths[a] * hidden, 37 + a + op, -3, 3);
        in_s[a] = in_v[a];
        pv[a] = in_v[a].data();
        ps[a] = in_s[a].data();
      }
      rnn_cell_rows(v, static_cast<RnnOp>(op), rows, hidden, pv.data());
      rnn_cell_rows(s, static_cast<RnnOp>(op), rows, hidden, ps.data());
      for (int a = 0; a < count; ++a)
        for (size_t i = 0; i < in_v[a].size(); ++i)
          CHECK(close(in_v[a][i], in_s[a][i], 2e-6 * (1 + std::fabs(in_s[a][i]))),
                "rnn op %d hidden %lld array %d at %zu: %g vs %g", op, (long long)hidden, a, i, in_v[a][i], in_s[a][i]);
    }
}

// ---- optimizers: every ISA gives the same bits (optim.h), for float and double parameters.
template <class T>
void expect_same(const std::vector<T>& a, const std::vector<T>& b, const char* what, int64_t n) {
  for (size_t i = 0; i < a.size(); ++i)
    CHECK(std::memcmp(&a[i], &b[i], sizeof(T)) == 0, "%s (%zu-byte) n=%lld at %zu: %a vs %a", what, sizeof(T),
          (long long)n, i, static_cast<double>(a[i]), static_cast<double>(b[i]));
}

// random_floats as T; the double values get low bits of their own, so a kernel that ran in
// float would differ.
template <class T>
std::vector<T> random_of(int64_t n, uint32_t seed, float lo = -1, float hi = 1) {
  const auto f = random_floats(n, seed, lo, hi);
  std::vector<T> out(f.size());
  for (size_t i = 0; i < f.size(); ++i) out[i] = static_cast<T>(f[i]) * static_cast<T>(1 + 1e-9 * (i % 7));
  return out;
}

template <class T>
void test_optim(const KernelTable& v, const KernelTable& s) {
  for (int64_t n : kSizes) {
    const auto p0 = random_of<T>(n, 41 + n), g = random_of<T>(n, 43 + n), st = random_of<T>(n, 47 + n, 0, 1);
    for (int variant = 0; variant < 2; ++variant) {
      const bool alt = variant == 1;
      {
        auto pa = p0, pb = p0, ma = st, mb = st;
        const SgdHyper h{0.01, alt ? 0.9 : 0.0, 0.1, alt ? 1e-4 : 0.0, alt, false, false};
        sgd_step(v, n, pa.data(), g.data(), ma.data(), h);
        sgd_step(s, n, pb.data(), g.data(), mb.data(), h);
        expect_same(pa, pb, "sgd param", n);
        expect_same(ma, mb, "sgd momentum", n);
      }
      {
        auto pa = p0, pb = p0, m1a = g, m1b = g, m2a = st, m2b = st, mxa = st, mxb = st;
        const AdamHyper h{1e-3, 0.9, 0.999, 1e-8, alt ? 0.01 : 0.0, 3, alt, alt, false};
        adam_step(v, n, pa.data(), g.data(), m1a.data(), m2a.data(), mxa.data(), h);
        adam_step(s, n, pb.data(), g.data(), m1b.data(), m2b.data(), mxb.data(), h);
        expect_same(pa, pb, "adam param", n);
        expect_same(m2a, m2b, "adam exp_avg_sq", n);
        expect_same(mxa, mxb, "adam max_exp_avg_sq", n);
      }
      {
        auto pa = p0, pb = p0, sqa = st, sqb = st, ma = g, mb = g, ga = g, gb = g;
        const RmspropHyper h{1e-2, 0.99, 1e-8, alt ? 1e-3 : 0.0, alt ? 0.5 : 0.0, alt, alt};
        rmsprop_step(v, n, pa.data(), g.data(), sqa.data(), ma.data(), ga.data(), h);
        rmsprop_step(s, n, pb.data(), g.data(), sqb.data(), mb.data(), gb.data(), h);
        expect_same(pa, pb, "rmsprop param", n);
        expect_same(sqa, sqb, "rmsprop square_avg", n);
      }
      {
        auto pa = p0, pb = p0, sa = st, sb = st;
        const AdagradHyper h{1e-2, alt ? 0.1 : 0.0, alt ? 1e-3 : 0.0, 1e-10, 2, alt};
        adagrad_step(v, n, pa.data(), g.data(), sa.data(), h);
        adagrad_step(s, n, pb.data(), g.data(), sb.data(), h);
        expect_same(pa, pb, "adagrad param", n);
        expect_same(sa, sb, "adagrad state_sum", n);
      }
    }
  }
}

// ---- quantize: every ISA gives the scalar path's bytes (convert.h), per tensor and per channel,
// over random values with NaN and infinities, halfway values, clamp edges and the int64 bound.
void test_quantize(const KernelTable& v, const KernelTable& s) {
  std::vector<float> edges = {0.5f,       1.5f,       2.5f,       -0.5f,         -2.5f,         126.5f,
                              127.5f,     128.5f,     -128.5f,    -129.5f,       255.5f,        4194303.5f,
                              4194304.0f, 8388607.0f, 8388608.0f, 9.2233715e18f, 9.2233720e18f, -9.2233720e18f,
                              3.4e38f,    NAN,        INFINITY,   -INFINITY,     -0.0f};
  for (int64_t n : kSizes) {
    auto x = random_floats(n, 61 + n, -300, 300, true);
    for (int64_t i = 0; i < n; i += 3) x[i] = edges[(i / 3) % edges.size()];
    for (int64_t inner : {n, int64_t{1}, int64_t{3}, int64_t{17}}) {
      if (n % inner) continue;
      const int64_t channels = n / inner;
      std::vector<double> scales(channels);
      std::vector<int64_t> zeros(channels);
      for (int64_t c = 0; c < channels; ++c) {
        scales[c] = c % 3 == 0 ? 1.0 : (c % 3 == 1 ? 0.5 : 0.037);
        zeros[c] = c % 5 - 2;
      }
      for (QType t : {QType::QInt8, QType::QUInt8}) {
        if (t == QType::QUInt8)
          for (auto& z : zeros) z += 128;
        std::vector<uint8_t> a(n), b(n);
        quantize_f32(v, x.data(), 1, channels, inner, scales.data(), zeros.data(), t, a.data());
        quantize_f32(s, x.data(), 1, channels, inner, scales.data(), zeros.data(), t, b.data());
        for (int64_t i = 0; i < n; ++i)
          CHECK(a[i] == b[i], "quantize n=%lld inner=%lld type %d at %lld (x=%a): %d vs %d", (long long)n,
                (long long)inner, static_cast<int>(t), (long long)i, static_cast<double>(x[i]), a[i], b[i]);
      }
    }
  }
}

// ---- conversions: min_max and the bf16 conversions give the scalar kernels' bits on every ISA
// (signed zeros and NaN bits included): every length to 40 and around the threads' split, NaN
// at the first, a middle and the last element, infinities, signed zeros, ties and bf16 overflow.
bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

void test_convert(const KernelTable& v, const KernelTable& s) {
  std::vector<int64_t> sizes;
  for (int64_t n = 0; n <= 40; ++n) sizes.push_back(n);
  for (int64_t n : {63, 64, 65, 100, 1000, 4099, 131071, 131073}) sizes.push_back(n);
  for (int64_t n : sizes) {
    auto x = random_floats(static_cast<size_t>(n), 83 + static_cast<uint32_t>(n), -5, 5);
    // Signed zeros, so the lanes' order shows in which zero comes out.
    for (int64_t i = 0; i < n; i += 5) x[i] = (i / 5) % 2 ? 0.0f : -0.0f;
    // min_max: as is (all finite), with infinities, with one NaN at each position in turn.
    std::vector<std::vector<float>> cases = {x};
    if (n > 0) {
      auto inf = x;
      inf[n / 2] = INFINITY;
      inf[n - 1] = -INFINITY;
      cases.push_back(inf);
      for (int64_t at : {int64_t{0}, n / 2, n - 1}) {
        auto nan = x;
        nan[at] = NAN;
        cases.push_back(nan);
      }
    }
    for (const auto& c : cases) {
      float a0 = 1, a1 = 1, b0 = 2, b1 = 2;
      min_max_f32(v, n, c.data(), &a0, &a1);
      min_max_f32(s, n, c.data(), &b0, &b1);
      CHECK(same_bits(a0, b0) && same_bits(a1, b1), "min_max n=%lld: [%a, %a] vs scalar [%a, %a]", (long long)n,
            static_cast<double>(a0), static_cast<double>(a1), static_cast<double>(b0), static_cast<double>(b1));
    }
    // fp32 -> bf16 over values with every rounding case: ties with an even and an odd kept part,
    // just above and below them, NaNs of both signs and payloads, bf16 overflow, subnormals.
    const uint32_t edges[] = {0x3f808000u, 0x3f818000u, 0x3f808001u, 0x3f807fffu, 0x7fc00000u, 0xffc00001u,
                              0x7f800001u, 0x7f7fffffu, 0x7f7f8000u, 0xff7fffffu, 0x7f800000u, 0xff800000u,
                              0x00000001u, 0x80008000u, 0x00018000u, 0x00000000u, 0x80000000u};
    std::vector<float> f = x;
    for (int64_t i = 0; i < n; i += 3) std::memcpy(&f[i], &edges[(i / 3) % 17], 4);
    std::vector<uint16_t> ya(n + 1, 0x5a5a), yb(n + 1, 0x5a5a);
    convert_f32_to_bf16(v, n, f.data(), ya.data());
    convert_f32_to_bf16(s, n, f.data(), yb.data());
    for (int64_t i = 0; i <= n; ++i)
      CHECK(ya[i] == yb[i], "f32_to_bf16 n=%lld at %lld (x=%a): %04x vs %04x", (long long)n, (long long)i,
            static_cast<double>(i < n ? f[i] : 0), ya[i], yb[i]);
    // bf16 -> fp32 over bit patterns that cycle through all 65536.
    std::vector<uint16_t> h(n);
    for (int64_t i = 0; i < n; ++i) h[i] = static_cast<uint16_t>(i * 40503u + 7u);
    std::vector<float> fa(n + 1, 3.0f), fb(n + 1, 3.0f);
    convert_bf16_to_f32(v, n, h.data(), fa.data());
    convert_bf16_to_f32(s, n, h.data(), fb.data());
    for (int64_t i = 0; i <= n; ++i)
      CHECK(same_bits(fa[i], fb[i]), "bf16_to_f32 n=%lld at %lld (x=%04x): %a vs %a", (long long)n, (long long)i,
            i < n ? h[i] : 0, static_cast<double>(fa[i]), static_cast<double>(fb[i]));
  }
}

// ---- limits: the triad as the scalar path's within a rounding (one FMA against a multiply and
// an add) at every tail; the FMA loop's chains stay finite and near their fixed point 1.
void test_limits(const KernelTable& v, const KernelTable& s) {
  for (int64_t n : kSizes) {
    const auto b = random_floats(n, 73 + n, -2, 2), c = random_floats(n, 79 + n, -2, 2);
    std::vector<float> x(n), y(n);
    v.limits.triad(x.data(), b.data(), c.data(), 3.0f, n);
    s.limits.triad(y.data(), b.data(), c.data(), 3.0f, n);
    for (int64_t i = 0; i < n; ++i)
      CHECK(std::fabs(x[i] - y[i]) <= 1e-6f * (1.0f + std::fabs(y[i])), "triad n=%lld at %lld: %g vs %g", (long long)n,
            (long long)i, static_cast<double>(x[i]), static_cast<double>(y[i]));
  }
  const double lanes_chains = static_cast<double>(v.limits.fma_flops_per_iter) / 2;
  const double mean = static_cast<double>(v.limits.fma_loop(100000)) / lanes_chains;
  CHECK(std::isfinite(mean) && mean > 0.9 && mean < 1.1, "fma_loop: mean chain %g, expected near 1", mean);
}

// ---- normalisation: layer norm, group norm (float and double) and batch norm, forward and
// backward, within the element type's rounding (tol: float 1e-5, double 1e-13, the gradients'
// cancelling sums 10x that).
template <class T>
void test_row_norms(const KernelTable& v, const KernelTable& s, double tol) {
  const T eps = static_cast<T>(1e-5);
  for (int64_t d : kSizes) {
    const int64_t rows = 3;
    const auto x = operand_as<T>(rows * d, 67 + d, -3, 5), dy = operand_as<T>(rows * d, 71 + d, -1, 1);
    const auto w = operand_as<T>(d, 73 + d, 0.5f, 1.5f), b = operand_as<T>(d, 79 + d, -1, 1);
    std::vector<T> yv(rows * d), ys(rows * d), mv(rows), ms(rows), iv(rows), is(rows);
    layer_norm_forward(v, rows, d, x.data(), w.data(), b.data(), eps, mv.data(), iv.data(), yv.data());
    layer_norm_forward(s, rows, d, x.data(), w.data(), b.data(), eps, ms.data(), is.data(), ys.data());
    expect_close(yv, ys, tol, "layer norm y", d);
    expect_close(mv, ms, tol / 10, "layer norm mean", d);
    expect_close(iv, is, tol, "layer norm invstd", d);
    std::vector<T> dxv(rows * d), dxs(rows * d), dwv(d), dws(d), dbv(d), dbs(d);
    layer_norm_backward(v, rows, d, x.data(), dy.data(), w.data(), ms.data(), is.data(), dxv.data(), dwv.data(),
                        dbv.data());
    layer_norm_backward(s, rows, d, x.data(), dy.data(), w.data(), ms.data(), is.data(), dxs.data(), dws.data(),
                        dbs.data());
    expect_close(dxv, dxs, tol * 10, "layer norm dx", d);
    expect_close(dwv, dws, tol, "layer norm dweight", d);
    expect_close(dbv, dbs, tol, "layer norm dbias", d);
  }
  for (int64_t sp : {1, 3, 4, 9, 33, 300}) {
    const int64_t n = 2, c = 6, groups = 3;
    const auto x = operand_as<T>(n * c * sp, 103 + sp, -2, 3), dy = operand_as<T>(n * c * sp, 107 + sp, -1, 1);
    const auto w = operand_as<T>(c, 109, 0.5f, 1.5f), b = operand_as<T>(c, 113, -1, 1);
    const GroupNormArgs<T> a{n, c, sp, groups, x.data(), w.data()};
    std::vector<T> yv(n * c * sp), ys(n * c * sp), mv(n * groups), ms(n * groups), iv(n * groups), is(n * groups);
    group_norm_forward(v, a, b.data(), eps, mv.data(), iv.data(), yv.data());
    group_norm_forward(s, a, b.data(), eps, ms.data(), is.data(), ys.data());
    expect_close(yv, ys, tol, "group norm y", sp);
    expect_close(iv, is, tol, "group norm invstd", sp);
    std::vector<T> dxv(n * c * sp), dxs(n * c * sp), dwv(c), dws(c), dbv(c), dbs(c);
    group_norm_backward(v, a, dy.data(), ms.data(), is.data(), dxv.data(), dwv.data(), dbv.data());
    group_norm_backward(s, a, dy.data(), ms.data(), is.data(), dxs.data(), dws.data(), dbs.data());
    expect_close(dxv, dxs, tol * 10, "group norm dx", sp);
    expect_close(dwv, dws, tol * 10, "group norm dweight", sp);
    expect_close(dbv, dbs, tol, "group norm dbias", sp);
  }
}

void test_norm(const KernelTable& v, const KernelTable& s) {
  test_row_norms<float>(v, s, 1e-5);
  test_row_norms<double>(v, s, 1e-13);
  for (int64_t sp : {1, 3, 4, 9, 33}) {
    const int64_t n = 3, c = 5;
    const auto x = random_floats(n * c * sp, 83 + sp, -2, 3), dy = random_floats(n * c * sp, 89 + sp);
    const auto w = random_floats(c, 97, 0.5f, 1.5f), b = random_floats(c, 101);
    std::vector<float> rmv(c, 0.0f), rms(c, 0.0f), rvv(c, 1.0f), rvs(c, 1.0f), smv(c), sms(c), siv(c), sis(c);
    std::vector<float> yv(n * c * sp), ys(n * c * sp);
    BatchNormForwardArgs fv{n,    c,     sp,         x.data(),   w.data(),   b.data(),   true,
                            0.1f, 1e-5f, rmv.data(), rvv.data(), smv.data(), siv.data(), yv.data()};
    BatchNormForwardArgs fs{n,    c,     sp,         x.data(),   w.data(),   b.data(),   true,
                            0.1f, 1e-5f, rms.data(), rvs.data(), sms.data(), sis.data(), ys.data()};
    batch_norm_forward(v, fv);
    batch_norm_forward(s, fs);
    expect_close(yv, ys, 1e-5, "batch norm y", sp);
    expect_close(rvv, rvs, 1e-5, "batch norm running_var", sp);
    std::vector<float> dxv(n * c * sp), dxs(n * c * sp), dwv(c), dws(c), dbv(c), dbs(c);
    BatchNormBackwardArgs bv{n,          c,          sp,   x.data(),   dy.data(),  w.data(),
                             sms.data(), sis.data(), true, dxv.data(), dwv.data(), dbv.data()};
    BatchNormBackwardArgs bs{n,          c,          sp,   x.data(),   dy.data(),  w.data(),
                             sms.data(), sis.data(), true, dxs.data(), dws.data(), dbs.data()};
    batch_norm_backward(v, bv);
    batch_norm_backward(s, bs);
    expect_close(dxv, dxs, 1e-4, "batch norm dx", sp);
    expect_close(dwv, dws, 1e-5, "batch norm dweight", sp);
  }
}

// ---- GEMM: against the scalar table, around the tile edges and the cache blocks.
// ---- Winograd transforms: adds and subtracts in a fixed order, the same bits on every ISA.
void test_winograd(const KernelTable& v, const KernelTable& s) {
  // Planes of 1x1 .. 17x19 (0, partial and several 8-tile chunks a row), padding 0..2.
  const int64_t shapes[][4] = {{1, 1, 1, 1}, {5, 7, 1, 2}, {16, 16, 1, 1}, {17, 19, 2, 0}, {9, 34, 0, 1}};
  for (const auto& sh : shapes) {
    const int64_t h = sh[0], w = sh[1], ph = sh[2], pw = sh[3];
    const int64_t oh = h + 2 * ph - 2 > 0 ? h + 2 * ph - 2 : 1, ow = w + 2 * pw - 2 > 0 ? w + 2 * pw - 2 : 1;
    WinogradGeom g{1, 1, h, w, 1, oh, ow, ph, pw, (oh + 1) / 2, (ow + 1) / 2, 0};
    g.tiles = g.th * g.tw;
    const WinogradPadded pg{2 * g.th + 2, 2 * g.tw + 2 + 2 * kWinogradChunk, ph, pw, h, w};
    std::vector<float> padded(pg.rows * pg.len, 0.f);
    const auto plane = random_floats(h * w, 71 + h * w);
    for (int64_t r = 0; r < h; ++r)
      for (int64_t c = 0; c < w; ++c)
        if (r + ph < pg.rows && c + pw < pg.len) padded[(r + ph) * pg.len + c + pw] = plane[r * w + c];
    const int64_t ld = g.tiles + 5;
    std::vector<float> scratch(4 * kWinogradChunk * pg.rows + 4 * g.tiles + 64);
    std::vector<float> vv(16 * ld, 0.f), vs(16 * ld, 0.f);
    v.winograd.input(g, pg, padded.data(), vv.data(), ld, scratch.data());
    s.winograd.input(g, pg, padded.data(), vs.data(), ld, scratch.data());
    expect_same(vv, vs, "winograd input transform", h * w);
    // dy planes: 2x2 tiles from (0, 0), zero past the edge (the driver's padded_dy layout).
    const WinogradPadded pd{2 * g.th, 2 * g.tw + 2 * kWinogradChunk, 0, 0, oh, ow};
    std::vector<float> dy(pd.rows * pd.len, 0.f);
    const auto dyp = random_floats(oh * ow, 73 + oh);
    for (int64_t r = 0; r < oh; ++r)
      for (int64_t c = 0; c < ow; ++c) dy[r * pd.len + c] = dyp[r * ow + c];
    std::vector<float> dv(16 * ld, 0.f), ds(16 * ld, 0.f);
    v.winograd.output_grad(g, pd, dy.data(), dv.data(), ld);
    s.winograd.output_grad(g, pd, dy.data(), ds.data(), ld);
    expect_same(dv, ds, "winograd output-gradient transform", h * w);
    const auto m = random_floats(16 * ld, 79 + oh);
    std::vector<float> yv(oh * ow, 0.f), ys(oh * ow, 0.f);
    v.winograd.output(g, m.data(), ld, 0.25f, yv.data(), scratch.data());
    s.winograd.output(g, m.data(), ld, 0.25f, ys.data(), scratch.data());
    expect_same(yv, ys, "winograd output transform", h * w);
  }
}

// ---- direct convolution: sums of the same taps in the same order, fused or not: within rounding.
void test_conv_direct(const KernelTable& v, const KernelTable& s) {
  // c, oc, kh, kw, sh, dh, dw, oh, ow: rows of whole, partial and sub-register width.
  const int64_t shapes[][9] = {
      {3, 32, 3, 3, 1, 1, 1, 9, 32}, {1, 13, 3, 3, 2, 1, 2, 5, 28}, {2, 7, 5, 2, 1, 2, 1, 4, 3}};
  for (const auto& sh : shapes) {
    const int64_t c = sh[0], oc = sh[1], kh = sh[2], kw = sh[3], oh = sh[7], ow = sh[8];
    const int64_t rows = (oh - 1) * sh[4] + (kh - 1) * sh[5] + 1;
    const int64_t ld = (ow + 2 * 16 - 1) / 32 * 32 + (kw - 1) * sh[6] + 32;  // room for any width
    const int64_t wt_ld = (oc + 23) / 24 * 24;                               // a multiple of every block
    const auto xpad = random_floats(c * rows * ld, 81 + c);
    const auto wt = random_floats(c * kh * kw * wt_ld, 83 + oc);
    const auto bias = random_floats(oc, 89);
    std::vector<float> yv(oc * oh * ow, 0.f), ys(oc * oh * ow, 0.f);
    ConvDirectArgs a{c,  oc,          kh,   kw, sh[4],     sh[5], sh[6],       oh,
                     ow, xpad.data(), rows, ld, wt.data(), wt_ld, bias.data(), yv.data()};
    v.conv_direct.forward(a, 0, oh);
    a.y = ys.data();
    s.conv_direct.forward(a, 0, oh);
    expect_close(yv, ys, 1e-5, "direct convolution", c * kh * kw);
  }
}

void gemm_case(const KernelTable& v, const KernelTable& s, bool ta, bool tb, int64_t m, int64_t n, int64_t k,
               float beta) {
  const int64_t lda = ta ? m + 1 : k + 2, ldb = tb ? k + 3 : n + 1, ldc = n + 2;
  const auto a = random_floats((ta ? k : m) * lda, 53 + m + k), b = random_floats((tb ? n : k) * ldb, 59 + n + k);
  const auto c0 = random_floats(m * ldc, 61 + m);
  auto cv = c0, cs = c0;
  sgemm(v, ta, tb, m, n, k, 0.75f, a.data(), lda, b.data(), ldb, beta, cv.data(), ldc);
  sgemm(s, ta, tb, m, n, k, 0.75f, a.data(), lda, b.data(), ldb, beta, cs.data(), ldc);
  // Inputs in [-1, 1): each dot product's rounding error is below k * 2^-23 (plus beta*C's).
  const double tol = 2.0 * (k + 2) * 0x1p-23;
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < ldc; ++j) {
      const size_t at = static_cast<size_t>(i * ldc + j);
      const bool ok = j < n ? close(cv[at], cs[at], tol) : same_bits(cv[at], c0[at]);
      CHECK(ok, "gemm ta=%d tb=%d %lldx%lldx%lld beta %g at (%lld, %lld): %g vs %g", ta, tb, (long long)m, (long long)n,
            (long long)k, beta, (long long)i, (long long)j, cv[at], cs[at]);
    }
}

void test_gemm(const KernelTable& v, const KernelTable& s) {
  const GemmKernels& g = v.gemm;
  const int64_t mr = g.mr, nr = g.nr;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (int64_t m : {int64_t{1}, mr - 1, mr, mr + 1, 2 * mr + 3})
        for (int64_t n : {int64_t{1}, nr - 1, nr, nr + 1, 2 * nr + 5})
          for (int64_t k : {1, 4, 5, 17}) gemm_case(v, s, ta, tb, m, n, k, k == 5 ? 1.0f : 0.0f);
  // Across the cache blocks: kc, mc and nc edges.
  gemm_case(v, s, false, false, mr + 2, nr + 1, g.kc + 3, 1.0f);
  gemm_case(v, s, true, true, 5, 7, g.kc + 1, 0.0f);
  gemm_case(v, s, false, false, g.mc + 1, 9, 3, 0.0f);
  gemm_case(v, s, false, true, 3, g.nc + 1, 3, 0.5f);
  gemm_case(v, s, false, false, 70, 90, 200, 0.0f);  // threaded
}

}  // namespace

int main() {
  // The build wiring: NEON is baseline on arm64, so its table must be there and be the default;
  // and MYELIN_ISA, when set (scripts/test_neon.sh sets neon), must have been accepted.
#if defined(__aarch64__)
  CHECK(isa_supported(Isa::Neon) && best_isa() == Isa::Neon, "arm64 build without the NEON kernel table");
#endif
  if (const char* env = std::getenv("MYELIN_ISA")) {
    CHECK(dispatch_error()[0] == '\0', "%s", dispatch_error());
    CHECK(std::strcmp(isa_name(active_isa()), env) == 0, "MYELIN_ISA=%s, active %s", env, isa_name(active_isa()));
  }
  const KernelTable& scalar = kernels_for(Isa::Scalar);
  int tested = 0;
  for (int i = 0; i < kNumIsas; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa == Isa::Scalar || !isa_supported(isa)) continue;
    const KernelTable& v = kernels_for(isa);
    std::printf("%s (gemm %s):\n", isa_name(isa), v.gemm.name);
    test_unary(v, scalar, isa_name(isa));
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      const int before = g_failures;
      test_binary<float>(v, scalar, "float32");
      test_binary<double>(v, scalar, "float64");
      test_reduce(v, scalar);
      test_softmax<float>(v, scalar, 1e-5);
      test_softmax<double>(v, scalar, 1e-13);
      test_softmax_stream<float>(v, scalar, 1e-5);
      test_softmax_stream<double>(v, scalar, 1e-13);
      test_rnn(v, scalar);
      test_optim<float>(v, scalar);
      test_optim<double>(v, scalar);
      test_norm(v, scalar);
      test_gemm(v, scalar);
      test_winograd(v, scalar);
      test_conv_direct(v, scalar);
      test_quantize(v, scalar);
      test_convert(v, scalar);
      test_limits(v, scalar);
      std::printf(
          "  %s binary (float32, float64), reduce, softmax, rnn, optim, norm, gemm, winograd, direct conv, quantize, "
          "convert, limits at "
          "%d thread(s): %s\n",
          isa_name(isa), threads, g_failures == before ? "ok" : "FAILED");
    }
    ++tested;
  }
  std::printf("%d vector ISA(s) checked against scalar, best ISA %s, active %s: %s\n", tested, isa_name(best_isa()),
              isa_name(active_isa()), g_failures ? "FAILED" : "ok");
  return g_failures ? 1 : 0;
}
