// The quantize span kernel, written once over a vector type and compiled once per ISA. Included
// by convert_<isa>.cpp inside an anonymous namespace, after that file defines Q: the float vector
// type V (simd_<isa>.inl) plus
//   round_even(v): each lane rounded to an integer, ties to even (nearbyint); lanes of 2^22 or
//     more may stay as they are (they clamp the same);
//   store_bytes(p, n, v): the low byte of each of the first n lanes (integers in [-128, 255]) to
//     p[0..n), nothing past p[n - 1].
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

// PyTorch's quantize_val in fp32: int64(zero + nearbyint(x * inv)) clamped to [qmin, qmax]. x86's
// int64 conversion of a NaN or of a value outside int64 (the infinities too) gives INT64_MIN,
// which clamps to qmin: lanes whose sum is NaN or at least 2^63 take qmin (those at or below -2^63
// clamp to it anyway).
void quantize_span(const float* x, int64_t n, float inv, float zero, float qmin, float qmax, uint8_t* y) {
  using R = Q::reg;
  const R vinv = Q::set1(inv), vzero = Q::set1(zero), lo = Q::set1(qmin), hi = Q::set1(qmax);
  const R int64_bound = Q::set1(9.2233720368547758e18f);  // 2^63
  const auto one = [&](R v) {
    const R f = Q::add(vzero, Q::round_even(Q::mul(v, vinv)));
    const auto below = Q::lt(f, int64_bound);  // false for NaN
    return Q::select(below, Q::min(Q::max(f, lo), hi), lo);
  };
  int64_t i = 0;
  for (; i + Q::width <= n; i += Q::width) Q::store_bytes(y + i, Q::width, one(Q::load(x + i)));
  if (i < n) Q::store_bytes(y + i, n - i, one(Q::load_first(x + i, n - i, 0.0f)));
}

void fill_convert_rows(ConvertKernels* k) { k->quantize = quantize_span; }
