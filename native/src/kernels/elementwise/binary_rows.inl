// The binary row kernels, written once over a vector type V and compiled once per ISA.
// Included by binary_<isa>.cpp inside an anonymous namespace, after that file defines V:
//   V::reg, V::width, load, store, set1, add, sub, mul, div, max_nan, min_nan, le, select
// (max_nan/min_nan return NaN when either input is NaN, like torch.maximum).
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

struct AddOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) { return V::add(a, b); }
  static float one(float a, float b) { return a + b; }
};
struct SubOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) { return V::sub(a, b); }
  static float one(float a, float b) { return a - b; }
};
struct MulOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) { return V::mul(a, b); }
  static float one(float a, float b) { return a * b; }
};
struct DivOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) { return V::div(a, b); }
  static float one(float a, float b) { return a / b; }
};
struct MaximumOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) { return V::max_nan(a, b); }
  static float one(float a, float b) { return a != a ? a : (b != b ? b : (a > b ? a : b)); }
};
struct MinimumOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) { return V::min_nan(a, b); }
  static float one(float a, float b) { return a != a ? a : (b != b ? b : (a < b ? a : b)); }
};

struct ReluGradOp {
  static typename V::reg vec(typename V::reg a, typename V::reg b) {
    const typename V::reg zero = V::set1(0.f);
    return V::select(V::le(b, zero), zero, a);
  }
  static float one(float a, float b) { return b <= 0.f ? 0.f : a; }
};

template <class Op>
void binary_row(int64_t n, const float* a, int64_t sa, const float* b, int64_t sb, float* out, int64_t so) {
  constexpr int W = V::width;
  int64_t i = 0;
  if (so == 1 && sa == 1 && sb == 1) {
    for (; i + 2 * W <= n; i += 2 * W) {
      V::store(out + i, Op::vec(V::load(a + i), V::load(b + i)));
      V::store(out + i + W, Op::vec(V::load(a + i + W), V::load(b + i + W)));
    }
    for (; i + W <= n; i += W) V::store(out + i, Op::vec(V::load(a + i), V::load(b + i)));
  } else if (so == 1 && sa == 1 && sb == 0) {
    const typename V::reg vb = V::set1(*b);
    for (; i + W <= n; i += W) V::store(out + i, Op::vec(V::load(a + i), vb));
  } else if (so == 1 && sa == 0 && sb == 1) {
    const typename V::reg va = V::set1(*a);
    for (; i + W <= n; i += W) V::store(out + i, Op::vec(va, V::load(b + i)));
  }
  for (; i < n; ++i) out[i * so] = Op::one(a[i * sa], b[i * sb]);
}

void fill_binary_rows(BinaryKernels* k) {
  k->row[static_cast<int>(BinaryOp::Add)] = binary_row<AddOp>;
  k->row[static_cast<int>(BinaryOp::Sub)] = binary_row<SubOp>;
  k->row[static_cast<int>(BinaryOp::Mul)] = binary_row<MulOp>;
  k->row[static_cast<int>(BinaryOp::Div)] = binary_row<DivOp>;
  k->row[static_cast<int>(BinaryOp::Maximum)] = binary_row<MaximumOp>;
  k->row[static_cast<int>(BinaryOp::Minimum)] = binary_row<MinimumOp>;
  k->row[static_cast<int>(BinaryOp::ReluGrad)] = binary_row<ReluGradOp>;
}
