// The softmax row kernels, written once over a vector type V and compiled once per ISA.
// Included by softmax_<isa>.cpp inside an anonymous namespace, after that file defines V:
//   V::reg, V::width, load, store, set1, add, sub, mul, max, exp (vector exp), hsum, hmax,
//   and V::exp1 / V::log1 for single floats (the same approximation as the vector exp where
//   the ISA has one, so a row's tail agrees with its body).

float row_max(int64_t n, const float* x) {
  constexpr int W = V::width;
  int64_t i = 0;
  float m = -__builtin_inff();
  if (n >= W) {
    typename V::reg vm = V::load(x);
    for (i = W; i + W <= n; i += W) vm = V::max(vm, V::load(x + i));
    m = V::hmax(vm);
  }
  for (; i < n; ++i) m = x[i] > m || x[i] != x[i] ? x[i] : m;
  return m;
}

// y[i] = exp(x[i] - shift) (y may be null: sum only); returns the sum.
float exp_shift_sum(int64_t n, const float* x, float shift, float* y) {
  constexpr int W = V::width;
  const typename V::reg vs = V::set1(shift);
  typename V::reg acc0 = V::set1(0.f), acc1 = V::set1(0.f);
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const typename V::reg e0 = V::exp(V::sub(V::load(x + i), vs));
    const typename V::reg e1 = V::exp(V::sub(V::load(x + i + W), vs));
    if (y) {
      V::store(y + i, e0);
      V::store(y + i + W, e1);
    }
    acc0 = V::add(acc0, e0);
    acc1 = V::add(acc1, e1);
  }
  for (; i + W <= n; i += W) {
    const typename V::reg e = V::exp(V::sub(V::load(x + i), vs));
    if (y) V::store(y + i, e);
    acc0 = V::add(acc0, e);
  }
  float s = V::hsum(V::add(acc0, acc1));
  for (; i < n; ++i) {
    const float e = V::exp1(x[i] - shift);
    if (y) y[i] = e;
    s += e;
  }
  return s;
}

void scale_row(int64_t n, float* y, float factor) {
  constexpr int W = V::width;
  const typename V::reg vf = V::set1(factor);
  int64_t i = 0;
  for (; i + W <= n; i += W) V::store(y + i, V::mul(V::load(y + i), vf));
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
  return m + V::log1(exp_shift_sum(n, x, m, nullptr));
}

void log_softmax_row(int64_t n, const float* x, float* y) {
  if (n == 0) return;
  const float lse = logsumexp_row(n, x);
  constexpr int W = V::width;
  const typename V::reg vl = V::set1(lse);
  int64_t i = 0;
  for (; i + W <= n; i += W) V::store(y + i, V::sub(V::load(x + i), vl));
  for (; i < n; ++i) y[i] = x[i] - lse;
}

float dot_row(int64_t n, const float* a, const float* b) {
  constexpr int W = V::width;
  typename V::reg acc0 = V::set1(0.f), acc1 = V::set1(0.f);
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    acc0 = V::add(acc0, V::mul(V::load(a + i), V::load(b + i)));
    acc1 = V::add(acc1, V::mul(V::load(a + i + W), V::load(b + i + W)));
  }
  for (; i + W <= n; i += W) acc0 = V::add(acc0, V::mul(V::load(a + i), V::load(b + i)));
  float s = V::hsum(V::add(acc0, acc1));
  for (; i < n; ++i) s += a[i] * b[i];
  return s;
}

float sum_row(int64_t n, const float* a) {
  constexpr int W = V::width;
  typename V::reg acc0 = V::set1(0.f), acc1 = V::set1(0.f);
  int64_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    acc0 = V::add(acc0, V::load(a + i));
    acc1 = V::add(acc1, V::load(a + i + W));
  }
  for (; i + W <= n; i += W) acc0 = V::add(acc0, V::load(a + i));
  float s = V::hsum(V::add(acc0, acc1));
  for (; i < n; ++i) s += a[i];
  return s;
}

void softmax_backward_row(int64_t n, const float* y, const float* dy, float* dx) {
  const float d = dot_row(n, dy, y);
  constexpr int W = V::width;
  const typename V::reg vd = V::set1(d);
  int64_t i = 0;
  for (; i + W <= n; i += W) V::store(dx + i, V::mul(V::load(y + i), V::sub(V::load(dy + i), vd)));
  for (; i < n; ++i) dx[i] = y[i] * (dy[i] - d);
}

void log_softmax_backward_row(int64_t n, const float* y, const float* dy, float* dx) {
  const float s = sum_row(n, dy);
  constexpr int W = V::width;
  const typename V::reg vs = V::set1(s);
  int64_t i = 0;
  for (; i + W <= n; i += W) V::store(dx + i, V::sub(V::load(dy + i), V::mul(V::exp(V::load(y + i)), vs)));
  for (; i < n; ++i) dx[i] = dy[i] - V::exp1(y[i]) * s;
}

void fill_softmax_rows(SoftmaxKernels* k) {
  k->softmax = softmax_row;
  k->log_softmax = log_softmax_row;
  k->logsumexp = logsumexp_row;
  k->softmax_backward = softmax_backward_row;
  k->log_softmax_backward = log_softmax_backward_row;
}
