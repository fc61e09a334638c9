// The softmax row kernels, written once over a vector type S and compiled once per ISA.
// Included by softmax_<isa>.cpp inside an anonymous namespace, after that file defines S:
//   S::reg, S::width, load, store, load_first, store_first, set1, add, sub, mul, max, exp (vector
//   exp), exp_pair (exp of two registers in place, interleaved where that is faster),
//   exp_pair_for_sum (the same for exps that are only summed, where a cheaper one may do), hsum,
//   hmax, and S::log1 for a single float. A row's tail goes through the vector exp too
//   (load_first: one vector op instead of count scalar exps; a 1000-class row has an 8-float
//   tail that cost as much as a third of the row scalar), so it agrees with the body. S::max
//   need not propagate NaN: a NaN in a row reaches the exp sum instead, which the callers check
//   once per row.

// The largest entry of a row, NaNs ignored or not (see above); -inf for n == 0. Four
// independent accumulators: this pass pulls the row from memory, and one max chain would make
// it latency-bound.
float row_max(int64_t n, const float* x) {
  constexpr int W = S::width;
  const typename S::reg lowest = S::set1(-__builtin_inff());
  typename S::reg m0 = lowest, m1 = lowest, m2 = lowest, m3 = lowest;
  int64_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W) {
    m0 = S::max(m0, S::load(x + i));
    m1 = S::max(m1, S::load(x + i + W));
    m2 = S::max(m2, S::load(x + i + 2 * W));
    m3 = S::max(m3, S::load(x + i + 3 * W));
  }
  for (; i + W <= n; i += W) m0 = S::max(m0, S::load(x + i));
  if (i < n) m1 = S::max(m1, S::load_first(x + i, n - i, -__builtin_inff()));
  return S::hmax(S::max(S::max(m0, m1), S::max(m2, m3)));
}

bool row_has_nan(int64_t n, const float* x) {
  for (int64_t i = 0; i < n; ++i)
    if (x[i] != x[i]) return true;
  return false;
}

// Long sums go block by block: each block's terms are summed in float32 registers, the blocks'
// sums in double. One float32 accumulator per lane over a whole row would stop growing once it
// reaches 2^24 times the terms (a row of 2^31 equal terms summed to ~2^29, and its logsumexp to
// 20.41 instead of 21.49), and would lose every term below half an ulp of a large partial sum;
// a block gives each lane at most kSumBlock / width terms. The block is a multiple of every
// ISA's 2 * width, so only the last one has a tail.
constexpr int64_t kSumBlock = 256;

template <typename F>
inline float sum_blocks(int64_t n, F block_sum) {
  if (n <= kSumBlock) return block_sum(0, n);  // most rows: one block, no double
  double total = 0;
  for (int64_t b = 0; b < n; b += kSumBlock) total += block_sum(b, n - b < kSumBlock ? n - b : kSumBlock);
  return static_cast<float>(total);
}

// y[i] = exp(x[i] - shift) (y may be null: sum only, with exp_pair_for_sum); returns the sum of one
// block (NaN if a term is NaN).
float exp_shift_sum_block(int64_t n, const float* x, float shift, float* y) {
  constexpr int W = S::width;
  const typename S::reg vs = S::set1(shift);
  typename S::reg acc0 = S::set1(0.f), acc1 = S::set1(0.f);
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
  }
  for (; i + W <= n; i += W) {
    const typename S::reg e = S::exp(S::sub(S::load(x + i), vs));
    if (y) S::store(y + i, e);
    acc0 = S::add(acc0, e);
  }
  if (i < n) {  // -inf in the spare lanes: exp gives 0 there
    const typename S::reg e = S::exp(S::sub(S::load_first(x + i, n - i, -__builtin_inff()), vs));
    if (y) S::store_first(y + i, n - i, e);
    acc1 = S::add(acc1, e);
  }
  return S::hsum(S::add(acc0, acc1));
}

float exp_shift_sum(int64_t n, const float* x, float shift, float* y) {
  return sum_blocks(
      n, [&](int64_t b, int64_t len) { return exp_shift_sum_block(len, x + b, shift, y ? y + b : nullptr); });
}

void scale_row(int64_t n, float* y, float factor) {
  constexpr int W = S::width;
  const typename S::reg vf = S::set1(factor);
  int64_t i = 0;
  for (; i + W <= n; i += W) S::store(y + i, S::mul(S::load(y + i), vf));
  for (; i < n; ++i) y[i] *= factor;
}

// One read of the row from memory (the max pass); the exp pass and the scaling work on it and
// on y from L1 (a 1000-class row is 4 KB).
void softmax_row(int64_t n, const float* x, float* y) {
  if (n == 0) return;
  const float m = row_max(n, x);
  // +inf (inf - inf), NaN, or an all -inf row (-inf - -inf): NaN throughout, as PyTorch.
  const float s = m == __builtin_inff() || m != m ? m - m : exp_shift_sum(n, x, m, y);
  if (s != s) {
    for (int64_t i = 0; i < n; ++i) y[i] = __builtin_nanf("");
    return;
  }
  scale_row(n, y, 1.f / s);
}

float logsumexp_row(int64_t n, const float* x) {
  if (n == 0) return -__builtin_inff();
  const float m = row_max(n, x);
  if (m == -__builtin_inff() || m == __builtin_inff()) return row_has_nan(n, x) ? __builtin_nanf("") : m;
  if (m != m) return m;
  return m + S::log1(exp_shift_sum(n, x, m, nullptr));  // NaN if the row holds one
}

// y[i] = x[i] - shift; returns sum(exp(y[i])). Stores the shifted row as it goes, so y's cache
// lines are fetched while the exps compute rather than in a bare write pass afterwards.
float shift_store_exp_sum_block(int64_t n, const float* x, float shift, float* y) {
  constexpr int W = S::width;
  const typename S::reg vs = S::set1(shift);
  typename S::reg acc0 = S::set1(0.f), acc1 = S::set1(0.f);
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
  }
  for (; i + W <= n; i += W) {
    const typename S::reg d = S::sub(S::load(x + i), vs);
    S::store(y + i, d);
    acc0 = S::add(acc0, S::exp(d));
  }
  if (i < n) {  // -inf in the spare lanes: exp gives 0 there
    const typename S::reg d = S::sub(S::load_first(x + i, n - i, -__builtin_inff()), vs);
    S::store_first(y + i, n - i, d);
    acc1 = S::add(acc1, S::exp(d));
  }
  return S::hsum(S::add(acc0, acc1));
}

float shift_store_exp_sum(int64_t n, const float* x, float shift, float* y) {
  return sum_blocks(n, [&](int64_t b, int64_t len) { return shift_store_exp_sum_block(len, x + b, shift, y + b); });
}

// (x - max) - log(sum(exp(x - max))), in PyTorch's order of operations.
void log_softmax_row(int64_t n, const float* x, float* y) {
  if (n == 0) return;
  const float m = row_max(n, x);
  float l;
  if (m == __builtin_inff() || m == -__builtin_inff() || m != m) {
    l = logsumexp_row(n, x);  // +-inf or NaN: x - lse gives PyTorch's result
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

float dot_row_block(int64_t n, const float* a, const float* b) {
  constexpr int W = S::width;
  typename S::reg acc0 = S::set1(0.f), acc1 = S::set1(0.f);
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    acc0 = S::add(acc0, S::mul(S::load(a + i), S::load(b + i)));
    acc1 = S::add(acc1, S::mul(S::load(a + i + W), S::load(b + i + W)));
  }
  for (; i + W <= n; i += W) acc0 = S::add(acc0, S::mul(S::load(a + i), S::load(b + i)));
  float s = S::hsum(S::add(acc0, acc1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

float dot_row(int64_t n, const float* a, const float* b) {
  return sum_blocks(n, [&](int64_t k, int64_t len) { return dot_row_block(len, a + k, b + k); });
}

float sum_row_block(int64_t n, const float* a) {
  constexpr int W = S::width;
  typename S::reg acc0 = S::set1(0.f), acc1 = S::set1(0.f);
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    acc0 = S::add(acc0, S::load(a + i));
    acc1 = S::add(acc1, S::load(a + i + W));
  }
  for (; i + W <= n; i += W) acc0 = S::add(acc0, S::load(a + i));
  float s = S::hsum(S::add(acc0, acc1));
  for (; i < n; ++i) s += a[i];
  return s;
}

float sum_row(int64_t n, const float* a) {
  return sum_blocks(n, [&](int64_t k, int64_t len) { return sum_row_block(len, a + k); });
}

void softmax_backward_row(int64_t n, const float* y, const float* dy, float* dx) {
  const float d = dot_row(n, dy, y);
  constexpr int W = S::width;
  const typename S::reg vd = S::set1(d);
  int64_t i = 0;
  for (; i + W <= n; i += W) S::store(dx + i, S::mul(S::load(y + i), S::sub(S::load(dy + i), vd)));
  for (; i < n; ++i) dx[i] = y[i] * (dy[i] - d);
}

void log_softmax_backward_row(int64_t n, const float* y, const float* dy, float* dx) {
  const float s = sum_row(n, dy);
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
    const typename S::reg e = S::exp(S::load_first(y + i, n - i, 0.f));
    S::store_first(dx + i, n - i, S::sub(S::load_first(dy + i, n - i, 0.f), S::mul(e, vs)));
  }
}

void fill_softmax_rows(SoftmaxKernels* k) {
  k->softmax = softmax_row;
  k->log_softmax = log_softmax_row;
  k->logsumexp = logsumexp_row;
  k->softmax_backward = softmax_backward_row;
  k->log_softmax_backward = log_softmax_backward_row;
}
