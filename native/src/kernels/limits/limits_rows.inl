// The limits loops over a vector type V, written once. The including file defines kChains (how
// many independent chains its registers hold) and madd(a, b, c) = a * b + c (a fused multiply-add
// where the ISA has one), then includes this inside an anonymous namespace.

// acc = acc * m + c converges to 1: no overflow, no denormals, however many iterations.
float fma_loop(int64_t iters) {
  typename V::reg acc[kChains];
  for (int j = 0; j < kChains; ++j) acc[j] = V::set1(0.5f + 0.01f * static_cast<float>(j));
  const typename V::reg m = V::set1(0.999f), c = V::set1(0.001f);
  for (int64_t i = 0; i < iters; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < kChains; ++j) acc[j] = madd(acc[j], m, c);
  }
  typename V::reg s = acc[0];
  for (int j = 1; j < kChains; ++j) s = V::add(s, acc[j]);
  return V::hsum(s);
}

void triad(float* __restrict a, const float* __restrict b, const float* __restrict c, float s, int64_t n) {
  const typename V::reg vs = V::set1(s);
  int64_t i = 0;
  for (; i + V::width <= n; i += V::width) V::store(a + i, madd(vs, V::load(c + i), V::load(b + i)));
  for (; i < n; ++i) a[i] = b[i] + s * c[i];
}

void fill_limits_rows(LimitsKernels* k) {
  k->fma_loop = fma_loop;
  k->fma_flops_per_iter = int64_t{2} * V::width * kChains;
  k->triad = triad;
}
