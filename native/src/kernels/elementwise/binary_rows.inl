// The binary row kernels, written once over a vector type and compiled once per ISA, for float32
// (V) and float64 (VD). Included by binary_<isa>.cpp inside an anonymous namespace, after that
// file defines V and VD:
//   reg, width, load, store, set1, add, sub, mul, div, max_nan, min_nan, le, select
// (max_nan/min_nan return NaN when either input is NaN, like torch.maximum).
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

struct AddOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    return W::add(a, b);
  }
  template <class T>
  static T one(T a, T b) {
    return a + b;
  }
};
struct SubOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    return W::sub(a, b);
  }
  template <class T>
  static T one(T a, T b) {
    return a - b;
  }
};
struct MulOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    return W::mul(a, b);
  }
  template <class T>
  static T one(T a, T b) {
    return a * b;
  }
};
struct DivOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    return W::div(a, b);
  }
  template <class T>
  static T one(T a, T b) {
    return a / b;
  }
};
struct MaximumOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    return W::max_nan(a, b);
  }
  template <class T>
  static T one(T a, T b) {
    return a != a ? a : (b != b ? b : (a > b ? a : b));
  }
};
struct MinimumOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    return W::min_nan(a, b);
  }
  template <class T>
  static T one(T a, T b) {
    return a != a ? a : (b != b ? b : (a < b ? a : b));
  }
};

struct ReluGradOp {
  template <class W>
  static typename W::reg vec(typename W::reg a, typename W::reg b) {
    const typename W::reg zero = W::set1(0);
    return W::select(W::le(b, zero), zero, a);
  }
  template <class T>
  static T one(T a, T b) {
    return b <= T(0) ? T(0) : a;
  }
};

// W: the vector type (V or VD); T: its element type.
template <class W, class Op, class T>
void binary_row(int64_t n, const T* a, int64_t sa, const T* b, int64_t sb, T* out, int64_t so) {
  constexpr int N = W::width;
  int64_t i = 0;
  if (so == 1 && sa == 1 && sb == 1) {
    for (; i + 2 * N <= n; i += 2 * N) {
      W::store(out + i, Op::template vec<W>(W::load(a + i), W::load(b + i)));
      W::store(out + i + N, Op::template vec<W>(W::load(a + i + N), W::load(b + i + N)));
    }
    for (; i + N <= n; i += N) W::store(out + i, Op::template vec<W>(W::load(a + i), W::load(b + i)));
  } else if (so == 1 && sa == 1 && sb == 0) {
    const typename W::reg vb = W::set1(*b);
    for (; i + N <= n; i += N) W::store(out + i, Op::template vec<W>(W::load(a + i), vb));
  } else if (so == 1 && sa == 0 && sb == 1) {
    const typename W::reg va = W::set1(*a);
    for (; i + N <= n; i += N) W::store(out + i, Op::template vec<W>(va, W::load(b + i)));
  }
  for (; i < n; ++i) out[i * so] = Op::one(a[i * sa], b[i * sb]);
}

template <class W, class Row>
void fill_rows_of(Row* row) {
  using T = typename W::elem;
  row[static_cast<int>(BinaryOp::Add)] = binary_row<W, AddOp, T>;
  row[static_cast<int>(BinaryOp::Sub)] = binary_row<W, SubOp, T>;
  row[static_cast<int>(BinaryOp::Mul)] = binary_row<W, MulOp, T>;
  row[static_cast<int>(BinaryOp::Div)] = binary_row<W, DivOp, T>;
  row[static_cast<int>(BinaryOp::Maximum)] = binary_row<W, MaximumOp, T>;
  row[static_cast<int>(BinaryOp::Minimum)] = binary_row<W, MinimumOp, T>;
  row[static_cast<int>(BinaryOp::ReluGrad)] = binary_row<W, ReluGradOp, T>;
}

void fill_binary_rows(BinaryKernels* k) {
  fill_rows_of<V>(k->row);
  fill_rows_of<VD>(k->row_f64);
}
