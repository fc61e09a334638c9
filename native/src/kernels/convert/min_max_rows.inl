// The min_max kernel (MinMaxSpan in convert.h), written once over a vector type and compiled once
// per ISA. Included by convert_<isa>.cpp inside an anonymous namespace, after that file defines Q
// (the float vector type V of simd_<isa>.inl, whose min and max follow x86's operand order on
// every ISA). No includes here: each ISA file brings its own, so nothing is shared across ISA
// objects.

// The 16 lanes of the scalar reference are 16 / width registers: lane l of a block of 16 is lane
// l % width of register l / width, so each lane sees the scalar kernel's values in its order and
// the signed zeros come out the same. The maxima propagate NaN (max_nan keeps a NaN on either
// side), so one look at them after the loop finds any.
void min_max_span(const float* x, int64_t n, float* min_out, float* max_out) {
  if (n <= 0) {
    *min_out = *max_out = 0.0f;
    return;
  }
  using R = Q::reg;
  constexpr int kRegs = 16 / Q::width;
  R lo[kRegs], hi[kRegs];
  for (int r = 0; r < kRegs; ++r) lo[r] = hi[r] = Q::set1(x[0]);
  int64_t i = 0;
  for (; i + 16 <= n; i += 16)
    for (int r = 0; r < kRegs; ++r) {
      const R v = Q::load(x + i + r * Q::width);
      lo[r] = Q::min(v, lo[r]);      // v < lo ? v : lo
      hi[r] = Q::max_nan(v, hi[r]);  // v > hi ? v : hi, or NaN
    }
  float l[16], h[16];
  for (int r = 0; r < kRegs; ++r) {
    Q::store(l + r * Q::width, lo[r]);
    Q::store(h + r * Q::width, hi[r]);
  }
  bool nan = false;
  for (int j = 0; j < 16; ++j) nan |= h[j] != h[j];
  for (; i < n; ++i) {
    const float v = x[i];
    l[0] = v < l[0] ? v : l[0];
    h[0] = v > h[0] ? v : h[0];
    nan |= v != v;
  }
  float a = l[0], b = h[0];
  for (int j = 1; j < 16; ++j) {
    a = l[j] < a ? l[j] : a;
    b = h[j] > b ? h[j] : b;
  }
  *min_out = nan ? NAN : a;
  *max_out = nan ? NAN : b;
}
