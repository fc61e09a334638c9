// The softmax row kernels, written once over a vector type S and compiled once per ISA.
// Included by softmax_<isa>.cpp inside an anonymous namespace, after that file defines S:
//   S::reg, S::width, load, store, set1, add, sub, mul, max, exp (vector exp), hsum, hmax,
//   and S::exp1 / S::log1 for single floats (the same approximation as the vector exp where
//   the ISA has one, so a row's tail agrees with its body).

float row_max(int64_t n, const float* x) {
  constexpr int W = S::width;
  int64_t i = 0;
  float m = -__builtin_inff();
  if (n >= W) {
    typename S::reg vm = S::load(x);
    for (i = W; i + W <= n; i += W) vm = S::max(vm, S::load(x + i));
    m = S::hmax(vm);
  }
  for (; i < n; ++i) m = x[i] > m || x[i] != x[i] ? x[i] : m;
  return m;
}

// y[i] = exp(x[i] - shift) (y may be null: sum only); returns the sum.
float exp_shift_sum(int64_t n, const float* x, float shift, float* y) {
  constexpr int W = S::width;
  const typename S::reg vs = S::set1(shift);
  typename S::reg acc0 = S::set1(0.f), acc1 = S::set1(0.f);
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const typename S::reg e0 = S::exp(S::sub(S::load(x + i), vs));
    const typename S::reg e1 = S::exp(S::sub(S::load(x + i + W), vs));
    if (y) {
      S::store(y + i, e0);
      S::store(y + i + W, e1);
    }
    acc0 = S::add(acc0, e0);
    acc1 = S::add(acc1, e1);
  }
  for (; i + W <= n; i += W) {
    const typename S::reg e = S::exp(S::sub(S::load(x + i), vs));
    if (y) S::store(y + i, e);
    acc0 = S::add(acc0, e);
  }
  float s = S::hsum(S::add(acc0, acc1));
  for (; i < n; ++i) {
    const float e = S::exp1(x[i] - shift);
    if (y) y[i] = e;
    s += e;
  }
  return s;
}

void scale_row(int64_t n, float* y, float factor) {
  constexpr int W = S::width;
  const typename S::reg vf = S::set1(factor);
  int64_t i = 0;
  for (; i + W <= n; i += W) S::store(y + i, S::mul(S::load(y + i), vf));
  for (; i < n; ++i) y[i] *= factor;
}

void softmax_row(int64_t n, const float* x, float* y) {
  if (n == 0) return;
  const float m = row_max(n, x);
  if (m == __builtin_inff() || m != m) {
    // An +inf or NaN in the row: PyTorch's result is NaN throughout (inf - inf).
    for (int64_t i = 0; i < n; ++i) y[i] = __builtin_nanf("");
    return;
  }
  const float s = exp_shift_sum(n, x, m, y);
  scale_row(n, y, 1.f / s);
}

float logsumexp_row(int64_t n, const float* x) {
  if (n == 0) return -__builtin_inff();
  const float m = row_max(n, x);
  if (m == -__builtin_inff() || m == __builtin_inff() || m != m) return m;
  return m + S::log1(exp_shift_sum(n, x, m, nullptr));
}

void log_softmax_row(int64_t n, const float* x, float* y) {
  if (n == 0) return;
  const float lse = logsumexp_row(n, x);
  constexpr int W = S::width;
  const typename S::reg vl = S::set1(lse);
  int64_t i = 0;
  for (; i + W <= n; i += W) S::store(y + i, S::sub(S::load(x + i), vl));
  for (; i < n; ++i) y[i] = x[i] - lse;
}

float dot_row(int64_t n, const float* a, const float* b) {
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

float sum_row(int64_t n, const float* a) {
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
  for (; i + W <= n; i += W) S::store(dx + i, S::sub(S::load(dy + i), S::mul(S::exp(S::load(y + i)), vs)));
  for (; i < n; ++i) dx[i] = dy[i] - S::exp1(y[i]) * s;
}

void fill_softmax_rows(SoftmaxKernels* k) {
  k->softmax = softmax_row;
  k->log_softmax = log_softmax_row;
  k->logsumexp = logsumexp_row;
  k->softmax_backward = softmax_backward_row;
  k->log_softmax_backward = log_softmax_backward_row;
}
