// The reduction kernels, written once over a vector type V and compiled once per ISA, for
// float32 (V) and float64 (VD, included a second time in a namespace where V names it).
// Included by reduce_<isa>.cpp inside an anonymous namespace, after that file defines V:
//   V::elem, V::reg, V::width, load, store, set1, add, mul, max_nan, min_nan   (values)
//   load_first(p, n, fill): the n elements at p, the other lanes `fill` (a row's tail)
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

using T = typename V::elem;
using reg = typename V::reg;
constexpr int W = V::width;

// Sums are pairwise over blocks: a block is summed linearly (in kAcc*W independent lanes),
// blocks are combined in a balanced tree. The error then grows like (block/lanes + log n)
// roundings instead of n. The other ops take the same path; their order does not matter.
constexpr int kAcc = 4;                          // independent accumulators: hide add latency
constexpr int64_t kRowBlock = 32 * kAcc * W;     // elements summed linearly in a contiguous row
constexpr int64_t kStridedBlock = 32 * kAcc;     // ... in a strided row (kAcc scalar lanes)
constexpr int64_t kLeafRows = 32;                // rows summed linearly in the columns kernel
constexpr int64_t kColChunk = 4096 / sizeof(T);  // columns per stack buffer (4 KiB) in the columns kernel

struct SumOp {
  static reg vec(reg a, reg b) { return V::add(a, b); }
  static T one(T a, T b) { return a + b; }
  static T identity() { return T(0); }
};
struct ProdOp {
  static reg vec(reg a, reg b) { return V::mul(a, b); }
  static T one(T a, T b) { return a * b; }
  static T identity() { return T(1); }
};
// NaN is sticky: once either side is NaN the result is NaN.
struct MaxOp {
  static reg vec(reg a, reg b) { return V::max_nan(a, b); }
  static T one(T a, T b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
  static T identity() { return -static_cast<T>(__builtin_inff()); }
};
struct MinOp {
  static reg vec(reg a, reg b) { return V::min_nan(a, b); }
  static T one(T a, T b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
  static T identity() { return static_cast<T>(__builtin_inff()); }
};

template <class Op>
T horizontal(reg v) {
  T lanes[W];
  V::store(lanes, v);
  for (int w = W; w > 1; w /= 2)
    for (int i = 0; i < w / 2; ++i) lanes[i] = Op::one(lanes[i], lanes[i + w / 2]);
  return lanes[0];
}

// ---- rows: n elements -> one value ------------------------------------------------------

template <class Op>
T row_block(int64_t n, const T* x, int64_t stride) {
  int64_t i = 0;
  if (stride == 1 && n >= W) {
    reg a0 = V::set1(Op::identity()), a1 = a0, a2 = a0, a3 = a0;
    for (; i + 4 * W <= n; i += 4 * W) {
      a0 = Op::vec(a0, V::load(x + i));
      a1 = Op::vec(a1, V::load(x + i + W));
      a2 = Op::vec(a2, V::load(x + i + 2 * W));
      a3 = Op::vec(a3, V::load(x + i + 3 * W));
    }
    for (; i + W <= n; i += W) a0 = Op::vec(a0, V::load(x + i));
    if (i < n) a1 = Op::vec(a1, V::load_first(x + i, n - i, Op::identity()));
    return horizontal<Op>(Op::vec(Op::vec(a0, a1), Op::vec(a2, a3)));
  }
  T s0 = Op::identity(), s1 = s0, s2 = s0, s3 = s0;
  for (; i + 4 <= n; i += 4) {
    s0 = Op::one(s0, x[i * stride]);
    s1 = Op::one(s1, x[(i + 1) * stride]);
    s2 = Op::one(s2, x[(i + 2) * stride]);
    s3 = Op::one(s3, x[(i + 3) * stride]);
  }
  for (; i < n; ++i) s0 = Op::one(s0, x[i * stride]);
  return Op::one(Op::one(s0, s1), Op::one(s2, s3));
}

// First half: the larger half of the whole blocks, so leaves stay aligned to blocks.
inline int64_t split_point(int64_t n, int64_t block) {
  const int64_t blocks = (n + block - 1) / block;
  return (blocks + 1) / 2 * block;
}

template <class Op>
T reduce_row(int64_t n, const T* x, int64_t stride) {
  const int64_t block = stride == 1 ? kRowBlock : kStridedBlock;
  if (n <= block) return row_block<Op>(n, x, stride);
  const int64_t h = split_point(n, block);
  const T left = reduce_row<Op>(h, x, stride);
  return Op::one(left, reduce_row<Op>(n - h, x + h * stride, stride));
}

// ---- columns: rows x cols -> cols values ------------------------------------------------

// out[j] = op over rows of x[r*rs + j*cs]; rows <= kLeafRows, cols <= kColChunk.
template <class Op>
void cols_leaf(int64_t rows, int64_t cols, const T* x, int64_t rs, int64_t cs, T* out) {
  int64_t j = 0;
  if (cs == 1 && cols <= 4 * W) {
    // Few columns: each tile's partials stay in registers down all the rows.
    for (; j + 4 * W <= cols; j += 4 * W) {
      const T* p = x + j;
      reg a0 = V::load(p), a1 = V::load(p + W), a2 = V::load(p + 2 * W), a3 = V::load(p + 3 * W);
      for (int64_t r = 1; r < rows; ++r) {
        p += rs;
        a0 = Op::vec(a0, V::load(p));
        a1 = Op::vec(a1, V::load(p + W));
        a2 = Op::vec(a2, V::load(p + 2 * W));
        a3 = Op::vec(a3, V::load(p + 3 * W));
      }
      V::store(out + j, a0);
      V::store(out + j + W, a1);
      V::store(out + j + 2 * W, a2);
      V::store(out + j + 3 * W, a3);
    }
    for (; j + W <= cols; j += W) {
      reg a = V::load(x + j);
      for (int64_t r = 1; r < rows; ++r) a = Op::vec(a, V::load(x + r * rs + j));
      V::store(out + j, a);
    }
  } else if (cs == 1) {
    // Many columns: four rows at a time, so x streams along its rows and the partials (in L1)
    // are loaded and stored once per four rows.
    const int64_t vec_cols = cols / W * W;
    for (; j < vec_cols; j += W) V::store(out + j, V::load(x + j));
    int64_t r = 1;
    for (; r + 4 <= rows; r += 4) {
      const T* p = x + r * rs;
      for (int64_t c = 0; c < vec_cols; c += W) {
        reg a = Op::vec(V::load(out + c), V::load(p + c));
        a = Op::vec(a, V::load(p + rs + c));
        a = Op::vec(a, V::load(p + 2 * rs + c));
        V::store(out + c, Op::vec(a, V::load(p + 3 * rs + c)));
      }
    }
    for (; r < rows; ++r) {
      const T* p = x + r * rs;
      for (int64_t c = 0; c < vec_cols; c += W) V::store(out + c, Op::vec(V::load(out + c), V::load(p + c)));
    }
  }
  // The rest four columns at a time in registers, walking the rows.
  for (; j + 4 <= cols; j += 4) {
    const T* p = x + j * cs;
    T s0 = p[0], s1 = p[cs], s2 = p[2 * cs], s3 = p[3 * cs];
    for (int64_t r = 1; r < rows; ++r) {
      p += rs;
      s0 = Op::one(s0, p[0]);
      s1 = Op::one(s1, p[cs]);
      s2 = Op::one(s2, p[2 * cs]);
      s3 = Op::one(s3, p[3 * cs]);
    }
    out[j] = s0;
    out[j + 1] = s1;
    out[j + 2] = s2;
    out[j + 3] = s3;
  }
  for (; j < cols; ++j) {
    T s = x[j * cs];
    for (int64_t r = 1; r < rows; ++r) s = Op::one(s, x[r * rs + j * cs]);
    out[j] = s;
  }
}

// out[j] = op(out[j], in[j]) for j in [0, n).
template <class Op>
void combine_into(int64_t n, T* out, const T* in) {
  int64_t j = 0;
  for (; j + W <= n; j += W) V::store(out + j, Op::vec(V::load(out + j), V::load(in + j)));
  for (; j < n; ++j) out[j] = Op::one(out[j], in[j]);
}

// Pairwise over blocks of kLeafRows rows; cols <= kColChunk. Stack: one 4 KiB buffer per level,
// log2(rows / kLeafRows) levels.
template <class Op>
void cols_tree(int64_t rows, int64_t cols, const T* x, int64_t rs, int64_t cs, T* out) {
  if (rows <= kLeafRows) {
    cols_leaf<Op>(rows, cols, x, rs, cs, out);
    return;
  }
  const int64_t h = split_point(rows, kLeafRows);
  cols_tree<Op>(h, cols, x, rs, cs, out);
  T right[kColChunk];
  cols_tree<Op>(rows - h, cols, x + h * rs, rs, cs, right);
  combine_into<Op>(cols, out, right);
}

// Few columns, rows back to back (rs == cols < W): the block is one run whose element e
// belongs to column e % cols. N registers span a whole number of rows, so lane l of register k
// always holds column (k*W + l) % cols. A leaf sums kLeafRows such spans linearly.
template <class Op, int N>
void small_leaf(int64_t spans, int64_t cols, const T* x, T* res) {
  reg a[N];
  for (int k = 0; k < N; ++k) a[k] = V::load(x + k * W);
  for (int64_t t = 1; t < spans; ++t)
    for (int k = 0; k < N; ++k) a[k] = Op::vec(a[k], V::load(x + (t * N + k) * W));
  T lanes[N * W];
  for (int k = 0; k < N; ++k) V::store(lanes + k * W, a[k]);
  // N*W / cols is a power of two (W is one, and N is 4 or 3 registers for 4, 2, 1 or 3 needed):
  // fold halves, which line up with the columns, down to one row (a tree).
  for (int64_t len = N * W; len > cols; len /= 2)
    for (int64_t i = 0; i < len / 2; ++i) lanes[i] = Op::one(lanes[i], lanes[i + len / 2]);
  for (int64_t c = 0; c < cols; ++c) res[c] = lanes[c];
}

template <class Op, int N>
void small_tree(int64_t spans, int64_t cols, const T* x, T* res) {
  if (spans <= kLeafRows) {
    small_leaf<Op, N>(spans, cols, x, res);
    return;
  }
  const int64_t h = split_point(spans, kLeafRows);
  small_tree<Op, N>(h, cols, x, res);
  T right[W];
  small_tree<Op, N>(spans - h, cols, x + h * N * W, right);
  for (int64_t c = 0; c < cols; ++c) res[c] = Op::one(res[c], right[c]);
}

template <class Op, int N>
void small_cols(int64_t rows, int64_t cols, const T* x, T* out) {
  const int64_t total = rows * cols, spans = total / (N * W);
  int64_t e = 0;
  if (spans > 0) {
    small_tree<Op, N>(spans, cols, x, out);
    e = spans * N * W;  // a whole number of rows
  } else {
    for (; e < cols; ++e) out[e] = x[e];
  }
  for (; e < total; ++e) out[e % cols] = Op::one(out[e % cols], x[e]);
}

// Registers per span for `cols` columns: 4 (or 3) when that many span whole rows, else 0.
inline int small_span(int64_t cols) {
  if (cols >= W) return 0;
  int64_t a = cols, b = W;  // a becomes gcd(cols, W): cols / a registers span whole rows
  while (b) {
    const int64_t t = a % b;
    a = b;
    b = t;
  }
  const int64_t regs = cols / a;
  return 4 % regs == 0 ? 4 : (regs == 3 ? 3 : 0);
}

template <class Op>
void reduce_cols(int64_t rows, int64_t cols, const T* x, int64_t rs, int64_t cs, T* acc, bool accumulate) {
  const int span = cs == 1 && rs == cols ? small_span(cols) : 0;
  if (span) {
    T part[W];
    T* dst = accumulate ? part : acc;
    if (span == 4)
      small_cols<Op, 4>(rows, cols, x, dst);
    else
      small_cols<Op, 3>(rows, cols, x, dst);
    if (accumulate) combine_into<Op>(cols, acc, part);
    return;
  }
  for (int64_t c0 = 0; c0 < cols; c0 += kColChunk) {
    const int64_t n = cols - c0 < kColChunk ? cols - c0 : kColChunk;
    if (!accumulate) {
      cols_tree<Op>(rows, n, x + c0 * cs, rs, cs, acc + c0);
    } else {
      T part[kColChunk];
      cols_tree<Op>(rows, n, x + c0 * cs, rs, cs, part);
      combine_into<Op>(n, acc + c0, part);
    }
  }
}

// Fills one dtype's slots: k->row and k->cols (float32) or k->row_f64 and k->cols_f64.
template <class RowFn, class ColsFn>
void fill_reduce_table(RowFn* row, ColsFn* cols) {
  row[static_cast<int>(ReduceOp::Sum)] = reduce_row<SumOp>;
  row[static_cast<int>(ReduceOp::Mean)] = reduce_row<SumOp>;
  row[static_cast<int>(ReduceOp::Max)] = reduce_row<MaxOp>;
  row[static_cast<int>(ReduceOp::Min)] = reduce_row<MinOp>;
  row[static_cast<int>(ReduceOp::Prod)] = reduce_row<ProdOp>;
  cols[static_cast<int>(ReduceOp::Sum)] = reduce_cols<SumOp>;
  cols[static_cast<int>(ReduceOp::Mean)] = reduce_cols<SumOp>;
  cols[static_cast<int>(ReduceOp::Max)] = reduce_cols<MaxOp>;
  cols[static_cast<int>(ReduceOp::Min)] = reduce_cols<MinOp>;
  cols[static_cast<int>(ReduceOp::Prod)] = reduce_cols<ProdOp>;
}
