// Pooling drivers and their scalar loops over float or double (one template: the float64 tensors
// get the same windows, NaN rules and threads, every sum in double), threaded over planes (each plane's output and
// input gradient belong to one thread: deterministic, no races).
#include "kernels/pool/pool.h"

#include <cstdint>
#include <cstring>
#include <limits>
#include <type_traits>

#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

constexpr int64_t kPoolGrain = 1 << 14;

// A window along one axis: input positions lo, lo + step, ... < hi.
struct Window {
  int64_t lo, hi, step;
  int64_t full;  // Avg: the window size counting padding (PyTorch's pool_size factor)
};

Window window(PoolOp op, int64_t o, int64_t in, int64_t out, int64_t k, int64_t s, int64_t p, int64_t d) {
  Window win{0, 0, 1, 0};
  if (op == PoolOp::AdaptiveAvg || op == PoolOp::AdaptiveMax) {
    win.lo = (o * in) / out;
    win.hi = ((o + 1) * in + out - 1) / out;
  } else if (op == PoolOp::Avg) {
    int64_t lo = o * s - p;
    int64_t hi = lo + k < in + p ? lo + k : in + p;
    win.full = hi - lo;
    win.lo = lo < 0 ? 0 : lo;
    win.hi = hi < in ? hi : in;
  } else {
    int64_t lo = o * s - p;
    const int64_t end = lo + (k - 1) * d + 1;
    win.hi = end < in ? end : in;
    while (lo < 0) lo += d;
    win.lo = lo;
    win.step = d;
  }
  return win;
}

// take (0 or 1) ? a : b, without a branch, on the bits of a float or a double.
template <class T>
T select_value(int64_t take, T a, T b) {
  using Bits = std::conditional_t<sizeof(T) == 4, uint32_t, uint64_t>;
  Bits ab, bb;
  std::memcpy(&ab, &a, sizeof(T));
  std::memcpy(&bb, &b, sizeof(T));
  const Bits mask = Bits{0} - static_cast<Bits>(take);
  const Bits r = (ab & mask) | (bb & ~mask);
  T out;
  std::memcpy(&out, &r, sizeof(T));
  return out;
}

int64_t plane_grain(const PoolShape& s) {
  const int64_t per = s.h * s.w + s.oh * s.ow + 1;
  return (kPoolGrain + per - 1) / per;
}

// The windows of every output row and column, computed once per call (shared by all planes).
struct Windows {
  Scratch<Window> rows, cols;
  Windows(PoolOp op, const PoolShape& s) : rows(s.oh), cols(s.ow) {
    for (int64_t o = 0; o < s.oh; ++o) rows[o] = window(op, o, s.h, s.oh, s.kh, s.sh, s.ph, s.dh);
    for (int64_t o = 0; o < s.ow; ++o) cols[o] = window(op, o, s.w, s.ow, s.kw, s.sw, s.pw, s.dw);
  }
};

template <class T>
void forward_plane(PoolOp op, const PoolShape& s, const Windows& win, const T* x, T* y, int32_t* idx) {
  const bool is_max = op == PoolOp::Max || op == PoolOp::AdaptiveMax;
  for (int64_t oy = 0; oy < s.oh; ++oy) {
    const Window& wy = win.rows[oy];
    for (int64_t ox = 0; ox < s.ow; ++ox) {
      const Window& wx = win.cols[ox];
      const int64_t o = oy * s.ow + ox;
      if (is_max) {
        int64_t best = wy.lo * s.w + wx.lo;
        T m = -std::numeric_limits<T>::infinity();
        for (int64_t iy = wy.lo; iy < wy.hi; iy += wy.step)
          for (int64_t ix = wx.lo; ix < wx.hi; ix += wx.step) {
            const T v = x[iy * s.w + ix];
            // A NaN wins, as in PyTorch. Selected with masks: on real data the comparison is
            // unpredictable, and a branch here cost 4x the whole loop.
            const int64_t take = static_cast<int64_t>((v > m) | (v != v));
            m = select_value(take, v, m);
            best += (iy * s.w + ix - best) * take;
          }
        y[o] = m;
        idx[o] = static_cast<int32_t>(best);
      } else {
        if (wy.lo >= wy.hi || wx.lo >= wx.hi) {
          y[o] = T(0);
          continue;
        }
        T sum = T(0);
        for (int64_t iy = wy.lo; iy < wy.hi; ++iy)
          for (int64_t ix = wx.lo; ix < wx.hi; ++ix) sum += x[iy * s.w + ix];
        const int64_t count =
            op == PoolOp::Avg && s.count_include_pad ? wy.full * wx.full : (wy.hi - wy.lo) * (wx.hi - wx.lo);
        y[o] = sum / static_cast<T>(count);
      }
    }
  }
}

template <class T>
void backward_plane(PoolOp op, const PoolShape& s, const Windows& win, const T* dy, const int32_t* idx, T* dx) {
  std::memset(dx, 0, sizeof(T) * s.h * s.w);
  const int64_t ohw = s.oh * s.ow;
  if (op == PoolOp::Max || op == PoolOp::AdaptiveMax) {
    for (int64_t o = 0; o < ohw; ++o) dx[idx[o]] += dy[o];
    return;
  }
  for (int64_t oy = 0; oy < s.oh; ++oy) {
    const Window& wy = win.rows[oy];
    for (int64_t ox = 0; ox < s.ow; ++ox) {
      const Window& wx = win.cols[ox];
      if (wy.lo >= wy.hi || wx.lo >= wx.hi) continue;
      const int64_t count =
          op == PoolOp::Avg && s.count_include_pad ? wy.full * wx.full : (wy.hi - wy.lo) * (wx.hi - wx.lo);
      const T g = dy[oy * s.ow + ox] / static_cast<T>(count);
      for (int64_t iy = wy.lo; iy < wy.hi; ++iy)
        for (int64_t ix = wx.lo; ix < wx.hi; ++ix) dx[iy * s.w + ix] += g;
    }
  }
}

// Max over 2x2 windows, stride 2, no padding or dilation, every window inside the plane (the
// usual MaxPool2d(2)): straight-line selects in the generic loop's order and with its rules (the
// first maximum wins, a NaN wins over numbers, a later NaN over an earlier one). The generic
// window loop took a tenth of a small CNN's training step.
bool is_max_2x2(PoolOp op, const PoolShape& s) {
  return op == PoolOp::Max && s.kh == 2 && s.kw == 2 && s.sh == 2 && s.sw == 2 && s.ph == 0 && s.pw == 0 && s.dh == 1 &&
         s.dw == 1 && 2 * s.oh <= s.h && 2 * s.ow <= s.w;
}

template <class T>
void max_2x2_plane(const PoolShape& s, const T* x, T* y, int32_t* idx) {
  const int32_t w = static_cast<int32_t>(s.w);
  for (int64_t oy = 0; oy < s.oh; ++oy) {
    const int32_t base = static_cast<int32_t>(2 * oy * s.w);
    const T* r0 = x + base;
    const T* r1 = r0 + s.w;
    T* yr = y + oy * s.ow;
    int32_t* ir = idx + oy * s.ow;
    // Elementwise selects over the row (no branches, no cross-iteration state): the compiler
    // vectorises this loop; scalar ?: on floats became unpredictable branches.
    for (int64_t ox = 0; ox < s.ow; ++ox) {
      const T v0 = r0[2 * ox], v1 = r0[2 * ox + 1], v2 = r1[2 * ox], v3 = r1[2 * ox + 1];
      const bool t1 = (v1 > v0) | (v1 != v1);
      const T m1 = t1 ? v1 : v0;
      const int32_t q1 = t1 ? 1 : 0;
      const bool t2 = (v2 > m1) | (v2 != v2);
      const T m2 = t2 ? v2 : m1;
      const int32_t q2 = t2 ? w : q1;
      const bool t3 = (v3 > m2) | (v3 != v3);
      yr[ox] = t3 ? v3 : m2;
      ir[ox] = base + static_cast<int32_t>(2 * ox) + (t3 ? w + 1 : q2);
    }
  }
}

}  // namespace

template <class T>
void pool2d_forward(PoolOp op, const PoolShape& s, const T* x, T* y, int32_t* indices) {
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow;
  if (indices && is_max_2x2(op, s)) {
    parallel_for(s.planes, plane_grain(s), [&](int64_t b, int64_t e) {
      for (int64_t p = b; p < e; ++p) max_2x2_plane(s, x + p * hw, y + p * ohw, indices + p * ohw);
    });
    return;
  }
  const Windows win(op, s);
  parallel_for(s.planes, plane_grain(s), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p)
      forward_plane(op, s, win, x + p * hw, y + p * ohw, indices ? indices + p * ohw : nullptr);
  });
}

template <class T>
void pool2d_backward(PoolOp op, const PoolShape& s, const T* dy, const int32_t* indices, T* dx) {
  const int64_t hw = s.h * s.w, ohw = s.oh * s.ow;
  const Windows win(op, s);
  parallel_for(s.planes, plane_grain(s), [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p)
      backward_plane(op, s, win, dy + p * ohw, indices ? indices + p * ohw : nullptr, dx + p * hw);
  });
}

template void pool2d_forward<float>(PoolOp, const PoolShape&, const float*, float*, int32_t*);
template void pool2d_forward<double>(PoolOp, const PoolShape&, const double*, double*, int32_t*);
template void pool2d_backward<float>(PoolOp, const PoolShape&, const float*, const int32_t*, float*);
template void pool2d_backward<double>(PoolOp, const PoolShape&, const double*, const int32_t*, double*);

}  // namespace myelin
