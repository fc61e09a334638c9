// Drivers of the softmax family: rows split across threads; cross-entropy built from the row
// kernels plus per-row scalar work.
#include "kernels/softmax/softmax.h"

#include <cmath>

#include "runtime/cpu_features.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {

// Elements per thread below which waking a worker costs more than it saves (exp is ~1 ns).
constexpr int64_t kSoftmaxGrain = 1 << 14;

namespace {
int64_t rows_grain(int64_t n) { return n > 0 ? (kSoftmaxGrain + n - 1) / n : kSoftmaxGrain; }

template <class T>
const SoftmaxRows<T>& rows_of(const SoftmaxKernels& k) {
  if constexpr (sizeof(T) == sizeof(float))
    return k.f32;
  else
    return k.f64;
}
}  // namespace

template <class T>
void softmax_rows(const KernelTable& k, SoftmaxOp op, int64_t rows, int64_t n, const T* x, const T* dy, T* out) {
  // Empty rows hold nothing to read or write, however many there are.
  if (n == 0) return;
  const SoftmaxRows<T>& s = rows_of<T>(k.softmax);
  // The forward ops write an output of a quarter of the L3 or more with non-temporal stores (see
  // SoftmaxRows::softmax_stream): with the input as large, the two would fill half the L3, which
  // is a victim cache of the L2s shared with every other thread. Measured on Zen 4 (32 MiB L3),
  // one thread: at 8 MiB and 16 MiB outputs (2048 and 4096 rows of 1000) 10-25% faster, both into
  // a fresh buffer and into one reused.
  const bool stream = s.softmax_stream && rows * n * int64_t(sizeof(T)) >= cpu_identity().l3 / 4;
  parallel_for(rows, rows_grain(n), [&](int64_t begin, int64_t end) {
    if (stream && (op == SoftmaxOp::Softmax || op == SoftmaxOp::LogSoftmax)) {
      (op == SoftmaxOp::Softmax ? s.softmax_stream : s.log_softmax_stream)(end - begin, n, x + begin * n,
                                                                           out + begin * n);
      return;
    }
    for (int64_t r = begin; r < end; ++r) {
      const T* xr = x + r * n;
      T* yr = out + r * n;
      switch (op) {
        case SoftmaxOp::Softmax:
          s.softmax(n, xr, yr);
          break;
        case SoftmaxOp::LogSoftmax:
          s.log_softmax(n, xr, yr);
          break;
        case SoftmaxOp::SoftmaxBackward:
          s.softmax_backward(n, xr, dy + r * n, yr);
          break;
        case SoftmaxOp::LogSoftmaxBackward:
          s.log_softmax_backward(n, xr, dy + r * n, yr);
          break;
      }
    }
  });
}

template <class T>
void logsumexp_rows(const KernelTable& k, int64_t rows, int64_t n, const T* x, T* out) {
  const SoftmaxRows<T>& s = rows_of<T>(k.softmax);
  parallel_for(rows, rows_grain(n), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) out[r] = s.logsumexp(n, x + r * n);
  });
}

template void softmax_rows(const KernelTable&, SoftmaxOp, int64_t, int64_t, const float*, const float*, float*);
template void softmax_rows(const KernelTable&, SoftmaxOp, int64_t, int64_t, const double*, const double*, double*);
template void logsumexp_rows(const KernelTable&, int64_t, int64_t, const float*, float*);
template void logsumexp_rows(const KernelTable&, int64_t, int64_t, const double*, double*);

void cross_entropy_forward(const KernelTable& k, const CrossEntropyArgs& a, float* losses, float* lse,
                           float* target_weight) {
  const int64_t C = a.classes;
  const float s = a.label_smoothing;
  parallel_for(a.rows, rows_grain(C), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* x = a.logits + r * C;
      const float l = k.softmax.f32.logsumexp(C, x);
      lse[r] = l;
      if (a.targets) {
        const int64_t t = a.targets[r];
        if (t == a.ignore_index) {
          losses[r] = 0.f;
          target_weight[r] = 0.f;
          continue;
        }
        const float wt = a.weight ? a.weight[t] : 1.f;
        float loss = (1.f - s) * wt * (l - x[t]);
        if (s > 0.f) {
          double smooth = 0;  // sum_c w_c (lse - x_c), in double: it adds C terms
          for (int64_t c = 0; c < C; ++c) smooth += (a.weight ? a.weight[c] : 1.f) * (double(l) - x[c]);
          loss += static_cast<float>(s / C * smooth);
        }
        losses[r] = loss;
        target_weight[r] = wt;
      } else {
        const float* p = a.probs + r * C;
        double loss = 0;
        for (int64_t c = 0; c < C; ++c) {
          const float q = (1.f - s) * p[c] + s / C;
          loss += (a.weight ? a.weight[c] : 1.f) * q * (double(l) - x[c]);
        }
        losses[r] = static_cast<float>(loss);
        target_weight[r] = 1.f;
      }
    }
  });
}

void cross_entropy_backward(const KernelTable& k, const CrossEntropyArgs& a, const float* grad_rows, float* dx) {
  const int64_t C = a.classes;
  const float s = a.label_smoothing;
  parallel_for(a.rows, rows_grain(C), [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const float* x = a.logits + r * C;
      float* d = dx + r * C;
      const float g = grad_rows[r];
      if (a.targets) {
        const int64_t t = a.targets[r];
        if (t == a.ignore_index || g == 0.f) {
          for (int64_t c = 0; c < C; ++c) d[c] = 0.f;
          continue;
        }
        // d loss / d x_j = p_j * A - (1-s) w_t [j == t] - s/C w_j,  A = (1-s) w_t + s/C sum_c w_c
        const float wt = a.weight ? a.weight[t] : 1.f;
        float wsum = static_cast<float>(C);
        if (a.weight && s > 0.f) {
          wsum = 0.f;
          for (int64_t c = 0; c < C; ++c) wsum += a.weight[c];
        }
        const float A = (1.f - s) * wt + s / C * wsum;
        k.softmax.f32.softmax(C, x, d);
        const float ga = g * A;
        const float gs = g * s / C;
        if (a.weight)
          for (int64_t c = 0; c < C; ++c) d[c] = d[c] * ga - gs * a.weight[c];
        else
          for (int64_t c = 0; c < C; ++c) d[c] = d[c] * ga - gs;
        d[t] -= g * (1.f - s) * wt;
      } else {
        // d/dx_j sum_c w_c q_c (lse - x_c) = p_j * sum_c w_c q_c - w_j q_j
        const float* p = a.probs + r * C;
        float wq = 0.f;
        for (int64_t c = 0; c < C; ++c) wq += (a.weight ? a.weight[c] : 1.f) * ((1.f - s) * p[c] + s / C);
        k.softmax.f32.softmax(C, x, d);
        for (int64_t c = 0; c < C; ++c) {
          const float q = (1.f - s) * p[c] + s / C;
          d[c] = g * (d[c] * wq - (a.weight ? a.weight[c] : 1.f) * q);
        }
      }
    }
  });
}

}  // namespace myelin
