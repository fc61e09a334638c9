// The argmax/argmin kernels, written once over a vector type V and compiled once per ISA.
// Included by reduce_<isa>.cpp inside its anonymous namespace after reduce_rows.inl (it uses
// MaxOp, MinOp and reduce_row), with V also defining:
//   V::mask, gt, lt, isnan, mask_or, mask_andnot(a, b) = !a & b, select(m, a, b) = m ? a : b
//   V::ireg, set1_i, store_i, select_i (as select)                     (columns)
//   eq_bits(a, b), nan_bits(a): lane bitmasks                          (contiguous rows)

struct ArgmaxOp {
  using Extreme = MaxOp;
  static bool better(float a, float best) { return a > best; }
  static typename V::mask better_v(reg a, reg best) { return V::gt(a, best); }
};
struct ArgminOp {
  using Extreme = MinOp;
  static bool better(float a, float best) { return a < best; }
  static typename V::mask better_v(reg a, reg best) { return V::lt(a, best); }
};

// One pass, any stride: a later element wins only when strictly better; the first NaN wins.
template <class Op>
int64_t arg_row_scalar(int64_t n, const float* x, int64_t stride) {
  float best = x[0];
  if (best != best) return 0;
  int64_t at = 0;
  for (int64_t i = 1; i < n; ++i) {
    const float v = x[i * stride];
    if (v != v) return i;
    if (Op::better(v, best)) {
      best = v;
      at = i;
    }
  }
  return at;
}

// Contiguous: the extreme value by the vector reduction, then the first lane that holds it.
template <class Op>
int64_t arg_row(int64_t n, const float* x, int64_t stride) {
  if (W == 1 || stride != 1 || n < 2 * W) return arg_row_scalar<Op>(n, x, stride);
  const float m = reduce_row<typename Op::Extreme>(n, x, 1);
  const bool nan = m != m;
  const reg vm = V::set1(m);
  int64_t i = 0;
  for (; i + W <= n; i += W) {
    const reg v = V::load(x + i);
    const unsigned bits = nan ? V::nan_bits(v) : V::eq_bits(v, vm);
    if (bits) return i + __builtin_ctz(bits);
  }
  for (; i < n; ++i)
    if (nan ? x[i] != x[i] : x[i] == m) return i;
  return 0;  // unreachable: m is one of the elements
}

template <class Op>
void arg_cols(int64_t rows, int64_t cols, const float* x, int64_t rs, int64_t cs, float* best, int32_t* index) {
  int64_t j = 0;
  if (cs == 1) {
    for (; j + W <= cols; j += W) {
      reg b = V::load(x + j);
      typename V::ireg bi = V::set1_i(0);
      for (int64_t r = 1; r < rows; ++r) {
        const reg v = V::load(x + r * rs + j);
        // Strictly better, or the first NaN (b stays NaN once it is: nothing beats it).
        const typename V::mask take = V::mask_or(Op::better_v(v, b), V::mask_andnot(V::isnan(b), V::isnan(v)));
        b = V::select(take, v, b);
        bi = V::select_i(take, V::set1_i(static_cast<int32_t>(r)), bi);
      }
      V::store(best + j, b);
      V::store_i(index + j, bi);
    }
  }
  for (; j < cols; ++j) {
    const int64_t at = arg_row_scalar<Op>(rows, x + j * cs, rs);
    best[j] = x[j * cs + at * rs];
    index[j] = static_cast<int32_t>(at);
  }
}

void fill_arg_rows(ReduceKernels* k) {
  k->arg_row[static_cast<int>(ArgReduceOp::Argmax)] = arg_row<ArgmaxOp>;
  k->arg_row[static_cast<int>(ArgReduceOp::Argmin)] = arg_row<ArgminOp>;
  k->arg_cols[static_cast<int>(ArgReduceOp::Argmax)] = arg_cols<ArgmaxOp>;
  k->arg_cols[static_cast<int>(ArgReduceOp::Argmin)] = arg_cols<ArgminOp>;
}
