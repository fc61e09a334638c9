// The softmax row kernels, written once over a vector type S and compiled once per ISA for float
// (the ISA file's S) and double (SD: SoftmaxF64 below over the ISA's float64 vector type VD).
// Included by softmax_<isa>.cpp inside an anonymous namespace, after that file defines S and VD:
//   S::elem, S::reg, S::width, load, store, load_first, store_first, set1, add, sub, mul, max, exp (vector
//   exp), exp_pair (exp of two registers in place, interleaved where that is faster),
//   exp_pair_for_sum (the same for exps that are only summed, where a cheaper one may do), hsum,
//   hmax, and S::log1 for a single element. A row's tail goes through the vector exp too
//   (load_first: one vector op instead of count scalar exps; a 1000-class row has an 8-float
//   tail that cost as much as a third of the row scalar), so it agrees with the body. S::max
//   need not propagate NaN: a NaN in a row reaches the exp sum instead, which the callers check
//   once per row.
// The ISA file also defines NT: kOn (whether it has non-temporal stores), store(p, v) of one
// float or double register to p aligned to the register's size, and fence() (what orders those
// stores before the ones that follow).

// The softmax rows' view of a float64 vector type B: vmath_f64.inl's vector exp (the float64
// unary kernels' exp: the same bits on every ISA) and libm's log of the one sum; the max, sums
// and tails on vectors.
#include "kernels/vmath/vmath_f64.inl"

template <class B>
struct SoftmaxF64 : B {
  using reg = typename B::reg;
  static constexpr int W = B::width;
  static reg max(reg a, reg b) { return B::max_nan(a, b); }
  static reg exp(reg x) { return vd_exp(x); }
  static void exp_pair(reg& a, reg& b) {
    a = exp(a);
    b = exp(b);
  }
  static void exp_pair_for_sum(reg& a, reg& b) { exp_pair(a, b); }
  static double hsum(reg v) {
    double t[W];
    B::store(t, v);
    double s = t[0];
    for (int i = 1; i < W; ++i) s += t[i];
    return s;
  }
  static double hmax(reg v) {  // NaN if a lane is
    double t[W];
    B::store(t, v);
    double m = t[0];
    for (int i = 1; i < W; ++i) m = t[i] != t[i] || t[i] > m ? t[i] : m;
    return m;
  }
  static void store_first(double* p, int64_t n, reg v) {
    double t[W];
    B::store(t, v);
    for (int64_t i = 0; i < n; ++i) p[i] = t[i];
  }
  static double log1(double x) { return ::log(x); }
};
using SD = SoftmaxF64<VD>;

template <class S>
struct SoftmaxRowsOf {
  using T = typename S::elem;
  static constexpr T kInf = T(__builtin_inf());
  static constexpr T kNaN = T(__builtin_nan(""));

  // The largest entry of a row, NaNs ignored or not (see above); -inf for n == 0. Four
  // independent accumulators: this pass pulls the row from memory, and one max chain would make
  // it latency-bound.
  static T row_max(int64_t n, const T* x) {
    constexpr int W = S::width;
    const typename S::reg lowest = S::set1(-kInf);
    typename S::reg m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
    int64_t i = 0;
    for (; i + 4 * W <= n; i += 4 * W) {
      m0 = S::max(m0, S::load(x + i));
      m1 = S::max(m1, S::load(x + i + W));
      m2 = S::max(m2, S::load(x + i + 2 * W));
      m3 = S::max(m3, S::load(x + i + 3 * W));
    }
    for (; i + W <= n; i += W) m0 = S::max(m0, S::load(x + i));
    if (i < n) m1 = S::max(m1, S::load_first(x + i, n - i, -kInf));
    return S::hmax(S::max(S::max(m0, m1), S::max(m2, m3)));
  }

  static bool row_has_nan(int64_t n, const T* x) {
    for (int64_t i = 0; i < n; ++i)
      if (x[i] != x[i]) return true;
    return false;
  }

  // Long sums go block by block: each block's terms are summed in element-type registers, the blocks'
  // sums in double. One float32 accumulator per lane over a whole row would stop growing once it
  // reaches 2^24 times the terms (a row of 2^31 equal terms summed to ~2^29, and its logsumexp to
  // 20.41 instead of 21.49), and would lose every term below half an ulp of a large partial sum;
  // a block gives each lane at most kSumBlock / width terms. The block is a multiple of every
  // ISA's 2 * width, so only the last one has a tail.
  static constexpr int64_t kSumBlock = 256;

  template <typename F>
  static T sum_blocks(int64_t n, F block_sum) {
    if (n <= kSumBlock) return block_sum(0, n);  // most rows: one block, no double
    double total = 0;
    for (int64_t b = 0; b < n; b += kSumBlock) total += block_sum(b, n - b < kSumBlock ? n - b : kSumBlock);
    return static_cast<T>(total);
  }

  // What the exp loops below call once per two registers: nothing, or (the streaming kernels)
  // a step of the previous row's output.
  struct NoTick {
    void operator()() const {}
  };

  // y[i] = exp(x[i] - shift) (y may be null: sum only, with exp_pair_for_sum); returns the sum of one
  // block (NaN if a term is NaN).
  template <class Tick = NoTick>
  static T exp_shift_sum_block(int64_t n, const T* x, T shift, T* y, Tick tick = {}) {
    constexpr int W = S::width;
    const typename S::reg vs = S::set1(shift);
    typename S::reg acc0 = S::set1(T(0)), acc1 = S::set1(T(0));
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      typename S::reg e0 = S::sub(S::load(x + i), vs);
      typename S::reg e1 = S::sub(S::load(x + i + W), vs);
      if (y) {
        S::exp_pair(e0, e1);
        S::store(y + i, e0);
        S::store(y + i + W, e1);
      } else {
        S::exp_pair_for_sum(e0, e1);
      }
      acc0 = S::add(acc0, e0);
      acc1 = S::add(acc1, e1);
      tick();
    }
    for (; i + W <= n; i += W) {
      const typename S::reg e = S::exp(S::sub(S::load(x + i), vs));
      if (y) S::store(y + i, e);
      acc0 = S::add(acc0, e);
    }
    if (i < n) {  // -inf in the spare lanes: exp gives 0 there
      const typename S::reg e = S::exp(S::sub(S::load_first(x + i, n - i, -kInf), vs));
      if (y) S::store_first(y + i, n - i, e);
      acc1 = S::add(acc1, e);
    }
    return S::hsum(S::add(acc0, acc1));
  }

  template <class Tick = NoTick>
  static T exp_shift_sum(int64_t n, const T* x, T shift, T* y, Tick tick = {}) {
    return sum_blocks(
        n, [&](int64_t b, int64_t len) { return exp_shift_sum_block(len, x + b, shift, y ? y + b : nullptr, tick); });
  }

  static void scale_row(int64_t n, T* y, T factor) {
    constexpr int W = S::width;
    const typename S::reg vf = S::set1(factor);
    int64_t i = 0;
    for (; i + W <= n; i += W) S::store(y + i, S::mul(S::load(y + i), vf));
    for (; i < n; ++i) y[i] *= factor;
  }

  // One read of the row from memory (the max pass); the exp pass and the scaling work on it and
  // on y from L1 (a 1000-class row is 4 KB).
  static void softmax_row(int64_t n, const T* x, T* y) {
    if (n == 0) return;
    const T m = row_max(n, x);
    // +inf (inf - inf), NaN, or an all -inf row (-inf - -inf): NaN throughout, as PyTorch.
    const T s = m == kInf || m != m ? m - m : exp_shift_sum(n, x, m, y);
    if (s != s) {
      for (int64_t i = 0; i < n; ++i) y[i] = kNaN;
      return;
    }
    scale_row(n, y, T(1) / s);
  }

  static T logsumexp_row(int64_t n, const T* x) {
    if (n == 0) return -kInf;
    const T m = row_max(n, x);
    if (m == -kInf || m == kInf) return row_has_nan(n, x) ? kNaN : m;
    if (m != m) return m;
    return m + S::log1(exp_shift_sum(n, x, m, nullptr));  // NaN if the row holds one
  }

  // y[i] = x[i] - shift; returns sum(exp(y[i])). Stores the shifted row as it goes, so y's cache
  // lines are fetched while the exps compute rather than in a bare write pass afterwards.
  template <class Tick = NoTick>
  static T shift_store_exp_sum_block(int64_t n, const T* x, T shift, T* y, Tick tick = {}) {
    constexpr int W = S::width;
    const typename S::reg vs = S::set1(shift);
    typename S::reg acc0 = S::set1(T(0)), acc1 = S::set1(T(0));
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      const typename S::reg d0 = S::sub(S::load(x + i), vs);
      const typename S::reg d1 = S::sub(S::load(x + i + W), vs);
      S::store(y + i, d0);
      S::store(y + i + W, d1);
      typename S::reg e0 = d0, e1 = d1;
      S::exp_pair_for_sum(e0, e1);
      acc0 = S::add(acc0, e0);
      acc1 = S::add(acc1, e1);
      tick();
    }
    for (; i + W <= n; i += W) {
      const typename S::reg d = S::sub(S::load(x + i), vs);
      S::store(y + i, d);
      acc0 = S::add(acc0, S::exp(d));
    }
    if (i < n) {  // -inf in the spare lanes: exp gives 0 there
      const typename S::reg d = S::sub(S::load_first(x + i, n - i, -kInf), vs);
      S::store_first(y + i, n - i, d);
      acc1 = S::add(acc1, S::exp(d));
    }
    return S::hsum(S::add(acc0, acc1));
  }

  template <class Tick = NoTick>
  static T shift_store_exp_sum(int64_t n, const T* x, T shift, T* y, Tick tick = {}) {
    return sum_blocks(
        n, [&](int64_t b, int64_t len) { return shift_store_exp_sum_block(len, x + b, shift, y + b, tick); });
  }

  // (x - max) - log(sum(exp(x - max))), in PyTorch's order of operations.
  static void log_softmax_row(int64_t n, const T* x, T* y) {
    if (n == 0) return;
    const T m = row_max(n, x);
    T l;
    if (m == kInf || m == -kInf || m != m) {
      l = kNaN;  // as PyTorch: x - max is NaN or -inf, its exp sum NaN, so every output NaN
    } else {
      l = S::log1(shift_store_exp_sum(n, x, m, y));  // NaN if the row holds one
      x = y;
    }
    constexpr int W = S::width;
    const typename S::reg vl = S::set1(l);
    int64_t i = 0;
    for (; i + W <= n; i += W) S::store(y + i, S::sub(S::load(x + i), vl));
    for (; i < n; ++i) y[i] = x[i] - l;
  }

  // An output too large to stay in cache: a plain store to a line that is not in cache reads
  // the line from memory first, and the fresh lines push the input's out. So each row is computed
  // into an L1 buffer as the plain kernel computes it into y, and its output (the buffer times
  // 1 / sum, or minus log(sum)) is written out with non-temporal stores, which write whole lines
  // to memory without reading them: the same bits, only the stores differ. Those stores go out
  // while the next row's exps compute (one register per two registers of exps, the rest after
  // the row), with the row after it prefetched, so the memory traffic overlaps the arithmetic:
  // written in one burst after each row, they stalled the core until they drained (slower than
  // plain stores); two registers per two of exps measured slower on Zen 4 (1.44 against 1.38 ms
  // for 4096 rows of 1000, one thread). One fence at the end orders them before whatever
  // follows. Rows over the buffer take the plain kernel.
  static constexpr int64_t kStreamRow = (8 << 10) / sizeof(T);

  // The previous row's output, out[i] = buf[i] * c (softmax) or buf[i] - c (log_softmax),
  // written a register at a time from its first 64-byte boundary; plain stores before it and
  // after the last whole register (those lines may hold the neighbouring rows).
  template <bool kSub>
  struct Pending {
    const T* buf = nullptr;
    T* y = nullptr;
    int64_t n = 0, i = 0, end = 0;
    T c = 0;
    typename S::reg vc;
    const char* prefetch = nullptr;
    const char* prefetch_end = nullptr;

    static T op(T a, T c) { return kSub ? a - c : a * c; }
    static typename S::reg op(typename S::reg a, typename S::reg c) { return kSub ? S::sub(a, c) : S::mul(a, c); }

    void start(const T* b, T* out, int64_t len, T k) {
      buf = b, y = out, n = len, c = k, vc = S::set1(k);
      i = 0;
      for (; i < n && reinterpret_cast<uintptr_t>(y + i) % 64 != 0; ++i) y[i] = op(buf[i], c);
      end = i + (n - i) / S::width * S::width;
    }
    void step() {
      if (i < end) {
        NT::store(y + i, op(S::load(buf + i), vc));
        i += S::width;
      }
    }
    void operator()() {
      step();
      if (prefetch < prefetch_end) {
        __builtin_prefetch(prefetch);
        __builtin_prefetch(prefetch + 64);
        prefetch += 128;
      }
    }
    void finish() {
      for (; i < end; i += S::width) NT::store(y + i, op(S::load(buf + i), vc));
      for (; i < n; ++i) y[i] = op(buf[i], c);
    }
  };

  template <bool kLog>
  static void streamed(int64_t rows, int64_t n, const T* x, T* y) {
    if (n > kStreamRow) {
      for (int64_t r = 0; r < rows; ++r) (kLog ? log_softmax_row : softmax_row)(n, x + r * n, y + r * n);
      return;
    }
    alignas(64) T buf[2][kStreamRow];
    Pending<kLog> out;
    for (int64_t r = 0; r < rows; ++r) {
      const T* xr = x + r * n;
      T* b = buf[r & 1];
      // The row after this one comes in while this one computes (the max pass reads it next).
      out.prefetch = reinterpret_cast<const char*>(xr + n);
      out.prefetch_end = r + 1 < rows ? reinterpret_cast<const char*>(xr + 2 * n) : out.prefetch;
      const T m = row_max(n, xr);
      T c;
      if (kLog) {
        if (m == kInf || m == -kInf || m != m) {
          c = kNaN;  // as log_softmax_row: x - NaN throughout
          for (int64_t i = 0; i < n; ++i) b[i] = xr[i];
        } else {
          c = S::log1(shift_store_exp_sum(n, xr, m, b, [&out] { out(); }));
        }
      } else {
        const T s = m == kInf || m != m ? m - m : exp_shift_sum(n, xr, m, b, [&out] { out(); });
        c = T(1) / s;
        if (s != s) {  // as softmax_row: NaN throughout (NaN times 1 keeps its bits)
          for (int64_t i = 0; i < n; ++i) b[i] = kNaN;
          c = T(1);
        }
      }
      out.finish();
      out.start(b, y + r * n, n, c);
    }
    out.finish();
    NT::fence();
  }

  static T dot_row_block(int64_t n, const T* a, const T* b) {
    constexpr int W = S::width;
    typename S::reg acc0 = S::set1(T(0)), acc1 = S::set1(T(0));
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      acc0 = S::add(acc0, S::mul(S::load(a + i), S::load(b + i)));
      acc1 = S::add(acc1, S::mul(S::load(a + i + W), S::load(b + i + W)));
    }
    for (; i + W <= n; i += W) acc0 = S::add(acc0, S::mul(S::load(a + i), S::load(b + i)));
    T s = S::hsum(S::add(acc0, acc1));
    for (; i < n; ++i) s += a[i] * b[i];
    return s;
  }

  static T dot_row(int64_t n, const T* a, const T* b) {
    return sum_blocks(n, [&](int64_t k, int64_t len) { return dot_row_block(len, a + k, b + k); });
  }

  static T sum_row_block(int64_t n, const T* a) {
    constexpr int W = S::width;
    typename S::reg acc0 = S::set1(T(0)), acc1 = S::set1(T(0));
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      acc0 = S::add(acc0, S::load(a + i));
      acc1 = S::add(acc1, S::load(a + i + W));
    }
    for (; i + W <= n; i += W) acc0 = S::add(acc0, S::load(a + i));
    T s = S::hsum(S::add(acc0, acc1));
    for (; i < n; ++i) s += a[i];
    return s;
  }

  static T sum_row(int64_t n, const T* a) {
    return sum_blocks(n, [&](int64_t k, int64_t len) { return sum_row_block(len, a + k); });
  }

  static void softmax_backward_row(int64_t n, const T* y, const T* dy, T* dx) {
    const T d = dot_row(n, dy, y);
    constexpr int W = S::width;
    const typename S::reg vd = S::set1(d);
    int64_t i = 0;
    for (; i + W <= n; i += W) S::store(dx + i, S::mul(S::load(y + i), S::sub(S::load(dy + i), vd)));
    for (; i < n; ++i) dx[i] = y[i] * (dy[i] - d);
  }

  static void log_softmax_backward_row(int64_t n, const T* y, const T* dy, T* dx) {
    const T s = sum_row(n, dy);
    constexpr int W = S::width;
    const typename S::reg vs = S::set1(s);
    int64_t i = 0;
    for (; i + 2 * W <= n; i += 2 * W) {
      typename S::reg e0 = S::load(y + i), e1 = S::load(y + i + W);
      S::exp_pair(e0, e1);
      S::store(dx + i, S::sub(S::load(dy + i), S::mul(e0, vs)));
      S::store(dx + i + W, S::sub(S::load(dy + i + W), S::mul(e1, vs)));
    }
    for (; i + W <= n; i += W) S::store(dx + i, S::sub(S::load(dy + i), S::mul(S::exp(S::load(y + i)), vs)));
    if (i < n) {
      const typename S::reg e = S::exp(S::load_first(y + i, n - i, T(0)));
      S::store_first(dx + i, n - i, S::sub(S::load_first(dy + i, n - i, T(0)), S::mul(e, vs)));
    }
  }
};

template <class S>
void fill_softmax_rows(SoftmaxRows<typename S::elem>* k) {
  using R = SoftmaxRowsOf<S>;
  k->softmax = R::softmax_row;
  k->log_softmax = R::log_softmax_row;
  k->logsumexp = R::logsumexp_row;
  k->softmax_backward = R::softmax_backward_row;
  k->log_softmax_backward = R::log_softmax_backward_row;
  if constexpr (NT::kOn) {
    k->softmax_stream = R::template streamed<false>;
    k->log_softmax_stream = R::template streamed<true>;
  } else {
    k->softmax_stream = k->log_softmax_stream = nullptr;
  }
}

void fill_softmax_rows(SoftmaxKernels* k) {
  fill_softmax_rows<S>(&k->f32);
  fill_softmax_rows<SD>(&k->f64);
}
