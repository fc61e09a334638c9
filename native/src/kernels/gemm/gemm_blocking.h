// What the GEMM drivers (fp32, reduced-precision, int32) share: block sizes, per-thread packing
// buffers, and the split of C and of batches over threads. Baseline-compiled files only.
#pragma once
#include <cstdint>

#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {
namespace gemm_blocking {

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// The block size that splits n into ceil(n / max_block) equal blocks, rounded up to `unit`.
inline int64_t even_block(int64_t n, int64_t max_block, int64_t unit) {
  max_block = max_block > unit ? max_block / unit * unit : unit;
  const int64_t blocks = (n + max_block - 1) / max_block;
  return blocks <= 1 ? round_up(n, unit) : round_up((n + blocks - 1) / blocks, unit);
}

// A packing buffer grown on demand and reused across calls: no allocation once warm. Pool
// workers are persistent, so each keeps its own (thread_local). Every request passes the
// scratch allocator's fault point, so a test can make a warm one fail too.
class PackBuffer {
 public:
  ~PackBuffer() { scratch_free(data_); }
  void* get(int64_t bytes) {
    if (bytes > capacity_) {
      scratch_free(data_);
      data_ = nullptr;
      capacity_ = 0;
      data_ = scratch_alloc(round_up(bytes, 64), 1);
      capacity_ = bytes;
    } else {
      scratch_fault_point(static_cast<double>(bytes));
    }
    return data_;
  }

 private:
  void* data_ = nullptr;
  int64_t capacity_ = 0;
};

// How nthreads threads split an m x n C: a tm x tn grid of blocks along whole mr/nr tiles, picked
// so the largest block (padding included) is smallest, then so packing is least (each thread
// packs the A rows and B columns of its own block). Skinny shapes split their long side.
// Near-ties (square C) go to the grid that splits rows when split_rows_on_tie (the operand kept
// in L3 is then A, for each thread holds only its part), else columns.
struct Grid {
  int tm, tn;
};

inline Grid choose_grid(int64_t m, int64_t n, int64_t k, int mr, int nr, int nt, bool split_rows_on_tie) {
  const int64_t mt = (m + mr - 1) / mr, ntl = (n + nr - 1) / nr;
  Grid best{1, nt};
  double best_cost = -1;
  for (int tm = 1; tm <= nt; ++tm) {
    if (nt % tm) continue;
    const int tn = nt / tm;
    const double rows = static_cast<double>((mt + tm - 1) / tm) * mr;
    const double cols = static_cast<double>((ntl + tn - 1) / tn) * nr;
    // Flops of the largest block, plus the packing every thread does (weighted as ~8 flops
    // an element: a packed element costs a load and a store, an FMA pair is 1/16 of a cycle).
    const double cost = 2.0 * rows * cols * k + 8.0 * k * (rows + cols);
    const bool tie = best_cost >= 0 && cost <= best_cost * 1.03 && cost >= best_cost / 1.03;
    const bool better = best_cost < 0 || (tie ? split_rows_on_tie : cost < best_cost);
    if (better) {
      best_cost = cost;
      best = Grid{tm, tn};
    }
  }
  return best;
}

// Thread tid's block [m0, m1) x [n0, n1) of the grid, along whole tiles.
struct Block {
  int64_t m0, m1, n0, n1;
};

inline Block grid_block(const Grid& g, int tid, int64_t m, int64_t n, int mr, int nr) {
  const int64_t mt = (m + mr - 1) / mr, ntl = (n + nr - 1) / nr;
  const int ti = tid / g.tn, tj = tid % g.tn;
  return Block{min64(m, mt * ti / g.tm * mr), min64(m, mt * (ti + 1) / g.tm * mr), min64(n, ntl * tj / g.tn * nr),
               min64(n, ntl * (tj + 1) / g.tn * nr)};
}

// One m x n product over nt threads: block(m0, m1, n0, n1) runs one block of C on the calling
// thread, each thread its block of choose_grid's grid (whole tiles); one thread runs all of C.
template <class BlockFn>
void run_on_grid(int64_t m, int64_t n, int64_t k, int mr, int nr, int nt, bool split_rows_on_tie,
                 const BlockFn& block) {
  if (m == 0 || n == 0) return;
  if (nt <= 1) {
    block(int64_t{0}, m, int64_t{0}, n);
    return;
  }
  const Grid grid = choose_grid(m, n, k, mr, nr, nt, split_rows_on_tie);
  auto body = [&](int tid, int) {
    const Block b = grid_block(grid, tid, m, n, mr, nr);
    block(b.m0, b.m1, b.n0, b.n1);
  };
  parallel_run(nt, body);
}

// `batch` products of work_one operations each, on threads_for's thread counts (nt for all of
// them, nt_one for one alone). Many small products: whole products per thread (a contiguous run
// of the batch each; whole(i) runs product i on the calling thread), when the batch splits
// evenly or is long enough that the uneven tail hardly matters, or one product could not use
// the threads. Otherwise split(i, nt_one) runs product i over the threads, one after another.
template <class WholeFn, class SplitFn>
void run_batch(int64_t batch, int64_t work_one, int64_t min_per_thread, const WholeFn& whole, const SplitFn& split) {
  const int nt = threads_for(work_one * batch, min_per_thread);
  const int nt_one = threads_for(work_one, min_per_thread);
  if (nt > 1 && batch > 1 && (batch % nt == 0 || batch >= 4 * nt || nt_one <= 1)) {
    auto body = [&](int tid, int nthreads) {
      for (int64_t i = batch * tid / nthreads; i < batch * (tid + 1) / nthreads; ++i) whole(i);
    };
    parallel_run(nt, body);
    return;
  }
  for (int64_t i = 0; i < batch; ++i) split(i, nt_one);
}

// Product i of a batch: p's operands (its pointers a, b, c) moved on i batch strides.
template <class P>
P batch_item(P p, int64_t i, int64_t stride_a, int64_t stride_b, int64_t stride_c) {
  p.a += i * stride_a;
  p.b += i * stride_b;
  p.c += i * stride_c;
  return p;
}

}  // namespace gemm_blocking
}  // namespace myelin
