// im2col / col2im_add: scalar loops over one image, each output row's valid column range
// computed once (no per-element bounds test); stride-1 rows are plain copy loops. Memory-bound data
// movement: the compiler's auto-vectorisation of the inner loops is what a SIMD file would do.
#include <cstring>

#include "kernels/conv/conv.h"

namespace myelin {

namespace {

// The output positions o in [0, out) whose input position o*stride + off lies in [0, in).
void valid_range(int64_t out, int64_t in, int64_t stride, int64_t off, int64_t* lo, int64_t* hi) {
  // o*stride + off >= 0  <=>  o >= ceil(-off / stride)
  int64_t a = off >= 0 ? 0 : (-off + stride - 1) / stride;
  // o*stride + off <= in - 1  <=>  o <= floor((in - 1 - off) / stride)
  int64_t b = in - 1 - off < 0 ? -1 : (in - 1 - off) / stride;
  if (a > out) a = out;
  if (b + 1 > out) b = out - 1;
  *lo = a;
  *hi = b + 1 > a ? b + 1 : a;
}

}  // namespace

void im2col(const ConvShape& s, const float* x, float* col, int64_t ld, int64_t c0, int64_t c1) {
  for (int64_t ci = c0; ci < c1; ++ci) {
    const float* xc = x + ci * s.h * s.w;
    for (int64_t i = 0; i < s.kh; ++i) {
      int64_t oy0, oy1;
      valid_range(s.oh, s.h, s.sh, i * s.dh - s.ph, &oy0, &oy1);
      for (int64_t j = 0; j < s.kw; ++j) {
        float* row = col + ((ci * s.kh + i) * s.kw + j) * ld;
        const int64_t offw = j * s.dw - s.pw;
        int64_t ox0, ox1;
        valid_range(s.ow, s.w, s.sw, offw, &ox0, &ox1);
        std::memset(row, 0, sizeof(float) * oy0 * s.ow);
        for (int64_t oy = oy0; oy < oy1; ++oy) {
          float* r = row + oy * s.ow;
          const float* xr = xc + (oy * s.sh - s.ph + i * s.dh) * s.w + offw;
          for (int64_t ox = 0; ox < ox0; ++ox) r[ox] = 0.f;
          if (s.sw == 1) {
            // Rows are short (OW floats): a plain loop beats a memcpy call per row.
            for (int64_t ox = ox0; ox < ox1; ++ox) r[ox] = xr[ox];
          } else {
            for (int64_t ox = ox0; ox < ox1; ++ox) r[ox] = xr[ox * s.sw];
          }
          for (int64_t ox = ox1; ox < s.ow; ++ox) r[ox] = 0.f;
        }
        std::memset(row + oy1 * s.ow, 0, sizeof(float) * (s.oh - oy1) * s.ow);
      }
    }
  }
}

void col2im_add(const ConvShape& s, const float* col, int64_t ld, float* dx, int64_t c0, int64_t c1) {
  for (int64_t ci = c0; ci < c1; ++ci) {
    float* dc = dx + ci * s.h * s.w;
    for (int64_t i = 0; i < s.kh; ++i) {
      int64_t oy0, oy1;
      valid_range(s.oh, s.h, s.sh, i * s.dh - s.ph, &oy0, &oy1);
      for (int64_t j = 0; j < s.kw; ++j) {
        const float* row = col + ((ci * s.kh + i) * s.kw + j) * ld;
        const int64_t offw = j * s.dw - s.pw;
        int64_t ox0, ox1;
        valid_range(s.ow, s.w, s.sw, offw, &ox0, &ox1);
        for (int64_t oy = oy0; oy < oy1; ++oy) {
          const float* r = row + oy * s.ow;
          float* dr = dc + (oy * s.sh - s.ph + i * s.dh) * s.w + offw;
          if (s.sw == 1) {
            for (int64_t ox = ox0; ox < ox1; ++ox) dr[ox] += r[ox];
          } else {
            for (int64_t ox = ox0; ox < ox1; ++ox) dr[ox * s.sw] += r[ox];
          }
        }
      }
    }
  }
}

}  // namespace myelin
