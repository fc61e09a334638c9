// The reduction drivers' shared plan: dims sorted into kept and reduced ones, the layout,
// and the split of work among threads. Baseline code only (reduce.cpp, arg_reduce.cpp).
#pragma once
#include <cstdint>

#include "kernels/common/nd_loop.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace reduce_plan {

// Below this many elements read per thread, waking a worker costs more than it saves.
constexpr int64_t kReduceGrain = 1 << 15;
// Columns per unit of work in the columns layout (a unit reads every reduced row of them).
constexpr int64_t kUnitCols = 1024;
// With fewer outputs than this many per thread, each output's reduction is split instead.
constexpr int64_t kOutputsPerThread = 8;

struct Dims {
  int n = 0;
  int64_t size[kMaxDims], xs[kMaxDims], os[kMaxDims];
  void push(int64_t s, int64_t x, int64_t o) {
    size[n] = s;
    xs[n] = x;
    os[n] = o;
    ++n;
  }
};

struct Plan {
  Dims kept;  // row-major output order, merged where x allows; os: output strides
  Dims red;   // merged, by decreasing stride: red.size[red.n - 1] is the innermost
  int64_t out_numel = 1;
  int64_t red_numel = 1;
  bool columns = false;  // the columns layout; then kept dim `col` is the innermost
  int col = 0;
};

// Plans the reduction of the dims flagged in `reduced`. Layouts, by which dim walks x with the
// smallest stride:
//   rows:    a reduced dim: each output reduces its own runs of x (row kernel).
//   columns: a kept dim (sum over axis 0 of [4096,1000]): whole rows of x are accumulated
//            into a block of outputs (columns kernel), so x is still read along its runs.
// drop_broadcast_reduced: leave out reduced dims of stride 0 (for ops that ignore repeats).
Plan make_plan(int ndim, const int64_t* shape, const int64_t* x_strides, const bool* reduced,
               bool drop_broadcast_reduced);

// The columns layout's roles of the planned dims.
struct ColumnsLayout {
  Dims outer;             // kept dims but the column dim: x and output strides
  Dims outer_red;         // reduced dims but the innermost (rows)
  int64_t cols, cs, cos;  // the column dim: size, x stride, output stride
  int64_t rows, rs;       // the innermost reduced dim
};

ColumnsLayout columns_layout(const Plan& p);

// Column chunk size: at most kUnitCols, and small enough that every thread gets a unit when
// the outer dims alone are too few; a multiple of 64 so the vector tiles stay whole.
int64_t unit_cols(int64_t cols, int64_t outer, int nt);

// Static split of [0, n) among nt threads: where thread tid's range begins.
inline int64_t chunk_begin(int64_t n, int tid, int nt) { return n * tid / nt; }

// out[o] = x at output o, for outputs with nothing (left) to reduce.
template <class T, class F>
void gather_kept(const Plan& p, const T* x, F&& write) {
  const int64_t* strides[1] = {p.kept.xs};
  const NdLoop<1> loop(p.kept.n, p.kept.size, strides);
  const int64_t s = loop.inner_stride(0);
  parallel_for(p.out_numel, kReduceGrain, [&](int64_t begin, int64_t end) {
    int64_t o = begin;
    loop.for_each_row(begin, end, [&](const int64_t* off, int64_t n) {
      for (int64_t i = 0; i < n; ++i, ++o) write(o, x[off[0] + i * s]);
    });
  });
}

}  // namespace reduce_plan
}  // namespace myelin
