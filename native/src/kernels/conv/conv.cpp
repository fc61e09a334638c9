// Convolution drivers. A batch tile of nt images is im2col'ed side by side into one column
// matrix [C*kh*kw, nt*OH*OW] (threaded over images x channels). The forward is a batched GEMM
// per group writing straight into NCHW y; the gradients gather dy into the matching
// [OC, nt*OH*OW] layout so each group is ONE large GEMM (K or N = nt*OH*OW) rather than nt small
// ones. The tile is bounded (column buffer plus that layout <= 2 MiB, or one image). A 1x1
// stride-1 unpadded convolution reads x itself (batched GEMM, no im2col) in the forward and the
// grad-input. With several threads and enough images, the batch is instead split over the
// threads by images (see image_split): each thread im2cols and multiplies its own images, with
// GEMMs on that thread alone; the weight gradient sums per-thread partials in thread order.
#include <algorithm>
#include <atomic>
#include <cstring>

#include "kernels/conv/conv.h"
#include "kernels/conv/conv_direct.h"
#include "kernels/conv/winograd.h"
#include "kernels/convert/convert.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_lowp.h"
#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

// Column buffer plus the gathered output layout hold at most this many floats (2 MiB) unless
// one image needs more: cache-sized tiles keep the column matrix hot between im2col and the
// GEMM (measured 1.2-1.5x faster than whole-batch tiles of 10-40 MB on batches of 32 images of
// 32x32 and 16x16 planes).
constexpr int64_t kMaxBufferFloats = int64_t{1} << 19;
// Elements per thread below which copies stay on the caller.
constexpr int64_t kCopyGrain = 1 << 15;
// Columns (GEMM K) per thread below which the weight gradient is not split over K.
constexpr int64_t kMinWeightK = 512;
// Weight gradients above this many floats are not split over K.
constexpr int64_t kMaxSplitWeight = int64_t{1} << 18;

// Output planes at least this wide make per-image grad-input GEMMs (N = OHW) efficient; narrower
// ones are gathered into one GEMM per sub-tile (measured on 8x8 vs 16x16 and 32x32 planes).
constexpr int64_t kMinBatchedColumns = 256;

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
  p.direct = s.kh == 1 && s.kw == 1 && s.sh == 1 && s.sw == 1 && s.ph == 0 && s.pw == 0 && s.oh == s.h && s.ow == s.w;
  p.col_per_image = s.c * s.kh * s.kw * p.ohw;
  const int64_t per_image = p.col_per_image + s.oc * p.ohw;
  p.tile = per_image > 0 ? kMaxBufferFloats / per_image : s.n;
  if (p.tile < 1) p.tile = 1;
  if (p.tile > s.n) p.tile = s.n;
  return p;
}

// The tile's buffers: col [C*kh*kw, tile*OHW] and wide [OC, tile*OHW] (only for tiles of
// several images).
template <class T>
struct Buffers {
  Scratch<T> col, wide;
};

template <class T>
Buffers<T> buffers(const Plan& p, const ConvShape& s, bool need_col, bool need_wide) {
  Buffers<T> b;
  if (p.tile == 0) return b;
  if (need_col) b.col = Scratch<T>(p.tile * p.col_per_image);
  if (need_wide && p.tile > 1) b.wide = Scratch<T>(p.tile * s.oc * p.ohw);
  return b;
}

// Sum of n floats in 8 interleaved partial sums (a fixed order the compiler can vectorise).
double row_sum(const float* r, int64_t n) {
  float part[8] = {0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f, 0.f};
  int64_t j = 0;
  for (; j + 8 <= n; j += 8)
    for (int l = 0; l < 8; ++l) part[l] += r[j + l];
  double acc = 0;
  for (int l = 0; l < 8; ++l) acc += part[l];
  for (; j < n; ++j) acc += r[j];
  return acc;
}

int64_t grain(int64_t per_item) { return per_item > 0 ? (kCopyGrain + per_item - 1) / per_item : kCopyGrain; }

// Calls f(t, c0, c1) over the (image, channel) pairs [b, e) of nt images x c channels.
template <class F>
void for_image_channels(int64_t b, int64_t e, int64_t c, F&& f) {
  while (b < e) {
    const int64_t t = b / c, c0 = b % c;
    const int64_t c1 = e - t * c < c ? e - t * c : c;
    f(t, c0, c1);
    b = t * c + c1;
  }
}

template <class T>
void im2col_tile(const ConvShape& s, const Plan& p, const T* x, T* col, int64_t nt) {
  const int64_t ld = nt * p.ohw;
  parallel_for(nt * s.c, grain(s.kh * s.kw * p.ohw), [&](int64_t b, int64_t e) {
    for_image_channels(b, e, s.c, [&](int64_t t, int64_t c0, int64_t c1) {
      im2col(s, x + t * s.c * p.hw, col + t * p.ohw, ld, c0, c1);
    });
  });
}

template <class T>
void col2im_tile(const ConvShape& s, const Plan& p, T* col, T* dx, int64_t nt) {
  const int64_t ld = nt * p.ohw;
  parallel_for(nt * s.c, grain(s.kh * s.kw * p.ohw + p.hw), [&](int64_t b, int64_t e) {
    std::memset(dx + b * p.hw, 0, sizeof(T) * (e - b) * p.hw);
    for_image_channels(b, e, s.c, [&](int64_t t, int64_t c0, int64_t c1) {
      col2im_add(s, col + t * p.ohw, ld, dx + t * s.c * p.hw, c0, c1);
    });
  });
}

// wide [OC, nt*OHW] <- y [nt, OC, OHW]: the layout that makes a tile's gradients one matrix.
template <class T>
void gather_wide(const ConvShape& s, const Plan& p, const T* y, T* wide, int64_t nt) {
  const int64_t ld = nt * p.ohw;
  parallel_for(nt * s.oc, grain(p.ohw), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t t = r / s.oc, o = r % s.oc;
      std::memcpy(wide + o * ld + t * p.ohw, y + r * p.ohw, sizeof(T) * p.ohw);
    }
  });
}

// A tile's dy [nt, OC, OHW] as one [OC, nt*OHW] matrix: dy itself for one image, else gathered
// into `wide`.
template <class T>
const T* wide_dy(const ConvShape& s, const Plan& p, const T* dy, T* wide, int64_t nt) {
  if (nt == 1) return dy;
  gather_wide(s, p, dy, wide, nt);
  return wide;
}

template <class T>
void fill_bias(const ConvShape& s, const Plan& p, const T* bias, T* y, int64_t nt) {
  // Sizes copied to locals: read through the references, they kept the fill loop scalar in
  // some inlining contexts (twice the time).
  const int64_t ohw = p.ohw, oc = s.oc;
  parallel_for(nt * oc, grain(ohw), [=](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) std::fill_n(y + r * ohw, ohw, bias[r % oc]);
  });
}

// The float path's products: C = op(A) op(B) + beta C (alpha 1) for `batch` matrices (strides as
// sgemm_batched's), by the fp32 GEMM, or for an autocast convolution (s.bf16) the bf16 GEMM:
// operands rounded to bf16 as they are read, their products summed in fp32 into fp32 C.
//
// Which path an autocast convolution takes (measured on Zen 4, 1 thread, SimpleCNN's layers at
// batch 32, forward / grad-input / grad-weight in ms):
// - Winograd with bf16 position GEMMs where winograd_applies says (a bf16 GEMM kernel, planes
//   of 64 tiles or more): 32 -> 64 channels on 16x16 planes 1.37 / 1.52 / 1.75 against
//   im2col's 2.06 / 2.00 / 2.17 (fp32 Winograd: 2.05 / 2.09 / 2.42). On 8x8 planes (16 tiles,
//   64 -> 128) im2col's K = 9 C keeps its GEMMs ahead: 1.97 / 1.83 / 1.90 against 1.79 / 2.02 /
//   2.05.
// - Else im2col + the bf16 GEMM, also where fp32 takes the direct kernel: that kernel on
//   rounded copies of x and w (exact bf16 products too) measured 0.58 ms against 0.65 on the
//   3-channel 32x32 layer, which does not pay for the copies' rounding pass; nor did fp32
//   Winograd on rounded copies (2.0-2.5 ms on the 16x16 layer, no faster than im2col's).
//
// row_bias (bf16 only, else null): added to row i of each C as the output pass stores it, so C
// need not be filled with the bias first and read back (beta 1); the sum is the same one
// rounding of bias + product as that way's.
void products(const KernelTable& k, const ConvShape& s, bool ta, bool tb, int64_t batch, int64_t m, int64_t n,
              int64_t kk, const float* a, int64_t lda, int64_t stride_a, const float* b, int64_t ldb, int64_t stride_b,
              float beta, float* c, int64_t ldc, int64_t stride_c, const float* row_bias = nullptr) {
  if (!s.bf16)
    return sgemm_batched(k, ta, tb, batch, m, n, kk, 1.f, a, lda, stride_a, b, ldb, stride_b, beta, c, ldc, stride_c);
  LowpOutput out;
  out.type = LowpType::F32;
  out.c = c;
  out.ldc = ldc;
  out.beta = beta;
  out.row_bias = row_bias;
  gemm_bf16(k, batch, m, n, kk, LowpOperand{a, LowpType::F32, lda, ta, stride_a},
            LowpOperand{b, LowpType::F32, ldb, tb, stride_b}, out, stride_c);
}

void product(const KernelTable& k, const ConvShape& s, bool ta, bool tb, int64_t m, int64_t n, int64_t kk,
             const float* a, int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  if (!s.bf16) return sgemm(k, ta, tb, m, n, kk, 1.f, a, lda, b, ldb, beta, c, ldc);
  products(k, s, ta, tb, 1, m, n, kk, a, lda, 0, b, ldb, 0, beta, c, ldc, 0);
}

// The share of an m x n product's register tiles (MR x NR) that holds real entries of C.
double tile_use(int64_t m, int64_t n, int mr, int nr) {
  return static_cast<double>(m) / (((m + mr - 1) / mr) * mr) * static_cast<double>(n) / (((n + nr - 1) / nr) * nr);
}

// Whether dw^T = col * wide^T fills the GEMM's register tiles much better than dw = wide * col^T:
// a layer with few input channels (kg = 9 for C = 1, k3) makes N = kg of NR = 64 columns in the
// natural orientation, most of each tile wasted.
bool transposed_weight_gemm(const KernelTable& k, const Plan& p) {
  const int mr = k.gemm.mr, nr = k.gemm.nr;
  return tile_use(p.kg, p.ocg, mr, nr) > 1.5 * tile_use(p.ocg, p.kg, mr, nr);
}

// Whether an autocast convolution's tile im2cols bf16 columns (the forward's and the weight
// gradient's): the tile's x rounded to bf16 in the column buffer's second half (whenever the
// columns are at least as large as x, as with any stride-1 window), then columns of bf16 bits in
// its first. Half the bytes written and read again, and the GEMM's packing interleaves bits
// instead of rounding floats (im2col, its copies and pack_b were 24% of the 64 -> 128 channel 8x8
// layer's forward). The values are the rounding the packing made of the fp32 columns (the same
// round to nearest even, NaN -> 0xffff), so the same bits.
bool bf16_columns(const ConvShape& s, const Plan& p) { return s.bf16 && p.col_per_image >= s.c * p.hw; }

// A tile's column matrix [C*kh*kw, nt*OHW]: fp32, or bf16 bits (see bf16_columns).
struct Columns {
  const void* data;
  LowpType type;
  const void* at(int64_t e) const {
    return type == LowpType::Bf16 ? static_cast<const void*>(static_cast<const uint16_t*>(data) + e)
                                  : static_cast<const void*>(static_cast<const float*>(data) + e);
  }
};

// The columns of images xb [nt, C, H, W] in col's buffer (nt * col_per_image floats).
Columns tile_columns(const KernelTable& k, const ConvShape& s, const Plan& p, const float* xb, float* col, int64_t nt) {
  if (!bf16_columns(s, p)) {
    im2col_tile(s, p, xb, col, nt);
    return {col, LowpType::F32};
  }
  uint16_t* col_bits = reinterpret_cast<uint16_t*>(col);
  uint16_t* x_bits = col_bits + nt * p.col_per_image;
  convert_f32_to_bf16(k, nt * s.c * p.hw, xb, x_bits);
  im2col_tile(s, p, static_cast<const uint16_t*>(x_bits), col_bits, nt);
  return {col_bits, LowpType::Bf16};
}

// out (ocg x kg per group, `groups` of them) = wide * col^T over columns [k0, k1), or its
// transpose (kg x ocg per group) when `transposed`; beta 0 or 1.
void weight_product(const KernelTable& k, const ConvShape& s, const Plan& p, const float* wide, const Columns& col,
                    int64_t ld, int64_t k0, int64_t k1, bool transposed, float beta, float* out) {
  for (int64_t g = 0; g < s.groups; ++g) {
    const float* wg = wide + g * p.ocg * ld + k0;
    const void* cg = col.at(g * p.kg * ld + k0);
    float* og = out + g * p.ocg * p.kg;
    if (!s.bf16) {
      const float* cf = static_cast<const float*>(cg);
      if (transposed) {
        sgemm(k, false, true, p.kg, p.ocg, k1 - k0, 1.f, cf, ld, wg, ld, beta, og, p.ocg);
      } else {
        sgemm(k, false, true, p.ocg, p.kg, k1 - k0, 1.f, wg, ld, cf, ld, beta, og, p.kg);
      }
      continue;
    }
    // The bf16 GEMM reads fp32 columns rounded, or the bits themselves: the same operand values.
    LowpOutput o;
    o.c = og;
    o.beta = beta;
    const LowpOperand dy_op{wg, LowpType::F32, ld, transposed, 0}, col_op{cg, col.type, ld, !transposed, 0};
    if (transposed) {
      o.ldc = p.ocg;
      gemm_bf16(k, 1, p.kg, p.ocg, k1 - k0, col_op, dy_op, o, 0);
    } else {
      o.ldc = p.kg;
      gemm_bf16(k, 1, p.ocg, p.kg, k1 - k0, dy_op, col_op, o, 0);
    }
  }
}

// dw (+)= the sum of `parts` partials in order (deterministic for a fixed count). Entry i of dw
// is (g, o, r); a transposed partial holds it at (g, r, o).
void sum_partials(const ConvShape& s, const Plan& p, const float* partial, int64_t parts, bool transposed,
                  bool overwrite, float* dw) {
  const int64_t dw_size = s.oc * p.kg;
  parallel_for(dw_size, kCopyGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      int64_t at = i;
      if (transposed) {
        const int64_t g = i / (p.ocg * p.kg), o = (i / p.kg) % p.ocg, r = i % p.kg;
        at = (g * p.kg + r) * p.ocg + o;
      }
      float acc = overwrite ? 0.f : dw[i];
      for (int64_t t = 0; t < parts; ++t) acc += partial[t * dw_size + at];
      dw[i] = acc;
    }
  });
}

// dw (+)= wide * col^T per group over K = ld columns. dw is small (OC x C*kh*kw) and K large:
// the GEMM's own threads split only M and N, so with several threads K is split here instead,
// each thread into its own partial, summed in thread order (deterministic for a thread count).
// Transposed products (see transposed_weight_gemm) also go through partials, transposed back
// while summing.
void weight_gemm(const KernelTable& k, const ConvShape& s, const Plan& p, const float* wide, const Columns& col,
                 int64_t ld, bool overwrite, float* dw) {
  const int64_t dw_size = s.oc * p.kg;
  const bool transposed = transposed_weight_gemm(k, p);
  int64_t parts = split_threads();
  if (parts > ld / kMinWeightK) parts = ld / kMinWeightK;
  // A large dw gives the GEMM's own M/N split enough work; partials would only cost memory.
  if (dw_size > kMaxSplitWeight) parts = 1;
  if (parts < 1) parts = 1;
  if (parts == 1 && !transposed) {
    weight_product(k, s, p, wide, col, ld, 0, ld, false, overwrite ? 0.f : 1.f, dw);
    return;
  }
  const Scratch<float> partial(parts * dw_size);
  auto run = [&](int tid, int nth) {
    const int64_t k0 = ld * tid / nth, k1 = ld * (tid + 1) / nth;
    weight_product(k, s, p, wide, col, ld, k0, k1, transposed, 0.f, partial.get() + tid * dw_size);
  };
  parallel_run(static_cast<int>(parts), run);
  sum_partials(s, p, partial.get(), parts, transposed, overwrite, dw);
}

// Splitting a batch over threads by images: each thread runs its own contiguous run of images
// in sub-tiles of `sub`, with its own buffers, im2col/col2im and GEMMs (which, called inside the
// region, run on that thread alone). Per-image GEMMs of small layers (e.g. 64 x 256 x 288) split
// poorly over threads, and each split step costs a barrier; this path has one barrier in all
// and keeps each thread's column matrix in its own core's cache.
struct ImageSplit {
  int threads = 0;  // 0: the tiled path
  int64_t sub = 0;  // images per sub-tile
};

// threads = 0: use the tiled path. With `single`, one thread also takes this path (threads 1).
// max_sub > 0 caps the sub-tile. sums_images: the weight gradient, whose sum over images is
// split (see split_threads_for).
ImageSplit image_split(const ConvShape& s, const Plan& p, int64_t per_image, bool single = false, int64_t max_sub = 0,
                       bool sums_images = false) {
  ImageSplit r;
  r.threads = 0;
  const int64_t flops = 2 * s.oc * p.kg * p.ohw;  // one image
  const int nth =
      sums_images ? split_threads_for(s.n * flops, kConvMinThreadFlops) : threads_for(s.n * flops, kConvMinThreadFlops);
  if (nth <= 1 && !single) return r;
  // Few images: uneven shares (3 images on 2 threads) waste more than the tiled path.
  if (nth > 1 && (s.n < nth || (s.n % nth != 0 && s.n < 4 * nth))) return r;
  const int64_t budget = kMaxBufferFloats / nth;
  if (per_image <= 0 || per_image > budget) return r;
  int64_t sub = budget / per_image;
  const int64_t mine = (s.n + nth - 1) / nth;
  if (sub > mine) sub = mine;
  if (max_sub > 0 && sub > max_sub) sub = max_sub;
  // A batched GEMM of a multiple of the thread count runs whole GEMMs (not split ones).
  if (sub >= nth) sub -= sub % nth;
  r.threads = nth;
  r.sub = sub;
  return r;
}

// Runs tile(tid, buffer, n0, nt) over each thread's images in sub-tiles; each thread gets
// per_image * sub floats of buffer.
template <class F>
void by_images(const ConvShape& s, const ImageSplit& sp, int64_t per_image, F&& tile) {
  const int64_t per_thread = sp.sub * per_image;
  const Scratch<float> buf(sp.threads * per_thread);
  auto body = [&](int tid, int nth) {
    const int64_t i0 = s.n * tid / nth, i1 = s.n * (tid + 1) / nth;
    for (int64_t n0 = i0; n0 < i1; n0 += sp.sub) {
      const int64_t nt = i1 - n0 < sp.sub ? i1 - n0 : sp.sub;
      tile(tid, buf.get() + tid * per_thread, n0, nt);
    }
  };
  parallel_run(sp.threads, body);
}

// y for images [n0, n0 + nt) through col [C*kh*kw, nt*OHW] (not the direct path).
void forward_tile(const KernelTable& k, const ConvShape& s, const Plan& p, const float* x, const float* w,
                  const float* bias, float* y, float* col, int64_t n0, int64_t nt) {
  const int64_t ld = nt * p.ohw;
  const float* xb = x + n0 * s.c * p.hw;
  float* yb = y + n0 * s.oc * p.ohw;
  const Columns cols = tile_columns(k, s, p, xb, col, nt);
  if (cols.type == LowpType::Bf16) {
    for (int64_t g = 0; g < s.groups; ++g) {
      LowpOutput out;
      out.c = yb + g * p.ocg * p.ohw;
      out.ldc = p.ohw;
      out.row_bias = bias ? bias + g * p.ocg : nullptr;
      gemm_bf16(k, nt, p.ocg, p.ohw, p.kg, LowpOperand{w + g * p.ocg * p.kg, LowpType::F32, p.kg, false, 0},
                LowpOperand{cols.at(g * p.kg * ld), LowpType::Bf16, ld, false, p.ohw}, out, s.oc * p.ohw);
    }
    return;
  }
  // The bf16 GEMM adds the bias as it stores y (one pass over y less: 8% of the 3-channel
  // 32x32 layer's forward went to the fill).
  const bool fill = bias && !s.bf16;
  if (fill) fill_bias(s, p, bias, yb, nt);
  // Image t's columns sit at col + t*OHW: a batched GEMM writes straight into NCHW y.
  for (int64_t g = 0; g < s.groups; ++g) {
    products(k, s, false, false, nt, p.ocg, p.ohw, p.kg, w + g * p.ocg * p.kg, p.kg, 0, col + g * p.kg * ld, ld, p.ohw,
             fill ? 1.f : 0.f, yb + g * p.ocg * p.ohw, p.ohw, s.oc * p.ohw, fill || !bias ? nullptr : bias + g * p.ocg);
  }
}

}  // namespace

namespace {
std::atomic<int> g_algorithm{0};
}  // namespace

void set_conv_algorithm(int algorithm) { g_algorithm.store(algorithm); }
int conv_algorithm() { return g_algorithm.load(); }

void conv2d_forward(const KernelTable& k, const ConvShape& s, const float* x, const float* w, const float* bias,
                    float* y) {
  const Plan p = plan_for(s);
  if (s.n == 0 || p.ohw == 0) return;
  if (winograd_applies(k, s)) return winograd_forward(k, s, x, w, bias, y);
  if (!p.direct && conv_direct_applies(k, s)) return conv_direct_forward(k, s, x, w, bias, y);
  if (!p.direct) {
    // The sub-tile is sized for its columns and its output (written while the columns are hot).
    const ImageSplit sp = image_split(s, p, p.col_per_image + s.oc * p.ohw);
    if (sp.threads > 0) {
      return by_images(s, sp, p.col_per_image, [&](int, float* col, int64_t n0, int64_t nt) {
        forward_tile(k, s, p, x, w, bias, y, col, n0, nt);
      });
    }
  }
  Buffers<float> buf = buffers<float>(p, s, !p.direct, false);
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = s.n - n0 < p.tile ? s.n - n0 : p.tile;
    const float* xb = x + n0 * s.c * p.hw;
    float* yb = y + n0 * s.oc * p.ohw;
    if (p.direct) {
      const bool fill = bias && !s.bf16;  // the bf16 GEMM adds the bias as it stores y
      if (fill) fill_bias(s, p, bias, yb, nt);
      for (int64_t g = 0; g < s.groups; ++g) {
        products(k, s, false, false, nt, p.ocg, p.ohw, p.kg, w + g * p.ocg * p.kg, p.kg, 0, xb + g * p.kg * p.ohw,
                 p.ohw, s.c * p.hw, fill ? 1.f : 0.f, yb + g * p.ocg * p.ohw, p.ohw, s.oc * p.ohw,
                 fill || !bias ? nullptr : bias + g * p.ocg);
      }
      continue;
    }
    forward_tile(k, s, p, x, w, bias, y, buf.col.get(), n0, nt);
  }
  return;
}

void conv2d_backward_input(const KernelTable& k, const ConvShape& s, const float* dy, const float* w, float* dx) {
  const Plan p = plan_for(s);
  if (s.n == 0 || p.hw == 0) return;
  if (p.ohw == 0) {
    std::memset(dx, 0, sizeof(float) * s.n * s.c * p.hw);
    return;
  }
  if (winograd_applies(k, s)) return winograd_backward_input(k, s, dy, w, dx);
  if (!p.direct) {
    // col = w^T dy per image (batched, reading dy in place) or, when an image's OHW is too
    // narrow for the GEMM's tiles, for the sub-tile as one GEMM over gathered dy (N = nt*OHW).
    const bool batched = p.ohw >= kMinBatchedColumns;
    const int64_t per_image = p.col_per_image + (batched ? 0 : s.oc * p.ohw);
    // Very wide planes take the per-image GEMMs at one thread too (32x32 planes: 13% faster;
    // 16x16 ones were 4% slower than the tiled path's one GEMM).
    const bool single = p.ohw >= 4 * kMinBatchedColumns;
    const ImageSplit sp = image_split(s, p, per_image, single);
    if (sp.threads > 0) {
      return by_images(s, sp, per_image, [&](int, float* buf, int64_t n0, int64_t nt) {
        const int64_t ld = nt * p.ohw;
        float* col = buf;
        const float* dyb = dy + n0 * s.oc * p.ohw;
        if (batched) {
          for (int64_t g = 0; g < s.groups; ++g) {
            products(k, s, true, false, nt, p.kg, p.ohw, p.ocg, w + g * p.ocg * p.kg, p.kg, 0, dyb + g * p.ocg * p.ohw,
                     p.ohw, s.oc * p.ohw, 0.f, col + g * p.kg * ld, ld, p.ohw);
          }
        } else {
          const float* wide = wide_dy(s, p, dyb, buf + sp.sub * p.col_per_image, nt);
          for (int64_t g = 0; g < s.groups; ++g) {
            product(k, s, true, false, p.kg, ld, p.ocg, w + g * p.ocg * p.kg, p.kg, wide + g * p.ocg * ld, ld, 0.f,
                    col + g * p.kg * ld, ld);
          }
        }
        col2im_tile(s, p, col, dx + n0 * s.c * p.hw, nt);
      });
    }
  }
  Buffers<float> buf = buffers<float>(p, s, !p.direct, !p.direct);
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = s.n - n0 < p.tile ? s.n - n0 : p.tile;
    const float* dyb = dy + n0 * s.oc * p.ohw;
    float* dxb = dx + n0 * s.c * p.hw;
    if (p.direct) {
      for (int64_t g = 0; g < s.groups; ++g) {
        products(k, s, true, false, nt, p.kg, p.ohw, p.ocg, w + g * p.ocg * p.kg, p.kg, 0, dyb + g * p.ocg * p.ohw,
                 p.ohw, s.oc * p.ohw, 0.f, dxb + g * p.kg * p.hw, p.hw, s.c * p.hw);
      }
      continue;
    }
    const int64_t ld = nt * p.ohw;
    const float* wide = wide_dy(s, p, dyb, buf.wide.get(), nt);
    for (int64_t g = 0; g < s.groups; ++g) {
      product(k, s, true, false, p.kg, ld, p.ocg, w + g * p.ocg * p.kg, p.kg, wide + g * p.ocg * ld, ld, 0.f,
              buf.col.get() + g * p.kg * ld, ld);
    }
    col2im_tile(s, p, buf.col.get(), dxb, nt);
  }
  return;
}

void conv2d_backward_weight(const KernelTable& k, const ConvShape& s, const float* x, const float* dy, float* dw,
                            float* dbias) {
  const Plan p = plan_for(s);
  const bool empty = s.n == 0 || p.ohw == 0;
  if (dbias && empty) {
    std::memset(dbias, 0, sizeof(float) * s.oc);  // no loop over images that hold no output
  } else if (dbias) {
    parallel_for(s.oc, grain(s.n * p.ohw), [&](int64_t b, int64_t e) {
      // bf16: the sum of dy rounded to bf16, as the products read it (each row rounded before
      // its sum: the same sum as over a rounded copy of dy, which the caller need not make).
      Scratch<float> rounded;
      if (s.bf16) rounded = Scratch<float>(p.ohw);
      for (int64_t o = b; o < e; ++o) {
        double acc = 0;
        for (int64_t i = 0; i < s.n; ++i) {
          const float* row = dy + (i * s.oc + o) * p.ohw;
          if (s.bf16) {
            round_f32_to_bf16(k, p.ohw, row, rounded.get());
            row = rounded.get();
          }
          acc += row_sum(row, p.ohw);
        }
        dbias[o] = static_cast<float>(acc);
      }
    });
  }
  if (empty) {
    std::memset(dw, 0, sizeof(float) * s.oc * p.kg);
    return;
  }
  if (winograd_applies(k, s)) return winograd_backward_weight(k, s, x, dy, dw);
  const int64_t dw_size = s.oc * p.kg;
  // Wide planes: one image at a time, reading dy in place (K = OHW per product, accumulated);
  // narrow ones: dy gathered for the sub-tile, one product with K = nt*OHW.
  // (Measured at one thread too: 7-11% faster than the tiled path on 32x32 and 16x16 planes.)
  const bool one_by_one = p.ohw >= kMinBatchedColumns;
  const int64_t per_image = p.col_per_image + (one_by_one ? 0 : s.oc * p.ohw);
  const ImageSplit sp =
      dw_size <= kMaxSplitWeight ? image_split(s, p, per_image, one_by_one, one_by_one ? 1 : 0, true) : ImageSplit{};
  if (sp.threads > 0) {
    // Each thread sums its images' products into its own partial (kept transposed when that
    // fills the GEMM tiles better); the partials are summed in thread order. One thread not
    // transposed writes dw itself.
    const bool transposed = transposed_weight_gemm(k, p);
    const bool direct = sp.threads == 1 && !transposed;
    Scratch<float> partial;
    if (!direct) partial = Scratch<float>(sp.threads * dw_size);
    by_images(s, sp, per_image, [&](int tid, float* buf, int64_t n0, int64_t nt) {
      const int64_t ld = nt * p.ohw;
      const int64_t first = s.n * tid / sp.threads;
      const Columns col = tile_columns(k, s, p, x + n0 * s.c * p.hw, buf, nt);
      const float* wide = wide_dy(s, p, dy + n0 * s.oc * p.ohw, buf + sp.sub * p.col_per_image, nt);
      weight_product(k, s, p, wide, col, ld, 0, ld, transposed, n0 == first ? 0.f : 1.f,
                     direct ? dw : partial.get() + tid * dw_size);
    });
    if (!direct) sum_partials(s, p, partial.get(), sp.threads, transposed, true, dw);
    return;
  }
  Buffers<float> buf = buffers<float>(p, s, true, true);
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = s.n - n0 < p.tile ? s.n - n0 : p.tile;
    const int64_t ld = nt * p.ohw;
    const Columns col = tile_columns(k, s, p, x + n0 * s.c * p.hw, buf.col.get(), nt);
    const float* wide = wide_dy(s, p, dy + n0 * s.oc * p.ohw, buf.wide.get(), nt);
    weight_gemm(k, s, p, wide, col, ld, n0 == 0, dw);
  }
  return;
}

// ---- float64: the tiled im2col + GEMM path alone, in double (no Winograd, no direct kernel, no
// split by images: the dgemm threads each product). Every product and sum is in double.

namespace {

// The float path's plan with the double tile: col and the gathered layout within the float
// path's buffer bytes.
Plan plan_f64(const ConvShape& s) {
  Plan p = plan_for(s);
  const int64_t per_image = p.col_per_image + s.oc * p.ohw;
  const int64_t tile = per_image > 0 ? kMaxBufferFloats / 2 / per_image : s.n;
  p.tile = std::max<int64_t>(1, std::min(tile, s.n));
  return p;
}

}  // namespace

void conv2d_forward(const KernelTable& k, const ConvShape& s, const double* x, const double* w, const double* bias,
                    double* y) {
  const Plan p = plan_f64(s);
  if (s.n == 0 || p.ohw == 0) return;
  const Buffers<double> buf = buffers<double>(p, s, true, false);
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = std::min(p.tile, s.n - n0), ld = nt * p.ohw;
    double* yb = y + n0 * s.oc * p.ohw;
    im2col_tile(s, p, x + n0 * s.c * p.hw, buf.col.get(), nt);
    if (bias) fill_bias(s, p, bias, yb, nt);
    for (int64_t g = 0; g < s.groups; ++g) {
      dgemm_batched(k, false, false, nt, p.ocg, p.ohw, p.kg, 1.0, w + g * p.ocg * p.kg, p.kg, 0,
                    buf.col.get() + g * p.kg * ld, ld, p.ohw, bias ? 1.0 : 0.0, yb + g * p.ocg * p.ohw, p.ohw,
                    s.oc * p.ohw);
    }
  }
}

void conv2d_backward_input(const KernelTable& k, const ConvShape& s, const double* dy, const double* w, double* dx) {
  const Plan p = plan_f64(s);
  if (s.n == 0 || p.hw == 0) return;
  if (p.ohw == 0) {
    std::memset(dx, 0, sizeof(double) * s.n * s.c * p.hw);
    return;
  }
  const Buffers<double> buf = buffers<double>(p, s, true, true);
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = std::min(p.tile, s.n - n0), ld = nt * p.ohw;
    const double* g_out = wide_dy(s, p, dy + n0 * s.oc * p.ohw, buf.wide.get(), nt);
    // col = w^T dy per group over the tile's columns, then scattered back into dx.
    for (int64_t g = 0; g < s.groups; ++g) {
      dgemm_batched(k, true, false, 1, p.kg, ld, p.ocg, 1.0, w + g * p.ocg * p.kg, p.kg, 0, g_out + g * p.ocg * ld, ld,
                    0, 0.0, buf.col.get() + g * p.kg * ld, ld, 0);
    }
    col2im_tile(s, p, buf.col.get(), dx + n0 * s.c * p.hw, nt);
  }
}

void conv2d_backward_weight(const KernelTable& k, const ConvShape& s, const double* x, const double* dy, double* dw,
                            double* dbias) {
  const Plan p = plan_f64(s);
  if (dbias) {
    parallel_for(s.oc, grain(s.n * p.ohw), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        double acc = 0;
        for (int64_t i = 0; i < s.n; ++i) {
          const double* r = dy + (i * s.oc + o) * p.ohw;
          for (int64_t j = 0; j < p.ohw; ++j) acc += r[j];
        }
        dbias[o] = acc;
      }
    });
  }
  if (s.n == 0 || p.ohw == 0) {
    std::memset(dw, 0, sizeof(double) * s.oc * p.kg);
    return;
  }
  const Buffers<double> buf = buffers<double>(p, s, true, true);
  for (int64_t n0 = 0; n0 < s.n; n0 += p.tile) {
    const int64_t nt = std::min(p.tile, s.n - n0), ld = nt * p.ohw;
    im2col_tile(s, p, x + n0 * s.c * p.hw, buf.col.get(), nt);
    const double* g_out = wide_dy(s, p, dy + n0 * s.oc * p.ohw, buf.wide.get(), nt);
    // dw (+)= dy col^T per group, K = the tile's columns.
    for (int64_t g = 0; g < s.groups; ++g) {
      dgemm_batched(k, false, true, 1, p.ocg, p.kg, ld, 1.0, g_out + g * p.ocg * ld, ld, 0,
                    buf.col.get() + g * p.kg * ld, ld, 0, n0 == 0 ? 0.0 : 1.0, dw + g * p.ocg * p.kg, p.kg, 0);
    }
  }
}

}  // namespace myelin
