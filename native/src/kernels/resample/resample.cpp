// Resampling drivers and loops over float or double (one template; float sums round once per
// stored value from double, double ones are plain double arithmetic), threaded over planes (each plane's output and
// input gradient belong to one thread: deterministic, no races). Linear modes are separable: every source row that the
// row table reads is resampled along the width once (into a per-thread [h, ow] buffer), then each output row blends two
// of those rows.
#include "kernels/resample/resample.h"

#include <cstring>

#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin {

namespace {

constexpr int64_t kResampleGrain = 1 << 14;

int64_t plane_grain(const ResampleShape& s) {
  const int64_t per = s.h * s.w + s.h * s.ow + s.oh * s.ow + 1;
  return (kResampleGrain + per - 1) / per;
}

// float: a + b * c rounded once to float, every step in double (products of floats are exact
// there). double: the plain double arithmetic (torch's float64 kernels).
inline float mad(float a, float b, float c) {
  return static_cast<float>(static_cast<double>(a) + static_cast<double>(b) * static_cast<double>(c));
}
inline double mad(double a, double b, double c) { return a + b * c; }

inline float lerp(float w0, float a, float w1, float b) {
  return static_cast<float>(static_cast<double>(w0) * static_cast<double>(a) +
                            static_cast<double>(w1) * static_cast<double>(b));
}
inline double lerp(double w0, double a, double w1, double b) { return w0 * a + w1 * b; }

// The integer factor k when the column table repeats every source column k times in order
// (ow = k * w, index c / k: an integer upscale), else 0.
int64_t repeat_factor(const ResampleShape& s, const int32_t* ci) {
  if (s.ow % s.w != 0) return 0;
  const int64_t k = s.ow / s.w;
  for (int64_t c = 0; c < s.ow; ++c)
    if (ci[c] != c / k) return 0;
  return k;
}

// One output row of an integer column upscale: plain loops the compiler vectorises (x2 as
// interleaving stores).
template <class T>
void repeat_row(const T* row, int64_t w, int64_t k, T* out) {
  if (k == 2) {
    for (int64_t i = 0; i < w; ++i) {
      out[2 * i] = row[i];
      out[2 * i + 1] = row[i];
    }
    return;
  }
  for (int64_t i = 0; i < w; ++i)
    for (int64_t j = 0; j < k; ++j) out[i * k + j] = row[i];
}

template <class T>
void nearest_forward_plane(const ResampleShape& s, int64_t repeat, const int32_t* ri, const int32_t* ci, const T* x,
                           T* y) {
  for (int64_t r = 0; r < s.oh; ++r) {
    T* out = y + r * s.ow;
    // Upsampling repeats source rows: copy the previous output row.
    if (r > 0 && ri[r] == ri[r - 1]) {
      std::memcpy(out, out - s.ow, static_cast<size_t>(s.ow) * sizeof(T));
      continue;
    }
    const T* row = x + static_cast<int64_t>(ri[r]) * s.w;
    if (repeat > 0)
      repeat_row(row, s.w, repeat, out);
    else
      for (int64_t c = 0; c < s.ow; ++c) out[c] = row[ci[c]];
  }
}

template <class T>
void nearest_backward_plane(const ResampleShape& s, const int32_t* ri, const int32_t* ci, const T* dy, T* dx) {
  std::memset(dx, 0, static_cast<size_t>(s.h * s.w) * sizeof(T));
  for (int64_t r = 0; r < s.oh; ++r) {
    const T* g = dy + r * s.ow;
    T* row = dx + static_cast<int64_t>(ri[r]) * s.w;
    // Runs of columns reading one source (upsampling) sum in a register, in the same order as
    // one += per column, without a store-to-load round trip per term.
    for (int64_t c = 0; c < s.ow;) {
      const int32_t i = ci[c];
      T acc = row[i] + g[c];
      for (++c; c < s.ow && ci[c] == i; ++c) acc += g[c];
      row[i] = acc;
    }
  }
}

// The source rows the linear row table reads (a zero second weight reads nothing).
template <class T>
Scratch<unsigned char> used_rows(const ResampleShape& s, const ResampleAxisOf<T>& rows) {
  Scratch<unsigned char> used = Scratch<unsigned char>::zeros(s.h);
  for (int64_t r = 0; r < s.oh; ++r) {
    used[rows.index[2 * r]] = 1;
    if (rows.weight[2 * r + 1] != 0) used[rows.index[2 * r + 1]] = 1;
  }
  return used;
}

// The column table split into planar arrays so the inner loops read them with unit stride.
template <class T>
struct Columns {
  Scratch<int32_t> i0, i1;
  Scratch<T> w0, w1;
  // i0 never decreases and i1 is i0 or i0 + 1 (every table interpolate builds): the backward
  // can then keep the two source columns it updates in registers.
  bool ordered = true;
  explicit Columns(const ResampleShape& s, const ResampleAxisOf<T>& cols) : i0(s.ow), i1(s.ow), w0(s.ow), w1(s.ow) {
    for (int64_t c = 0; c < s.ow; ++c) {
      i0[c] = cols.index[2 * c];
      i1[c] = cols.index[2 * c + 1];
      w0[c] = cols.weight[2 * c];
      w1[c] = cols.weight[2 * c + 1];
      if ((c > 0 && i0[c] < i0[c - 1]) || (i1[c] != i0[c] && i1[c] != i0[c] + 1)) ordered = false;
    }
  }
};

// row[i0[c]] += w0[c] * t[c]; row[i1[c]] += w1[c] * t[c] for c in order, with the two columns
// being updated (lo = cur, hi = cur + 1) held in registers: the same sums in the same order.
template <class T>
void scatter_ordered(const Columns<T>& cols, int64_t ow, int64_t w, const T* t, T* row) {
  int32_t cur = cols.i0[0];
  T lo = row[cur];
  T hi = cur + 1 < w ? row[cur + 1] : T(0);
  for (int64_t c = 0; c < ow; ++c) {
    const int32_t i0 = cols.i0[c];
    if (i0 != cur) {
      row[cur] = lo;
      if (i0 == cur + 1) {
        lo = hi;
      } else {
        if (cur + 1 < w) row[cur + 1] = hi;
        lo = row[i0];
      }
      cur = i0;
      hi = cur + 1 < w ? row[cur + 1] : T(0);
    }
    const T v = t[c];
    lo = mad(lo, cols.w0[c], v);
    if (cols.i1[c] == i0)
      lo = mad(lo, cols.w1[c], v);
    else
      hi = mad(hi, cols.w1[c], v);
  }
  row[cur] = lo;
  if (cur + 1 < w) row[cur + 1] = hi;
}

template <class T>
void linear_forward_plane(const ResampleShape& s, const ResampleAxisOf<T>& rows, const Columns<T>& cols,
                          const unsigned char* used, const T* x, T* tmp, T* y) {
  const int64_t ow = s.ow;
  for (int64_t r = 0; r < s.h; ++r) {
    if (!used[r]) continue;
    const T* row = x + r * s.w;
    T* t = tmp + r * ow;
    for (int64_t c = 0; c < ow; ++c) t[c] = lerp(cols.w0[c], row[cols.i0[c]], cols.w1[c], row[cols.i1[c]]);
  }
  for (int64_t r = 0; r < s.oh; ++r) {
    const T* t0 = tmp + static_cast<int64_t>(rows.index[2 * r]) * ow;
    const T* t1 = tmp + static_cast<int64_t>(rows.index[2 * r + 1]) * ow;
    const T a0 = rows.weight[2 * r], a1 = rows.weight[2 * r + 1];
    T* out = y + r * ow;
    if (a1 == 0) {
      for (int64_t c = 0; c < ow; ++c) out[c] = static_cast<T>(static_cast<double>(a0) * static_cast<double>(t0[c]));
    } else {
      for (int64_t c = 0; c < ow; ++c) out[c] = lerp(a0, t0[c], a1, t1[c]);
    }
  }
}

template <class T>
void linear_backward_plane(const ResampleShape& s, const ResampleAxisOf<T>& rows, const Columns<T>& cols,
                           const unsigned char* used, const T* dy, T* tmp, T* dx) {
  const int64_t ow = s.ow;
  std::memset(tmp, 0, static_cast<size_t>(s.h * ow) * sizeof(T));
  for (int64_t r = 0; r < s.oh; ++r) {
    const T* g = dy + r * ow;
    T* t0 = tmp + static_cast<int64_t>(rows.index[2 * r]) * ow;
    T* t1 = tmp + static_cast<int64_t>(rows.index[2 * r + 1]) * ow;
    const T a0 = rows.weight[2 * r], a1 = rows.weight[2 * r + 1];
    for (int64_t c = 0; c < ow; ++c) t0[c] = mad(t0[c], a0, g[c]);
    if (a1 != 0)
      for (int64_t c = 0; c < ow; ++c) t1[c] = mad(t1[c], a1, g[c]);
  }
  std::memset(dx, 0, static_cast<size_t>(s.h * s.w) * sizeof(T));
  for (int64_t r = 0; r < s.h; ++r) {
    if (!used[r]) continue;
    T* row = dx + r * s.w;
    const T* t = tmp + r * ow;
    if (cols.ordered) {
      scatter_ordered(cols, ow, s.w, t, row);
      continue;
    }
    for (int64_t c = 0; c < ow; ++c) {
      const T v = t[c];
      row[cols.i0[c]] = mad(row[cols.i0[c]], cols.w0[c], v);
      row[cols.i1[c]] = mad(row[cols.i1[c]], cols.w1[c], v);
    }
  }
}

}  // namespace

template <class T>
void resample2d_forward(const ResampleShape& s, const ResampleAxisOf<T>& rows, const ResampleAxisOf<T>& cols,
                        const T* x, T* y) {
  const int64_t in_plane = s.h * s.w, out_plane = s.oh * s.ow;
  if (rows.weight == nullptr) {
    const int64_t repeat = repeat_factor(s, cols.index);
    parallel_for(s.planes, plane_grain(s), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        nearest_forward_plane(s, repeat, rows.index, cols.index, x + p * in_plane, y + p * out_plane);
    });
    return;
  }
  const Scratch<unsigned char> used = used_rows(s, rows);
  const Columns<T> cl(s, cols);
  parallel_for(s.planes, plane_grain(s), [&](int64_t begin, int64_t end) {
    const Scratch<T> tmp(s.h * s.ow);
    for (int64_t p = begin; p < end; ++p)
      linear_forward_plane(s, rows, cl, used.get(), x + p * in_plane, tmp.get(), y + p * out_plane);
  });
}

template <class T>
void resample2d_backward(const ResampleShape& s, const ResampleAxisOf<T>& rows, const ResampleAxisOf<T>& cols,
                         const T* dy, T* dx) {
  const int64_t in_plane = s.h * s.w, out_plane = s.oh * s.ow;
  if (rows.weight == nullptr) {
    parallel_for(s.planes, plane_grain(s), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p)
        nearest_backward_plane(s, rows.index, cols.index, dy + p * out_plane, dx + p * in_plane);
    });
    return;
  }
  const Scratch<unsigned char> used = used_rows(s, rows);
  const Columns<T> cl(s, cols);
  parallel_for(s.planes, plane_grain(s), [&](int64_t begin, int64_t end) {
    const Scratch<T> tmp(s.h * s.ow);
    for (int64_t p = begin; p < end; ++p)
      linear_backward_plane(s, rows, cl, used.get(), dy + p * out_plane, tmp.get(), dx + p * in_plane);
  });
}

template void resample2d_forward<float>(const ResampleShape&, const ResampleAxisOf<float>&,
                                        const ResampleAxisOf<float>&, const float*, float*);
template void resample2d_forward<double>(const ResampleShape&, const ResampleAxisOf<double>&,
                                         const ResampleAxisOf<double>&, const double*, double*);
template void resample2d_backward<float>(const ResampleShape&, const ResampleAxisOf<float>&,
                                         const ResampleAxisOf<float>&, const float*, float*);
template void resample2d_backward<double>(const ResampleShape&, const ResampleAxisOf<double>&,
                                          const ResampleAxisOf<double>&, const double*, double*);

}  // namespace myelin
