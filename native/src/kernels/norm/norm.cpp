// Drivers of the normalisation family: shapes, threading and the per-channel / per-row scalar
// arithmetic around the row kernels. Batch norm is split across channels (each channel's
// statistics and its whole backward are one thread's), layer norm across rows, group norm
// across (sample, group) pairs.
#include "kernels/norm/norm.h"

#include <cmath>

#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

// Elements per thread below which waking a worker costs more than it saves.
constexpr int64_t kNormGrain = 1 << 14;
// Layer norm backward: rows whose weight / bias gradients are summed in float before they
// are added to the double totals.
constexpr int64_t kFlushRows = 128;

int64_t grain_for(int64_t per_item) { return per_item > 0 ? (kNormGrain + per_item - 1) / per_item : kNormGrain; }

template <class T>
T inv_std(double var, T eps) {
  return static_cast<T>(1.0 / std::sqrt(var + static_cast<double>(eps)));
}

// Training statistics of channel c and the running-stats update (torch's
// batch_norm_cpu_update_stats_template: float momentum, the unbiased variance in double).
void channel_stats(const BatchNormForwardArgs& a, int64_t c, double sum, double sq_dev_sum) {
  const int64_t m = a.n * a.s;
  const float mean = static_cast<float>(sum / static_cast<double>(m));
  const float var_sum = static_cast<float>(sq_dev_sum);
  a.save_mean[c] = mean;
  a.save_invstd[c] = inv_std(static_cast<double>(var_sum) / static_cast<double>(m), a.eps);
  if (a.running_mean) a.running_mean[c] = a.momentum * mean + (1.f - a.momentum) * a.running_mean[c];
  if (a.running_var) {
    const double unbiased = static_cast<double>(var_sum) / static_cast<double>(m - 1);
    a.running_var[c] = static_cast<float>(a.momentum * unbiased + (1.f - a.momentum) * a.running_var[c]);
  }
}

// y = (x - mean) * scale + shift. Centring first keeps the result accurate when |mean| is large
// next to the spread: x * scale + (shift - mean * scale) cancels catastrophically unless the
// multiply-add is fused, so it would differ between the scalar and the FMA paths.
template <class T>
void channel_affine(const T* weight, const T* bias, int64_t c, T invstd, T* scale, T* shift) {
  *scale = invstd * (weight ? weight[c] : T(1));
  *shift = bias ? bias[c] : T(0);
}

// [N, C] input (s == 1): channels are columns, so the loops run across channels (contiguous)
// for a block of channels per thread.
void batch_norm_forward_columns(const BatchNormForwardArgs& a) {
  const int64_t N = a.n, C = a.c;
  parallel_for(C, grain_for(N), [&](int64_t c0, int64_t c1) {
    const int64_t w = c1 - c0;
    const Scratch<float> scale(w), shift(w);
    if (a.training) {
      const Scratch<double> sum = Scratch<double>::zeros(w), sq = Scratch<double>::zeros(w);
      const Scratch<float> mean(w);
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < w; ++j) sum[j] += a.x[n * C + c0 + j];
      for (int64_t j = 0; j < w; ++j) mean[j] = static_cast<float>(sum[j] / static_cast<double>(N));
      for (int64_t n = 0; n < N; ++n)
        for (int64_t j = 0; j < w; ++j) {
          const double d = static_cast<double>(a.x[n * C + c0 + j] - mean[j]);
          sq[j] += d * d;
        }
      for (int64_t j = 0; j < w; ++j) channel_stats(a, c0 + j, sum[j], sq[j]);
    }
    for (int64_t j = 0; j < w; ++j)
      channel_affine(a.weight, a.bias, c0 + j, a.save_invstd[c0 + j], &scale[j], &shift[j]);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < w; ++j)
        a.y[n * C + c0 + j] = (a.x[n * C + c0 + j] - a.save_mean[c0 + j]) * scale[j] + shift[j];
  });
}

}  // namespace

void batch_norm_forward(const KernelTable& k, const BatchNormForwardArgs& a) {
  const NormRows<float>& r = k.norm.f32;
  const int64_t N = a.n, C = a.c, S = a.s;
  if (!a.training) {
    for (int64_t c = 0; c < C; ++c) {
      a.save_mean[c] = a.running_mean[c];
      a.save_invstd[c] = inv_std(static_cast<double>(a.running_var[c]), a.eps);
    }
  }
  if (S == 1) {
    batch_norm_forward_columns(a);
    return;
  }
  if (!a.training) {
    // Every (n, c) plane is independent: split across planes.
    parallel_for(N * C, grain_for(S), [&](int64_t p0, int64_t p1) {
      for (int64_t p = p0; p < p1; ++p) {
        const int64_t c = p % C;
        float scale, shift;
        channel_affine(a.weight, a.bias, c, a.save_invstd[c], &scale, &shift);
        r.scale_shift(S, a.x + p * S, a.save_mean[c], scale, shift, a.y + p * S);
      }
    });
    return;
  }
  parallel_for(C, grain_for(N * S), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      double sum = 0, sq = 0;
      for (int64_t n = 0; n < N; ++n) sum += r.sum(S, a.x + (n * C + c) * S);
      const float mean = static_cast<float>(sum / static_cast<double>(N * S));
      for (int64_t n = 0; n < N; ++n) sq += r.sum_sq_dev(S, a.x + (n * C + c) * S, mean);
      channel_stats(a, c, sum, sq);
      float scale, shift;
      channel_affine(a.weight, a.bias, c, a.save_invstd[c], &scale, &shift);
      for (int64_t n = 0; n < N; ++n)
        r.scale_shift(S, a.x + (n * C + c) * S, a.save_mean[c], scale, shift, a.y + (n * C + c) * S);
    }
  });
}

namespace {

// dx = k (g - mean(g) - xhat mean(g xhat)) in training, k g in eval, k = invstd * w, written as
// dx = a g + b (x - mean) + c; sum_gx = sum(g (x - mean)).
void channel_grad_coefficients(const BatchNormBackwardArgs& a, int64_t c, double sum_g, double sum_gx, float* ca,
                               float* cb, float* cc) {
  const float invstd = a.save_invstd[c];
  const float kk = invstd * (a.weight ? a.weight[c] : 1.f);
  *ca = kk;
  *cb = 0.f;
  *cc = 0.f;
  if (a.training) {
    const double m = static_cast<double>(a.n * a.s);
    *cb = static_cast<float>(-kk * (sum_gx / m) * invstd * invstd);
    *cc = static_cast<float>(-kk * (sum_g / m));
  }
}

void channel_param_grads(const BatchNormBackwardArgs& a, int64_t c, double sum_g, double sum_gx) {
  if (a.dweight) a.dweight[c] = static_cast<float>(sum_gx * a.save_invstd[c]);
  if (a.dbias) a.dbias[c] = static_cast<float>(sum_g);
}

void batch_norm_backward_columns(const BatchNormBackwardArgs& a) {
  const int64_t N = a.n, C = a.c;
  parallel_for(C, grain_for(N), [&](int64_t c0, int64_t c1) {
    const int64_t w = c1 - c0;
    const Scratch<double> sg = Scratch<double>::zeros(w), sgx = Scratch<double>::zeros(w);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < w; ++j) {
        const float g = a.dy[n * C + c0 + j];
        sg[j] += g;
        sgx[j] += static_cast<double>(g) * (a.x[n * C + c0 + j] - a.save_mean[c0 + j]);
      }
    const Scratch<float> ca(w), cb(w), cc(w);
    for (int64_t j = 0; j < w; ++j) {
      channel_param_grads(a, c0 + j, sg[j], sgx[j]);
      channel_grad_coefficients(a, c0 + j, sg[j], sgx[j], &ca[j], &cb[j], &cc[j]);
    }
    if (!a.dx) return;
    for (int64_t n = 0; n < N; ++n)
      for (int64_t j = 0; j < w; ++j) {
        const int64_t i = n * C + c0 + j;
        a.dx[i] = ca[j] * a.dy[i] + (cb[j] * (a.x[i] - a.save_mean[c0 + j]) + cc[j]);
      }
  });
}

}  // namespace

void batch_norm_backward(const KernelTable& k, const BatchNormBackwardArgs& a) {
  const NormRows<float>& r = k.norm.f32;
  const int64_t N = a.n, C = a.c, S = a.s;
  if (S == 1) {
    batch_norm_backward_columns(a);
    return;
  }
  parallel_for(C, grain_for(N * S), [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) {
      const float mean = a.save_mean[c];
      double sum_g = 0, sum_gx = 0;
      for (int64_t n = 0; n < N; ++n) {
        double sg, sgx;
        r.grad_sums(S, a.dy + (n * C + c) * S, a.x + (n * C + c) * S, mean, &sg, &sgx);
        sum_g += sg;
        sum_gx += sgx;
      }
      channel_param_grads(a, c, sum_g, sum_gx);
      if (!a.dx) continue;
      float ca, cb, cc;
      channel_grad_coefficients(a, c, sum_g, sum_gx, &ca, &cb, &cc);
      for (int64_t n = 0; n < N; ++n) {
        const int64_t off = (n * C + c) * S;
        r.grad_combine(S, a.dy + off, a.x + off, mean, ca, cb, cc, a.dx + off);
      }
    }
  });
}

namespace {

template <class T>
const NormRows<T>& rows_of(const NormKernels& k);
template <>
const NormRows<float>& rows_of<float>(const NormKernels& k) {
  return k.f32;
}
template <>
const NormRows<double>& rows_of<double>(const NormKernels& k) {
  return k.f64;
}

}  // namespace
template <class T>
void layer_norm_forward(const KernelTable& k, int64_t rows, int64_t d, const T* x, const T* weight, const T* bias,
                        T eps, T* mean, T* invstd, T* y) {
  const NormRows<T>& r = rows_of<T>(k.norm);
  parallel_for(rows, grain_for(d), [&](int64_t r0, int64_t r1) {
    for (int64_t i = r0; i < r1; ++i) {
      const T* xr = x + i * d;
      const T m = static_cast<T>(r.sum(d, xr) / static_cast<double>(d));
      const T is = inv_std(r.sum_sq_dev(d, xr, m) / static_cast<double>(d), eps);
      mean[i] = m;
      invstd[i] = is;
      r.affine_row(d, xr, m, is, weight, bias, y + i * d);
    }
  });
}

template <class T>
void layer_norm_backward(const KernelTable& k, int64_t rows, int64_t d, const T* x, const T* dy, const T* weight,
                         const T* mean, const T* invstd, T* dx, T* dweight, T* dbias) {
  const NormRows<T>& r = rows_of<T>(k.norm);
  const bool params = dweight || dbias;
  if (rows <= 0) {
    for (int64_t j = 0; j < d; ++j) {
      if (dweight) dweight[j] = T(0);
      if (dbias) dbias[j] = T(0);
    }
    return;
  }
  const int nt = split_threads_for(rows, grain_for(d));
  // Per thread: partials in the element type over kFlushRows rows, then double totals.
  const Scratch<T> part(params ? nt * 2 * d : 0);
  const Scratch<double> total = Scratch<double>::zeros(params ? nt * 2 * d : 0);
  auto work = [&](int tid, int nthreads) {
    const int64_t r0 = rows * tid / nthreads, r1 = rows * (tid + 1) / nthreads;
    T* pw = params ? part.get() + tid * 2 * d : nullptr;
    T* pb = params ? pw + d : nullptr;
    double* tw = params ? total.get() + tid * 2 * d : nullptr;
    double* tb = params ? tw + d : nullptr;
    auto flush = [&]() {
      for (int64_t j = 0; j < d; ++j) {
        tw[j] += pw[j];
        tb[j] += pb[j];
        pw[j] = pb[j] = T(0);
      }
    };
    if (params)
      for (int64_t j = 0; j < d; ++j) pw[j] = pb[j] = T(0);
    for (int64_t i = r0; i < r1; ++i) {
      const T* g = dy + i * d;
      const T* xr = x + i * d;
      double s_gw, s_gwx;
      r.affine_grad_sums(d, g, xr, weight, mean[i], invstd[i], &s_gw, &s_gwx, pw, pb);
      if (dx) {
        const T a = static_cast<T>(s_gw / static_cast<double>(d));
        const T b = static_cast<T>(s_gwx / static_cast<double>(d));
        r.affine_backward_row(d, g, xr, weight, mean[i], invstd[i], a, b, dx + i * d);
      }
      if (params && (i - r0 + 1) % kFlushRows == 0) flush();
    }
    if (params) flush();
  };
  parallel_run(nt, work);
  if (!params) return;
  for (int64_t j = 0; j < d; ++j) {
    double sw = 0, sb = 0;
    for (int t = 0; t < nt; ++t) {
      sw += total[t * 2 * d + j];
      sb += total[t * 2 * d + d + j];
    }
    if (dweight) dweight[j] = static_cast<T>(sw);
    if (dbias) dbias[j] = static_cast<T>(sb);
  }
}

template <class T>
void group_norm_forward(const KernelTable& k, const GroupNormArgs<T>& a, const T* bias, T eps, T* mean, T* invstd,
                        T* y) {
  const NormRows<T>& r = rows_of<T>(k.norm);
  const int64_t cg = a.c / a.groups, len = cg * a.s;
  parallel_for(a.n * a.groups, grain_for(len), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t n = p / a.groups, g = p % a.groups;
      const int64_t off = (n * a.c + g * cg) * a.s;
      const T m = static_cast<T>(r.sum(len, a.x + off) / static_cast<double>(len));
      const T is = inv_std(r.sum_sq_dev(len, a.x + off, m) / static_cast<double>(len), eps);
      mean[p] = m;
      invstd[p] = is;
      for (int64_t j = 0; j < cg; ++j) {
        const int64_t c = g * cg + j;
        T scale, shift;
        channel_affine(a.weight, bias, c, is, &scale, &shift);
        r.scale_shift(a.s, a.x + off + j * a.s, m, scale, shift, y + off + j * a.s);
      }
    }
  });
}

template <class T>
void group_norm_backward(const KernelTable& k, const GroupNormArgs<T>& a, const T* dy, const T* mean, const T* invstd,
                         T* dx, T* dweight, T* dbias) {
  const NormRows<T>& r = rows_of<T>(k.norm);
  const int64_t cg = a.c / a.groups, len = cg * a.s;
  if (a.n == 0) {  // an empty batch: zero gradients, without a loop over the channels per sample
    for (int64_t c = 0; c < a.c && (dweight || dbias); ++c) {
      if (dweight) dweight[c] = T(0);
      if (dbias) dbias[c] = T(0);
    }
    return;
  }
  // Per (n, c): sum(g) and sum(g (x - mean of its group)); the parameter gradients sum them
  // over n afterwards.
  const Scratch<double> sg = Scratch<double>::zeros(a.n * a.c), sgx = Scratch<double>::zeros(a.n * a.c);
  parallel_for(a.n * a.groups, grain_for(len), [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; ++p) {
      const int64_t n = p / a.groups, g = p % a.groups;
      const int64_t c0 = g * cg, off = (n * a.c + c0) * a.s;
      const T m = mean[p], is = invstd[p];
      double A = 0, B = 0;  // sum(w g), sum(w g xhat)
      for (int64_t j = 0; j < cg; ++j) {
        const int64_t i = n * a.c + c0 + j;
        r.grad_sums(a.s, dy + off + j * a.s, a.x + off + j * a.s, m, &sg[i], &sgx[i]);
        const double w = a.weight ? a.weight[c0 + j] : 1.0;
        A += w * sg[i];
        B += w * sgx[i] * is;
      }
      if (!dx) continue;
      // dx = invstd (w g - A / len - xhat B / len)
      const T cb = static_cast<T>(-static_cast<double>(is) * is * B / static_cast<double>(len));
      const T cc = static_cast<T>(-static_cast<double>(is) * A / static_cast<double>(len));
      for (int64_t j = 0; j < cg; ++j) {
        const T ca = is * (a.weight ? a.weight[c0 + j] : T(1));
        r.grad_combine(a.s, dy + off + j * a.s, a.x + off + j * a.s, m, ca, cb, cc, dx + off + j * a.s);
      }
    }
  });
  for (int64_t c = 0; c < a.c; ++c) {
    double w = 0, b = 0;
    for (int64_t n = 0; n < a.n; ++n) {
      const int64_t i = n * a.c + c;
      w += sgx[i] * invstd[n * a.groups + c / cg];
      b += sg[i];
    }
    if (dweight) dweight[c] = static_cast<T>(w);
    if (dbias) dbias[c] = static_cast<T>(b);
  }
}

template void layer_norm_forward(const KernelTable&, int64_t, int64_t, const float*, const float*, const float*, float,
                                 float*, float*, float*);
template void layer_norm_forward(const KernelTable&, int64_t, int64_t, const double*, const double*, const double*,
                                 double, double*, double*, double*);
template void layer_norm_backward(const KernelTable&, int64_t, int64_t, const float*, const float*, const float*,
                                  const float*, const float*, float*, float*, float*);
template void layer_norm_backward(const KernelTable&, int64_t, int64_t, const double*, const double*, const double*,
                                  const double*, const double*, double*, double*, double*);
template void group_norm_forward(const KernelTable&, const GroupNormArgs<float>&, const float*, float, float*, float*,
                                 float*);
template void group_norm_forward(const KernelTable&, const GroupNormArgs<double>&, const double*, double, double*,
                                 double*, double*);
template void group_norm_backward(const KernelTable&, const GroupNormArgs<float>&, const float*, const float*,
                                  const float*, float*, float*, float*);
template void group_norm_backward(const KernelTable&, const GroupNormArgs<double>&, const double*, const double*,
                                  const double*, double*, double*, double*);

}  // namespace myelin
