// im2col / col2im_add: scalar loops over one image, each output row's valid column range
// computed once (no per-element bounds test); stride-1 rows are plain copy loops. Memory-bound data
// movement: the compiler's auto-vectorisation of the inner loops is what a SIMD file would do.
// One template over the element type: float for the float32 convolutions, double for float64,
// uint16_t for the bf16 bits of an autocast forward's columns.
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

// The wrapped entries of a same-width column row: between valid rows oy and oy + 1, columns
// [ox1, ow) of oy and [0, ox0) of oy + 1, i.e. `gap` consecutive entries from oy*ow + ox1. The
// loop runs over rows inside: gaps are 1-2 entries (k3 p1), and a loop over a gap became a
// memset call per row.
template <class T>
void zero_wrapped(const ConvShape& s, T* row, int64_t oy0, int64_t oy1, int64_t ox0, int64_t ox1) {
  const int64_t gap = s.ow - ox1 + ox0;
  for (int64_t q = 0; q < gap; ++q) {
    T* r = row + ox1 + q;
    for (int64_t oy = oy0; oy + 1 < oy1; ++oy) r[oy * s.ow] = T(0);
  }
}

// Stride 1 and as wide as the input (ow == w, e.g. k3 p1): a column row is the input plane
// shifted by one offset, so the valid part is ONE contiguous copy (the in-between entries that
// wrap around a row edge read valid input and are zeroed afterwards): the per-output-row loops
// cost more than the copy on short rows (14-28 floats).
template <class T>
void im2col_same_width(const ConvShape& s, const T* x, T* col, int64_t ld, int64_t c0, int64_t c1) {
  for (int64_t ci = c0; ci < c1; ++ci) {
    const T* xc = x + ci * s.h * s.w;
    for (int64_t i = 0; i < s.kh; ++i) {
      int64_t oy0, oy1;
      const int64_t offh = i * s.dh - s.ph;
      valid_range(s.oh, s.h, 1, offh, &oy0, &oy1);
      for (int64_t j = 0; j < s.kw; ++j) {
        T* row = col + ((ci * s.kh + i) * s.kw + j) * ld;
        const int64_t offw = j * s.dw - s.pw;
        int64_t ox0, ox1;
        valid_range(s.ow, s.w, 1, offw, &ox0, &ox1);
        if (oy0 >= oy1 || ox0 >= ox1) {
          std::memset(row, 0, sizeof(T) * s.oh * s.ow);
          continue;
        }
        std::memset(row, 0, sizeof(T) * (oy0 * s.ow + ox0));
        const int64_t first = oy0 * s.ow + ox0, last = (oy1 - 1) * s.ow + ox1;  // [first, last)
        std::memcpy(row + first, xc + (oy0 + offh) * s.w + offw + ox0, sizeof(T) * (last - first));
        std::memset(row + last, 0, sizeof(T) * (s.oh * s.ow - last));
        zero_wrapped(s, row, oy0, oy1, ox0, ox1);
      }
    }
  }
}

template <class T>
void im2col(const ConvShape& s, const T* x, T* col, int64_t ld, int64_t c0, int64_t c1) {
  if (s.sh == 1 && s.sw == 1 && s.ow == s.w) {
    im2col_same_width(s, x, col, ld, c0, c1);
    return;
  }
  for (int64_t ci = c0; ci < c1; ++ci) {
    const T* xc = x + ci * s.h * s.w;
    for (int64_t i = 0; i < s.kh; ++i) {
      int64_t oy0, oy1;
      valid_range(s.oh, s.h, s.sh, i * s.dh - s.ph, &oy0, &oy1);
      for (int64_t j = 0; j < s.kw; ++j) {
        T* row = col + ((ci * s.kh + i) * s.kw + j) * ld;
        const int64_t offw = j * s.dw - s.pw;
        int64_t ox0, ox1;
        valid_range(s.ow, s.w, s.sw, offw, &ox0, &ox1);
        std::memset(row, 0, sizeof(T) * oy0 * s.ow);
        for (int64_t oy = oy0; oy < oy1; ++oy) {
          T* r = row + oy * s.ow;
          const T* xr = xc + (oy * s.sh - s.ph + i * s.dh) * s.w + offw;
          for (int64_t ox = 0; ox < ox0; ++ox) r[ox] = T(0);
          if (s.sw == 1) {
            // Rows are short (OW floats): a plain loop beats a memcpy call per row.
            for (int64_t ox = ox0; ox < ox1; ++ox) r[ox] = xr[ox];
          } else {
            for (int64_t ox = ox0; ox < ox1; ++ox) r[ox] = xr[ox * s.sw];
          }
          for (int64_t ox = ox1; ox < s.ow; ++ox) r[ox] = T(0);
        }
        std::memset(row + oy1 * s.ow, 0, sizeof(T) * (s.oh - oy1) * s.ow);
      }
    }
  }
}

// Stride 1, ow == w: the mirror of im2col_same_width. The wrapped entries of each column row
// are zeroed first (col is scratch), then the valid span is ONE long add into the shifted plane.
template <class T>
void col2im_add_same_width(const ConvShape& s, T* col, int64_t ld, T* dx, int64_t c0, int64_t c1) {
  for (int64_t ci = c0; ci < c1; ++ci) {
    T* dc = dx + ci * s.h * s.w;
    for (int64_t i = 0; i < s.kh; ++i) {
      int64_t oy0, oy1;
      const int64_t offh = i * s.dh - s.ph;
      valid_range(s.oh, s.h, 1, offh, &oy0, &oy1);
      for (int64_t j = 0; j < s.kw; ++j) {
        T* row = col + ((ci * s.kh + i) * s.kw + j) * ld;
        const int64_t offw = j * s.dw - s.pw;
        int64_t ox0, ox1;
        valid_range(s.ow, s.w, 1, offw, &ox0, &ox1);
        if (oy0 >= oy1 || ox0 >= ox1) continue;
        zero_wrapped(s, row, oy0, oy1, ox0, ox1);
        const int64_t first = oy0 * s.ow + ox0, n = (oy1 - 1) * s.ow + ox1 - first;
        const T* r = row + first;
        T* d = dc + (oy0 + offh) * s.w + offw + ox0;
        for (int64_t t = 0; t < n; ++t) d[t] += r[t];
      }
    }
  }
}

template <class T>
void col2im_add(const ConvShape& s, T* col, int64_t ld, T* dx, int64_t c0, int64_t c1) {
  if (s.sh == 1 && s.sw == 1 && s.ow == s.w) {
    col2im_add_same_width(s, col, ld, dx, c0, c1);
    return;
  }
  for (int64_t ci = c0; ci < c1; ++ci) {
    T* dc = dx + ci * s.h * s.w;
    for (int64_t i = 0; i < s.kh; ++i) {
      int64_t oy0, oy1;
      valid_range(s.oh, s.h, s.sh, i * s.dh - s.ph, &oy0, &oy1);
      for (int64_t j = 0; j < s.kw; ++j) {
        const T* row = col + ((ci * s.kh + i) * s.kw + j) * ld;
        const int64_t offw = j * s.dw - s.pw;
        int64_t ox0, ox1;
        valid_range(s.ow, s.w, s.sw, offw, &ox0, &ox1);
        for (int64_t oy = oy0; oy < oy1; ++oy) {
          const T* r = row + oy * s.ow;
          T* dr = dc + (oy * s.sh - s.ph + i * s.dh) * s.w + offw;
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

template void im2col<float>(const ConvShape&, const float*, float*, int64_t, int64_t, int64_t);
template void im2col<double>(const ConvShape&, const double*, double*, int64_t, int64_t, int64_t);
template void im2col<uint16_t>(const ConvShape&, const uint16_t*, uint16_t*, int64_t, int64_t, int64_t);
template void col2im_add<float>(const ConvShape&, float*, int64_t, float*, int64_t, int64_t);
template void col2im_add<double>(const ConvShape&, double*, int64_t, double*, int64_t, int64_t);

}  // namespace myelin
