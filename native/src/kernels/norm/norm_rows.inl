// The normalisation row kernels, written once over a vector type N and compiled once per ISA
// for float (the ISA file's N) and double (its ND). Included by norm_<isa>.cpp inside an
// anonymous namespace, after that file defines N and ND, each with:
//   elem, reg, width, load, store, set1, add, sub, mul, fma(a, b, c) = a * b + c.
// Sums: element-type lanes (two accumulators) over chunks of kNormChunk, each chunk added in
// double. The scalar build (W == 1) skips the lane loops: every element goes through the element
// loops, which compute in double and round once. A single float accumulator (or an unfused
// multiply-add) would lose far more than the SIMD paths do when |mean| is large next to the
// spread, and the scalar kernels are the oracle the SIMD ones are tested against.

template <class N>
struct NormRowsOf {
  using T = typename N::elem;
  using reg = typename N::reg;
  static constexpr int W = N::width;
  static constexpr bool kLanes = W > 1;

  static double lanes_sum(reg v) {
    T t[W];
    N::store(t, v);
    double s = 0;
    for (int i = 0; i < W; ++i) s += t[i];
    return s;
  }

  static int64_t chunk_len(int64_t n, int64_t start) { return n - start < kNormChunk ? n - start : kNormChunk; }

  static double sum_row(int64_t n, const T* x) {
    double total = 0;
    for (int64_t c0 = 0; c0 < n; c0 += kNormChunk) {
      const int64_t m = chunk_len(n, c0);
      const T* p = x + c0;
      reg a0 = N::set1(T(0)), a1 = N::set1(T(0));
      int64_t i = 0;
      for (; kLanes && i + 2 * W <= m; i += 2 * W) {
        a0 = N::add(a0, N::load(p + i));
        a1 = N::add(a1, N::load(p + i + W));
      }
      for (; kLanes && i + W <= m; i += W) a0 = N::add(a0, N::load(p + i));
      double s = lanes_sum(N::add(a0, a1));
      for (; i < m; ++i) s += p[i];
      total += s;
    }
    return total;
  }

  static double sum_sq_dev_row(int64_t n, const T* x, T mean) {
    const reg vm = N::set1(mean);
    double total = 0;
    for (int64_t c0 = 0; c0 < n; c0 += kNormChunk) {
      const int64_t m = chunk_len(n, c0);
      const T* p = x + c0;
      reg a0 = N::set1(T(0)), a1 = N::set1(T(0));
      int64_t i = 0;
      for (; kLanes && i + 2 * W <= m; i += 2 * W) {
        const reg d0 = N::sub(N::load(p + i), vm);
        const reg d1 = N::sub(N::load(p + i + W), vm);
        a0 = N::fma(d0, d0, a0);
        a1 = N::fma(d1, d1, a1);
      }
      for (; kLanes && i + W <= m; i += W) {
        const reg d = N::sub(N::load(p + i), vm);
        a0 = N::fma(d, d, a0);
      }
      double s = lanes_sum(N::add(a0, a1));
      for (; i < m; ++i) {
        const double d = static_cast<double>(p[i]) - mean;
        s += d * d;
      }
      total += s;
    }
    return total;
  }

  static void scale_shift_row(int64_t n, const T* x, T mean, T scale, T shift, T* y) {
    const reg vm = N::set1(mean), vs = N::set1(scale), vb = N::set1(shift);
    int64_t i = 0;
    for (; kLanes && i + W <= n; i += W) N::store(y + i, N::fma(N::sub(N::load(x + i), vm), vs, vb));
    for (; i < n; ++i) y[i] = static_cast<T>((static_cast<double>(x[i]) - mean) * scale + shift);
  }

  static void grad_sums_row(int64_t n, const T* g, const T* x, T mean, double* sum_g, double* sum_gx) {
    const reg vm = N::set1(mean);
    double tg = 0, tgx = 0;
    for (int64_t c0 = 0; c0 < n; c0 += kNormChunk) {
      const int64_t m = chunk_len(n, c0);
      const T* gp = g + c0;
      const T* xp = x + c0;
      reg ag = N::set1(T(0)), agx = N::set1(T(0));
      int64_t i = 0;
      for (; kLanes && i + W <= m; i += W) {
        const reg gv = N::load(gp + i);
        ag = N::add(ag, gv);
        agx = N::fma(gv, N::sub(N::load(xp + i), vm), agx);
      }
      double sg = lanes_sum(ag), sgx = lanes_sum(agx);
      for (; i < m; ++i) {
        sg += gp[i];
        sgx += static_cast<double>(gp[i]) * (static_cast<double>(xp[i]) - mean);
      }
      tg += sg;
      tgx += sgx;
    }
    *sum_g = tg;
    *sum_gx = tgx;
  }

  static void grad_combine_row(int64_t n, const T* g, const T* x, T mean, T a, T b, T c, T* dx) {
    const reg vm = N::set1(mean), va = N::set1(a), vb = N::set1(b), vc = N::set1(c);
    int64_t i = 0;
    for (; kLanes && i + W <= n; i += W)
      N::store(dx + i, N::fma(va, N::load(g + i), N::fma(vb, N::sub(N::load(x + i), vm), vc)));
    for (; i < n; ++i)
      dx[i] = static_cast<T>(static_cast<double>(a) * g[i] +
                             (static_cast<double>(b) * (static_cast<double>(x[i]) - mean) + c));
  }

  template <bool HasW, bool HasB>
  static void affine_row_t(int64_t n, const T* x, T mean, T invstd, const T* w, const T* b, T* y) {
    const reg vm = N::set1(mean), vs = N::set1(invstd);
    int64_t i = 0;
    for (; kLanes && i + W <= n; i += W) {
      reg v = N::mul(N::sub(N::load(x + i), vm), vs);
      if (HasW && HasB)
        v = N::fma(v, N::load(w + i), N::load(b + i));
      else if (HasW)
        v = N::mul(v, N::load(w + i));
      else if (HasB)
        v = N::add(v, N::load(b + i));
      N::store(y + i, v);
    }
    for (; i < n; ++i) {
      double v = (static_cast<double>(x[i]) - mean) * invstd;
      if (HasW) v *= w[i];
      if (HasB) v += b[i];
      y[i] = static_cast<T>(v);
    }
  }

  static void affine_row(int64_t n, const T* x, T mean, T invstd, const T* w, const T* b, T* y) {
    if (w && b)
      affine_row_t<true, true>(n, x, mean, invstd, w, b, y);
    else if (w)
      affine_row_t<true, false>(n, x, mean, invstd, w, b, y);
    else if (b)
      affine_row_t<false, true>(n, x, mean, invstd, w, b, y);
    else
      affine_row_t<false, false>(n, x, mean, invstd, w, b, y);
  }

  // Sums of gw and gw * xhat; with HasAcc also dw_acc += g * xhat, db_acc += g (this pass reads
  // g and x from memory; folding the accumulation in here hides it behind the loads).
  template <bool HasW, bool HasAcc>
  static void affine_grad_sums_t(int64_t n, const T* g, const T* x, const T* w, T mean, T invstd, double* sum_gw,
                                 double* sum_gw_xhat, T* dw_acc, T* db_acc) {
    const reg vm = N::set1(mean), vs = N::set1(invstd);
    double t0 = 0, t1 = 0;
    for (int64_t c0 = 0; c0 < n; c0 += kNormChunk) {
      const int64_t end = c0 + chunk_len(n, c0);
      reg a0 = N::set1(T(0)), a1 = N::set1(T(0));
      int64_t i = c0;
      for (; kLanes && i + W <= end; i += W) {
        const reg gv = N::load(g + i);
        const reg xhat = N::mul(N::sub(N::load(x + i), vm), vs);
        const reg gw = HasW ? N::mul(gv, N::load(w + i)) : gv;
        a0 = N::add(a0, gw);
        a1 = N::fma(gw, xhat, a1);
        if (HasAcc) {
          N::store(dw_acc + i, N::fma(gv, xhat, N::load(dw_acc + i)));
          N::store(db_acc + i, N::add(N::load(db_acc + i), gv));
        }
      }
      double s0 = lanes_sum(a0), s1 = lanes_sum(a1);
      for (; i < end; ++i) {
        const double xhat = (static_cast<double>(x[i]) - mean) * invstd;
        const double gw = HasW ? static_cast<double>(g[i]) * w[i] : g[i];
        s0 += gw;
        s1 += gw * xhat;
        if (HasAcc) {
          dw_acc[i] = static_cast<T>(dw_acc[i] + g[i] * xhat);
          db_acc[i] += g[i];
        }
      }
      t0 += s0;
      t1 += s1;
    }
    *sum_gw = t0;
    *sum_gw_xhat = t1;
  }

  static void affine_grad_sums(int64_t n, const T* g, const T* x, const T* w, T mean, T invstd, double* sum_gw,
                               double* sum_gw_xhat, T* dw_acc, T* db_acc) {
    if (w && dw_acc)
      affine_grad_sums_t<true, true>(n, g, x, w, mean, invstd, sum_gw, sum_gw_xhat, dw_acc, db_acc);
    else if (w)
      affine_grad_sums_t<true, false>(n, g, x, w, mean, invstd, sum_gw, sum_gw_xhat, dw_acc, db_acc);
    else if (dw_acc)
      affine_grad_sums_t<false, true>(n, g, x, w, mean, invstd, sum_gw, sum_gw_xhat, dw_acc, db_acc);
    else
      affine_grad_sums_t<false, false>(n, g, x, w, mean, invstd, sum_gw, sum_gw_xhat, dw_acc, db_acc);
  }

  template <bool HasW>
  static void affine_backward_t(int64_t n, const T* g, const T* x, const T* w, T mean, T invstd, T a, T b, T* dx) {
    const reg vm = N::set1(mean), vs = N::set1(invstd), va = N::set1(a), vb = N::set1(b);
    int64_t i = 0;
    for (; kLanes && i + W <= n; i += W) {
      const reg gv = N::load(g + i);
      const reg xhat = N::mul(N::sub(N::load(x + i), vm), vs);
      const reg gw = HasW ? N::mul(gv, N::load(w + i)) : gv;
      // invstd * (gw - a - xhat * b)
      N::store(dx + i, N::mul(vs, N::sub(N::sub(gw, va), N::mul(xhat, vb))));
    }
    for (; i < n; ++i) {
      const double xhat = (static_cast<double>(x[i]) - mean) * invstd;
      const double gw = HasW ? static_cast<double>(g[i]) * w[i] : g[i];
      dx[i] = static_cast<T>(invstd * ((gw - a) - xhat * b));
    }
  }

  static void affine_backward_row(int64_t n, const T* g, const T* x, const T* w, T mean, T invstd, T a, T b, T* dx) {
    if (w)
      affine_backward_t<true>(n, g, x, w, mean, invstd, a, b, dx);
    else
      affine_backward_t<false>(n, g, x, w, mean, invstd, a, b, dx);
  }
};

template <class N>
void fill_norm_rows(NormRows<typename N::elem>* k) {
  using R = NormRowsOf<N>;
  k->sum = R::sum_row;
  k->sum_sq_dev = R::sum_sq_dev_row;
  k->scale_shift = R::scale_shift_row;
  k->grad_sums = R::grad_sums_row;
  k->grad_combine = R::grad_combine_row;
  k->affine_row = R::affine_row;
  k->affine_grad_sums = R::affine_grad_sums;
  k->affine_backward_row = R::affine_backward_row;
}

void fill_norm_rows(NormKernels* k) {
  fill_norm_rows<N>(&k->f32);
  fill_norm_rows<ND>(&k->f64);
}
