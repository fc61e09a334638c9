// Convolution drivers: im2col (threaded over images x channels) into a bounded column buffer,
// then the GEMM per group, batched over the images of a tile. A 1x1 stride-1 unpadded
// convolution reads x itself as the column matrix.
#include <cstring>
#include <memory>
#include <new>

#include "kernels/conv/conv.h"
#include "kernels/gemm/gemm.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

// The column buffer holds at most this many floats (64 MiB); the batch is tiled to fit.
constexpr int64_t kMaxColFloats = int64_t{16} << 20;
// Elements per thread below which im2col / col2im stay on the caller.
constexpr int64_t kCopyGrain = 1 << 15;

struct Plan {
  int64_t ohw, hw, kg, ocg, cg, col_per_image, tile;
  bool direct;  // 1x1, stride 1, no padding: x is the column matrix
};

Plan plan_for(const ConvShape& s) {
  Plan p;
  p.ohw = s.oh * s.ow;
  p.hw = s.h * s.w;
  p.cg = s.c / s.groups;
  p.ocg = s.oc / s.groups;
  p.kg = p.cg * s.kh * s.kw;
  p.direct = s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.ph == 0 && s.pw == 0 &&
             s.oh == s.h && s.ow == s.w;
  p.col_per_image = s.c * s.kh * s.kw * p.ohw;
  p.tile = p.col_per_image > 0 ? kMaxColFloats / p.col_per_image : s.n;
  if (p.tile < 1) p.tile = 1;
  if (p.tile > s.n) p.tile = s.n;
  return p;
}

// Null when not needed (1x1 fast path, empty batch) or when the allocation fails.
std::unique_ptr<float[]> col_buffer(const Plan& p) {
  if (p.direct || p.tile == 0) return nullptr;
  return std::unique_ptr<float[]>(new (std::nothrow) float[p.tile * p.col_per_image]);
}

bool col_missing(const Plan& p, const std::unique_ptr<float[]>& col) {
  return !p.direct && p.tile > 0 && !col;
}

int64_t channel_grain(const ConvShape& s, const Plan& p) {
  const int64_t per = s.kh * s.kw * p.ohw + p.hw;
  return per > 0 ? (kCopyGrain + per - 1) / per : kCopyGrain;
}

// col for images [n0, n0 + nt): image t at col + t * col_per_image.
void im2col_tile(const ConvShape& s, const Plan& p, const float* x, float* col, int64_t nt) {
  parallel_for(nt * s.c, channel_grain(s, p), [&](int64_t b, int64_t e) {
    while (b < e) {
      const int64_t t = b / s.c, c0 = b % s.c;
      const int64_t c1 = (e - t * s.c) < s.c ? e - t * s.c : s.c;
      im2col(s, x + t * s.c * p.hw, col + t * p.col_per_image, c0, c1);
      b = t * s.c + c1;
    }
  });
}

void col2im_tile(const ConvShape& s, const Plan& p, const float* col, float* dx, int64_t nt) {
  parallel_for(nt * s.c, channel_grain(s, p), [&](int64_t b, int64_t e) {
    std::memset(dx + b * p.hw, 0, sizeof(float) * (e - b) * p.hw);
    while (b < e) {
      const int64_t t = b / s.c, c0 = b % s.c;
      const int64_t c1 = (e - t * s.c) < s.c ? e - t * s.c : s.c;
      col2im_add(s, col + t * p.col_per_image, dx + t * s.c * p.hw, c0, c1);
      b = t * s.c + c1;
    }
  });
}

}  // namespace

bool conv2d_forward(const KernelTable& k, const ConvShape& s, const float* x, const float* w,
                    const float* bias, float* y) {
  const Plan p = plan_for(s);
  if (s.n == 0 || p.ohw == 0 || s.oc == 0) return true;
  std::unique_ptr<float[]> col = col_buffer(p);
  if (col_missing(p, col)) return false;
  if (bias) {
    parallel_for(s.n * s.oc, (kCopyGrain + p.ohw - 1) / p.ohw, [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        float* yr = y + r * p.ohw;
        const float v = bias[r % s.oc];
        for (int64_t i = 0; i < p.ohw; ++i) yr[i] = v;
      }
    });
  }
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = s.n - n0 < p.tile ? s.n - n0 : p.tile;
    const float* xb = x + n0 * s.c * p.hw;
    const float* b = xb;
    if (!p.direct) {
      im2col_tile(s, p, xb, col.get(), nt);
      b = col.get();
    }
    for (int64_t g = 0; g < s.groups; ++g) {
      sgemm_batched(k, false, false, nt, p.ocg, p.ohw, p.kg, 1.f, w + g * p.ocg * p.kg, p.kg, 0,
                    b + g * p.kg * p.ohw, p.ohw, p.col_per_image, bias ? 1.f : 0.f,
                    y + n0 * s.oc * p.ohw + g * p.ocg * p.ohw, p.ohw, s.oc * p.ohw);
    }
  }
  return true;
}

bool conv2d_backward_input(const KernelTable& k, const ConvShape& s, const float* dy,
                           const float* w, float* dx) {
  const Plan p = plan_for(s);
  if (s.n == 0 || p.hw == 0 || s.c == 0) return true;
  if (p.ohw == 0 || s.oc == 0) {
    std::memset(dx, 0, sizeof(float) * s.n * s.c * p.hw);
    return true;
  }
  std::unique_ptr<float[]> col = col_buffer(p);
  if (col_missing(p, col)) return false;
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = s.n - n0 < p.tile ? s.n - n0 : p.tile;
    float* dxb = dx + n0 * s.c * p.hw;
    float* c = p.direct ? dxb : col.get();
    for (int64_t g = 0; g < s.groups; ++g) {
      sgemm_batched(k, true, false, nt, p.kg, p.ohw, p.ocg, 1.f, w + g * p.ocg * p.kg, p.kg, 0,
                    dy + n0 * s.oc * p.ohw + g * p.ocg * p.ohw, p.ohw, s.oc * p.ohw, 0.f,
                    c + g * p.kg * p.ohw, p.ohw, p.col_per_image);
    }
    if (!p.direct) col2im_tile(s, p, col.get(), dxb, nt);
  }
  return true;
}

bool conv2d_backward_weight(const KernelTable& k, const ConvShape& s, const float* x,
                            const float* dy, float* dw, float* dbias) {
  const Plan p = plan_for(s);
  std::unique_ptr<float[]> col;
  if (s.n > 0 && p.ohw > 0) {
    col = col_buffer(p);
    if (col_missing(p, col)) return false;
  }
  if (dbias) {
    parallel_for(s.oc, 1 + kCopyGrain / (s.n * p.ohw + 1), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        double acc = 0;
        for (int64_t i = 0; i < s.n; ++i) {
          const float* r = dy + (i * s.oc + o) * p.ohw;
          float part = 0.f;
          for (int64_t j = 0; j < p.ohw; ++j) part += r[j];
          acc += part;
        }
        dbias[o] = static_cast<float>(acc);
      }
    });
  }
  if (s.n == 0 || p.ohw == 0) {
    std::memset(dw, 0, sizeof(float) * s.oc * p.kg);
    return true;
  }
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = s.n - n0 < p.tile ? s.n - n0 : p.tile;
    const float* xb = x + n0 * s.c * p.hw;
    const float* b = xb;
    if (!p.direct) {
      im2col_tile(s, p, xb, col.get(), nt);
      b = col.get();
    }
    for (int64_t t = 0; t < nt; ++t) {
      const float beta = n0 + t == 0 ? 0.f : 1.f;
      for (int64_t g = 0; g < s.groups; ++g) {
        sgemm(k, false, true, p.ocg, p.kg, p.ohw, 1.f,
              dy + (n0 + t) * s.oc * p.ohw + g * p.ocg * p.ohw, p.ohw,
              b + t * p.col_per_image + g * p.kg * p.ohw, p.ohw, beta, dw + g * p.ocg * p.kg,
              p.kg);
      }
    }
  }
  return true;
}

}  // namespace myelin
