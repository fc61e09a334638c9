// The direct convolution kernel (conv_direct.h), written once over a vector type D and a block
// of kOcBlock output channels, compiled once per ISA: included by conv_direct_<isa>.cpp inside
// an anonymous namespace after it defines D (V plus fma) and kOcBlock (2 * kOcBlock accumulators plus 3 must fit the
// ISA's registers).

void direct_forward_rows(const ConvDirectArgs& a, int64_t oy0, int64_t oy1) {
  constexpr int W = D::width;
  constexpr int B = kOcBlock;
  const int64_t plane = a.oh * a.ow;
  for (int64_t oy = oy0; oy < oy1; ++oy) {
    for (int64_t ox0 = 0; ox0 < a.ow; ox0 += 2 * W) {
      const int64_t valid = a.ow - ox0 < 2 * W ? a.ow - ox0 : 2 * W;
      for (int64_t o0 = 0; o0 < a.oc; o0 += B) {
        const int64_t nb = a.oc - o0 < B ? a.oc - o0 : B;
        // Every loop over the block has a constant trip count and is unrolled, so the
        // accumulators live in registers (a loop bound by nb would keep them on the stack).
        typename D::reg acc0[B], acc1[B];
#pragma GCC unroll 16
        for (int b = 0; b < B; ++b) {
          acc0[b] = D::set1(a.bias && b < nb ? a.bias[o0 + b] : 0.f);
          acc1[b] = acc0[b];
        }
        const float* wr = a.wt + o0;
        for (int64_t ci = 0; ci < a.c; ++ci) {
          for (int64_t i = 0; i < a.kh; ++i) {
            const float* row = a.xpad + (ci * a.rows + oy * a.sh + i * a.dh) * a.ld + ox0;
            for (int64_t j = 0; j < a.kw; ++j, wr += a.wt_ld) {
              const typename D::reg x0 = D::load(row + j * a.dw);
              const typename D::reg x1 = D::load(row + j * a.dw + W);
#pragma GCC unroll 16
              for (int b = 0; b < B; ++b) {
                const typename D::reg wv = D::set1(wr[b]);
                acc0[b] = D::fma(wv, x0, acc0[b]);
                acc1[b] = D::fma(wv, x1, acc1[b]);
              }
            }
          }
        }
#pragma GCC unroll 16
        for (int b = 0; b < B; ++b) {
          if (b >= nb) break;
          float* dst = a.y + (o0 + b) * plane + oy * a.ow + ox0;
          if (valid >= W) {
            D::store(dst, acc0[b]);
            if (valid == 2 * W) {
              D::store(dst + W, acc1[b]);
            } else {
              D::store_first(dst + W, valid - W, acc1[b]);
            }
          } else {
            D::store_first(dst, valid, acc0[b]);
          }
        }
      }
    }
  }
}

void fill_conv_direct_rows(ConvDirectKernels* k) {
  k->forward = direct_forward_rows;
  k->width = D::width;
  k->oc_block = kOcBlock;
}
