// Driver of sum, mean, max, min and prod over a set of axes: runs the plan's layout on the
// ISA's row or columns kernels and combines partial results in a fixed order. Written once over
// the element type T (float for float32 tensors, double for float64).
#include <cstdint>
#include <limits>

#include "kernels/reduce/reduce.h"
#include "kernels/reduce/reduce_plan.h"
#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

using namespace reduce_plan;

template <class T>
T combine(ReduceOp op, T a, T b) {
  switch (op) {
    case ReduceOp::Sum:
    case ReduceOp::Mean:
      return a + b;
    case ReduceOp::Prod:
      return a * b;
    case ReduceOp::Max:
      return a != a ? a : (b != b ? b : (a > b ? a : b));
    case ReduceOp::Min:
      return a != a ? a : (b != b ? b : (a < b ? a : b));
  }
  return a;
}

// Combines one output's partial results in push order: pairwise for sums (a binary counter
// of subtotals, so the error grows with log of the count), a plain fold for the others.
template <class T>
class Accum {
 public:
  explicit Accum(ReduceOp op) : op_(op), pairwise_(op == ReduceOp::Sum || op == ReduceOp::Mean) {}

  void push(T v) {
    if (!pairwise_) {
      value_ = count_ ? combine(op_, value_, v) : v;
      ++count_;
      return;
    }
    int level = 0;
    for (uint64_t c = count_; c & 1; c >>= 1) v = levels_[level++] + v;
    levels_[level] = v;
    ++count_;
  }

  T result() const {
    if (!pairwise_) return value_;
    T r = 0;
    bool any = false;
    for (int level = 0; level < 64; ++level) {
      if (!((count_ >> level) & 1)) continue;
      r = any ? levels_[level] + r : levels_[level];
      any = true;
    }
    return r;
  }

 private:
  ReduceOp op_;
  bool pairwise_;
  uint64_t count_ = 0;
  T value_ = 0;
  T levels_[64];
};

template <class T>
T identity(ReduceOp op) {
  switch (op) {
    case ReduceOp::Sum:
      return 0;
    case ReduceOp::Prod:
      return 1;
    default:  // mean of nothing; max/min of nothing (the caller rejects those)
      return std::numeric_limits<T>::quiet_NaN();
  }
}

// The ISA's kernels for the element type.
ReduceRowFn row_kernel(const KernelTable& k, ReduceOp op, const float*) { return k.reduce.row[static_cast<int>(op)]; }
ReduceRowF64Fn row_kernel(const KernelTable& k, ReduceOp op, const double*) {
  return k.reduce.row_f64[static_cast<int>(op)];
}
ReduceColsFn cols_kernel(const KernelTable& k, ReduceOp op, const float*) {
  return k.reduce.cols[static_cast<int>(op)];
}
ReduceColsF64Fn cols_kernel(const KernelTable& k, ReduceOp op, const double*) {
  return k.reduce.cols_f64[static_cast<int>(op)];
}

// ---- layouts ----------------------------------------------------------------------------

template <class T>
void reduce_rows(const KernelTable& k, ReduceOp op, const Plan& p, const T* x, T* out) {
  const auto row = row_kernel(k, op, x);
  const int64_t* kstrides[1] = {p.kept.xs};
  const int64_t* rstrides[1] = {p.red.xs};
  const NdLoop<1> kloop(p.kept.n, p.kept.size, kstrides);
  const NdLoop<1> rloop(p.red.n, p.red.size, rstrides);
  const int64_t ks = kloop.inner_stride(0), rs = rloop.inner_stride(0);
  const T scale = static_cast<T>(p.red_numel);
  auto finish = [&](T v) { return op == ReduceOp::Mean ? v / scale : v; };
  // op over the reduced elements [b, e) (linear, row-major) of the output whose x is at base.
  // The elements each output walks: red_numel, less any broadcast dims max/min left out.
  const int64_t walked = rloop.numel();
  const bool one_run = walked == rloop.inner_size();  // the reduced dims merged into one
  auto reduce_range = [&](const T* base, int64_t b, int64_t e) {
    if (one_run) return row(e - b, base + b * rs, rs);  // skips the n-d walk's divisions
    Accum<T> acc(op);
    rloop.for_each_row(b, e, [&](const int64_t* off, int64_t n) { acc.push(row(n, base + off[0], rs)); });
    return acc.result();
  };

  const int nt = split_threads_for(p.out_numel * walked, kReduceGrain);
  if (nt <= 1 || p.out_numel >= kOutputsPerThread * nt) {
    auto outputs = [&](int tid, int nthreads) {
      const int64_t begin = chunk_begin(p.out_numel, tid, nthreads);
      const int64_t end = chunk_begin(p.out_numel, tid + 1, nthreads);
      int64_t o = begin;
      kloop.for_each_row(begin, end, [&](const int64_t* off, int64_t n) {
        for (int64_t i = 0; i < n; ++i, ++o) out[o] = finish(reduce_range(x + off[0] + i * ks, 0, walked));
      });
    };
    parallel_run(nt, outputs);
    return;
  }
  // Few outputs: split each one's reduction, then combine the partials in thread order.
  for (int64_t o = 0; o < p.out_numel; ++o) {
    const T* base = x;
    kloop.for_each_row(o, o + 1, [&](const int64_t* off, int64_t) { base = x + off[0]; });
    T partial[kMaxThreads];
    auto part = [&](int tid, int nthreads) {
      partial[tid] = reduce_range(base, chunk_begin(walked, tid, nthreads), chunk_begin(walked, tid + 1, nthreads));
    };
    parallel_run(nt, part);
    T v = partial[0];
    for (int t = 1; t < nt; ++t) v = combine(op, v, partial[t]);
    out[o] = finish(v);
  }
}

template <class T>
void reduce_columns(const KernelTable& k, ReduceOp op, const Plan& p, const T* x, T* out) {
  const auto cols_fn = cols_kernel(k, op, x);
  const ColumnsLayout c = columns_layout(p);
  const int64_t* ostrides[2] = {c.outer.xs, c.outer.os};
  const int64_t* rstrides[1] = {c.outer_red.xs};
  const NdLoop<2> oloop(c.outer.n, c.outer.size, ostrides);
  const NdLoop<1> rloop(c.outer_red.n, c.outer_red.size, rstrides);
  const int64_t oxs = oloop.inner_stride(0), oos = oloop.inner_stride(1);
  const int64_t ors = rloop.inner_stride(0);
  const T scale = static_cast<T>(p.red_numel);

  // dst[0, n) = op over rows [r0, r1) (and every outer reduced index) of columns [c0, c0+n).
  // The outer reduced indices (reduced dims that do not merge with the rows dim, a rare
  // layout) are folded in one after another, not pairwise.
  auto unit = [&](const T* xb, int64_t c0, int64_t n, int64_t r0, int64_t r1, T* dst) {
    bool accumulate = false;
    rloop.for_each_row(0, rloop.numel(), [&](const int64_t* off, int64_t m) {
      for (int64_t i = 0; i < m; ++i) {
        cols_fn(r1 - r0, n, xb + off[0] + i * ors + r0 * c.rs + c0 * c.cs, c.rs, c.cs, dst, accumulate);
        accumulate = true;
      }
    });
  };
  auto store = [&](T* ob, int64_t c0, int64_t n, const T* v) {
    for (int64_t j = 0; j < n; ++j) ob[(c0 + j) * c.cos] = op == ReduceOp::Mean ? v[j] / scale : v[j];
  };

  const int nt = split_threads_for(p.out_numel * p.red_numel, kReduceGrain);
  const int64_t chunk = unit_cols(c.cols, oloop.numel(), nt);
  const int64_t nchunks = (c.cols + chunk - 1) / chunk;
  const int64_t units = oloop.numel() * nchunks;
  if (nt <= 1 || units >= nt || c.rows < nt) {
    auto work = [&](int tid, int nthreads) {
      const int64_t u0 = chunk_begin(units, tid, nthreads), u1 = chunk_begin(units, tid + 1, nthreads);
      if (u0 >= u1) return;
      const bool direct = c.cos == 1 && op != ReduceOp::Mean;  // write straight into out
      const Scratch<T> tmp(direct ? 0 : chunk);
      int64_t o = u0 / nchunks;
      oloop.for_each_row(o, (u1 - 1) / nchunks + 1, [&](const int64_t* off, int64_t m) {
        for (int64_t i = 0; i < m; ++i, ++o) {
          const T* xb = x + off[0] + i * oxs;
          T* ob = out + off[1] + i * oos;
          for (int64_t cc = 0; cc < nchunks; ++cc) {
            const int64_t u = o * nchunks + cc;
            if (u < u0 || u >= u1) continue;
            const int64_t c0 = cc * chunk, n = c.cols - c0 < chunk ? c.cols - c0 : chunk;
            unit(xb, c0, n, 0, c.rows, direct ? ob + c0 : tmp.get());
            if (!direct) store(ob, c0, n, tmp.get());
          }
        }
      });
    };
    parallel_run(nt < units ? nt : static_cast<int>(units), work);
    return;
  }
  // Few columns: split the rows; each thread reduces its rows of every output into its own
  // partial (laid out like out), and the partials are combined in thread order.
  const Scratch<T> partial(nt * p.out_numel);
  auto work = [&](int tid, int nthreads) {
    const int64_t r0 = chunk_begin(c.rows, tid, nthreads), r1 = chunk_begin(c.rows, tid + 1, nthreads);
    T* mine = partial.get() + tid * p.out_numel;
    oloop.for_each_row(0, oloop.numel(), [&](const int64_t* off, int64_t m) {
      for (int64_t i = 0; i < m; ++i) {
        const T* xb = x + off[0] + i * oxs;
        const int64_t ob = off[1] + i * oos;
        // Columns of one output are cos apart in out; in the partial too, through a bounce.
        for (int64_t c0 = 0; c0 < c.cols; c0 += chunk) {
          const int64_t n = c.cols - c0 < chunk ? c.cols - c0 : chunk;
          T tmp[kUnitCols];
          unit(xb, c0, n, r0, r1, tmp);
          for (int64_t j = 0; j < n; ++j) mine[ob + (c0 + j) * c.cos] = tmp[j];
        }
      }
    });
  };
  parallel_run(nt, work);
  for (int64_t o = 0; o < p.out_numel; ++o) {
    T v = partial[o];
    for (int t = 1; t < nt; ++t) v = combine(op, v, partial[t * p.out_numel + o]);
    out[o] = op == ReduceOp::Mean ? v / scale : v;
  }
}

template <class T>
void reduce_any(const KernelTable& k, ReduceOp op, int ndim, const int64_t* shape, const T* x, const int64_t* x_strides,
                const bool* reduced, T* out) {
  // max/min ignore repeats, so broadcast reduced dims need not be walked.
  const bool idempotent = op == ReduceOp::Max || op == ReduceOp::Min;
  const Plan p = make_plan(ndim, shape, x_strides, reduced, idempotent);
  if (p.out_numel == 0) return;
  if (p.red_numel == 0) {
    const T v = identity<T>(op);
    for (int64_t o = 0; o < p.out_numel; ++o) out[o] = v;
    return;
  }
  if (p.red.n == 0) {  // one element per output (mean divides by 1)
    gather_kept(p, x, [&](int64_t o, T v) { out[o] = v; });
    return;
  }
  if (p.columns) {
    reduce_columns(k, op, p, x, out);
  } else {
    reduce_rows(k, op, p, x, out);
  }
}

}  // namespace

void reduce_strided(const KernelTable& k, ReduceOp op, int ndim, const int64_t* shape, const float* x,
                    const int64_t* x_strides, const bool* reduced, float* out) {
  reduce_any(k, op, ndim, shape, x, x_strides, reduced, out);
}

void reduce_strided(const KernelTable& k, ReduceOp op, int ndim, const int64_t* shape, const double* x,
                    const int64_t* x_strides, const bool* reduced, double* out) {
  reduce_any(k, op, ndim, shape, x, x_strides, reduced, out);
}

}  // namespace myelin
