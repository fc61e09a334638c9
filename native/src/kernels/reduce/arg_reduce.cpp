// Driver of argmax and argmin along one axis: runs the plan's layout on the ISA's row or
// columns kernels; with few outputs, threads split the axis and the first extreme wins.
#include <cstdint>

#include "kernels/reduce/reduce.h"
#include "kernels/reduce/reduce_plan.h"
#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace {

using namespace reduce_plan;

bool arg_better(ArgReduceOp op, float v, float best) {
  if (v != v) return best == best;  // the first NaN wins
  return op == ArgReduceOp::Argmax ? v > best : v < best;
}

void arg_rows(const KernelTable& k, ArgReduceOp op, const Plan& p, const float* x, float* values, int32_t* indices) {
  const ArgRowFn row = k.reduce.arg_row[static_cast<int>(op)];
  const int64_t* kstrides[1] = {p.kept.xs};
  const NdLoop<1> kloop(p.kept.n, p.kept.size, kstrides);
  const int64_t ks = kloop.inner_stride(0);
  const int64_t n = p.red.size[0], rs = p.red.xs[0];
  auto write = [&](int64_t o, const float* base, int64_t at) {
    indices[o] = static_cast<int32_t>(at);
    if (values) values[o] = base[at * rs];
  };

  const int nt = threads_for(p.out_numel * n, kReduceGrain);
  if (nt <= 1 || p.out_numel >= kOutputsPerThread * nt) {
    auto outputs = [&](int tid, int nthreads) {
      const int64_t begin = chunk_begin(p.out_numel, tid, nthreads);
      const int64_t end = chunk_begin(p.out_numel, tid + 1, nthreads);
      int64_t o = begin;
      kloop.for_each_row(begin, end, [&](const int64_t* off, int64_t m) {
        for (int64_t i = 0; i < m; ++i, ++o) {
          const float* base = x + off[0] + i * ks;
          write(o, base, row(n, base, rs));
        }
      });
    };
    parallel_run(nt, outputs);
    return;
  }
  for (int64_t o = 0; o < p.out_numel; ++o) {
    const float* base = x;
    kloop.for_each_row(o, o + 1, [&](const int64_t* off, int64_t) { base = x + off[0]; });
    int64_t at[kMaxThreads];
    auto part = [&](int tid, int nthreads) {
      const int64_t b = chunk_begin(n, tid, nthreads), e = chunk_begin(n, tid + 1, nthreads);
      at[tid] = b + row(e - b, base + b * rs, rs);
    };
    parallel_run(nt, part);
    int64_t best = at[0];
    for (int t = 1; t < nt; ++t)
      if (arg_better(op, base[at[t] * rs], base[best * rs])) best = at[t];
    write(o, base, best);
  }
}

void arg_columns(const KernelTable& k, ArgReduceOp op, const Plan& p, const float* x, float* values, int32_t* indices) {
  const ArgColsFn cols_fn = k.reduce.arg_cols[static_cast<int>(op)];
  const ColumnsLayout c = columns_layout(p);
  const int64_t* ostrides[2] = {c.outer.xs, c.outer.os};
  const NdLoop<2> oloop(c.outer.n, c.outer.size, ostrides);
  const int64_t oxs = oloop.inner_stride(0), oos = oloop.inner_stride(1);

  const int nt = threads_for(p.out_numel * p.red_numel, kReduceGrain);
  const int64_t chunk = unit_cols(c.cols, oloop.numel(), nt);
  const int64_t nchunks = (c.cols + chunk - 1) / chunk;
  const int64_t units = oloop.numel() * nchunks;
  auto work = [&](int tid, int nthreads) {
    const int64_t u0 = chunk_begin(units, tid, nthreads), u1 = chunk_begin(units, tid + 1, nthreads);
    if (u0 >= u1) return;
    const Scratch<float> best(chunk);
    const Scratch<int32_t> index(chunk);
    int64_t o = u0 / nchunks;
    oloop.for_each_row(o, (u1 - 1) / nchunks + 1, [&](const int64_t* off, int64_t m) {
      for (int64_t i = 0; i < m; ++i, ++o) {
        const float* xb = x + off[0] + i * oxs;
        const int64_t ob = off[1] + i * oos;
        for (int64_t cc = 0; cc < nchunks; ++cc) {
          const int64_t u = o * nchunks + cc;
          if (u < u0 || u >= u1) continue;
          const int64_t c0 = cc * chunk, n = c.cols - c0 < chunk ? c.cols - c0 : chunk;
          cols_fn(c.rows, n, xb + c0 * c.cs, c.rs, c.cs, best.get(), index.get());
          for (int64_t j = 0; j < n; ++j) {
            indices[ob + (c0 + j) * c.cos] = index[j];
            if (values) values[ob + (c0 + j) * c.cos] = best[j];
          }
        }
      }
    });
  };
  parallel_run(nt < units ? nt : static_cast<int>(units), work);
}

}  // namespace

void arg_reduce_strided(const KernelTable& k, ArgReduceOp op, int ndim, const int64_t* shape, const float* x,
                        const int64_t* x_strides, int axis, float* values, int32_t* indices) {
  bool reduced[kMaxDims] = {};
  reduced[axis] = true;
  const Plan p = make_plan(ndim, shape, x_strides, reduced, false);
  if (p.out_numel == 0) return;
  if (p.red.n == 0) {  // a single candidate (the axis has size 1)
    gather_kept(p, x, [&](int64_t o, float v) {
      indices[o] = 0;
      if (values) values[o] = v;
    });
    return;
  }
  if (p.columns) {
    arg_columns(k, op, p, x, values, indices);
  } else {
    arg_rows(k, op, p, x, values, indices);
  }
}

}  // namespace myelin
