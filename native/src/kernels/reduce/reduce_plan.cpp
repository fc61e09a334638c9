// Planning of the reductions: see reduce_plan.h.
#include "kernels/reduce/reduce_plan.h"

#include <limits>

namespace myelin {
namespace reduce_plan {
namespace {

// Broadcast (stride 0) dims count as the outermost: they are never worth walking innermost.
int64_t order_key(int64_t xs) { return xs == 0 ? std::numeric_limits<int64_t>::max() : xs; }

}  // namespace

Plan make_plan(int ndim, const int64_t* shape, const int64_t* x_strides, const bool* reduced,
               bool drop_broadcast_reduced) {
  Plan p;
  int64_t os[kMaxDims];
  for (int d = ndim - 1; d >= 0; --d) {
    if (reduced[d]) {
      p.red_numel *= shape[d];
    } else {
      os[d] = p.out_numel;
      p.out_numel *= shape[d];
    }
  }
  Dims red;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    if (reduced[d]) {
      if (!(drop_broadcast_reduced && x_strides[d] == 0)) red.push(shape[d], x_strides[d], 0);
      continue;
    }
    Dims& k = p.kept;
    if (k.n > 0 && k.xs[k.n - 1] == x_strides[d] * shape[d] && k.os[k.n - 1] == os[d] * shape[d]) {
      k.size[k.n - 1] *= shape[d];
      k.xs[k.n - 1] = x_strides[d];
      k.os[k.n - 1] = os[d];
    } else {
      k.push(shape[d], x_strides[d], os[d]);
    }
  }
  // The reduced dims may be walked in any order: sort them outermost first (insertion sort,
  // stable), then merge neighbours that form one run.
  for (int i = 1; i < red.n; ++i)
    for (int j = i; j > 0 && order_key(red.xs[j - 1]) < order_key(red.xs[j]); --j) {
      const int64_t s = red.size[j], x = red.xs[j];
      red.size[j] = red.size[j - 1];
      red.xs[j] = red.xs[j - 1];
      red.size[j - 1] = s;
      red.xs[j - 1] = x;
    }
  for (int i = 0; i < red.n; ++i) {
    Dims& r = p.red;
    if (r.n > 0 && r.xs[r.n - 1] == red.xs[i] * red.size[i]) {
      r.size[r.n - 1] *= red.size[i];
      r.xs[r.n - 1] = red.xs[i];
    } else {
      r.push(red.size[i], red.xs[i], 0);
    }
  }
  const int64_t red_key = p.red.n ? order_key(p.red.xs[p.red.n - 1]) : 0;
  for (int i = 0; i < p.kept.n; ++i) {
    if (order_key(p.kept.xs[i]) < order_key(p.kept.xs[p.col])) p.col = i;
  }
  p.columns = p.red.n > 0 && p.kept.n > 0 && order_key(p.kept.xs[p.col]) < red_key;
  return p;
}

ColumnsLayout columns_layout(const Plan& p) {
  ColumnsLayout c;
  for (int i = 0; i < p.kept.n; ++i)
    if (i != p.col) c.outer.push(p.kept.size[i], p.kept.xs[i], p.kept.os[i]);
  for (int i = 0; i + 1 < p.red.n; ++i) c.outer_red.push(p.red.size[i], p.red.xs[i], 0);
  c.cols = p.kept.size[p.col];
  c.cs = p.kept.xs[p.col];
  c.cos = p.kept.os[p.col];
  c.rows = p.red.size[p.red.n - 1];
  c.rs = p.red.xs[p.red.n - 1];
  return c;
}

int64_t unit_cols(int64_t cols, int64_t outer, int nt) {
  int64_t chunks = (cols + kUnitCols - 1) / kUnitCols;
  if (outer * chunks < nt) chunks = (nt + outer - 1) / outer;
  int64_t chunk = (cols + chunks - 1) / chunks;
  chunk = (chunk + 63) / 64 * 64;
  return chunk < cols ? chunk : cols;
}

}  // namespace reduce_plan
}  // namespace myelin
