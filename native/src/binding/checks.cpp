#include "binding/checks.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace myelin::binding::checks {

bool integer_in(double x, int64_t lo, int64_t hi, int64_t* out) {
  // Compared as doubles first: lo and hi are exact there, and casting a double outside int64's
  // range would be undefined behaviour.
  if (!(x >= static_cast<double>(lo) && x <= static_cast<double>(hi)) || std::floor(x) != x) return false;
  *out = static_cast<int64_t>(x);
  return true;
}

bool mul(int64_t a, int64_t b, int64_t* out) {
  int64_t r;
  if (__builtin_mul_overflow(a, b, &r) || r > kMaxCount) return false;
  *out = r;
  return true;
}

bool add(int64_t a, int64_t b, int64_t* out) {
  int64_t r;
  if (__builtin_add_overflow(a, b, &r) || r > kMaxCount) return false;
  *out = r;
  return true;
}

bool numel(const int64_t* shape, size_t ndim, int64_t* out) {
  int64_t nonzero = 1;
  bool empty = false;
  for (size_t d = 0; d < ndim; ++d) {
    if (shape[d] < 0 || shape[d] > kMaxCount) return false;
    if (shape[d] == 0) {
      empty = true;
      continue;
    }
    if (!mul(nonzero, shape[d], &nonzero)) return false;
  }
  *out = empty ? 0 : nonzero;
  return true;
}

bool last_element(int64_t offset, const int64_t* shape, const int64_t* strides, size_t ndim, int64_t* out) {
  if (offset < 0 || offset > kMaxCount) return false;
  for (size_t d = 0; d < ndim; ++d)
    if (shape[d] == 0) {
      *out = -1;
      return true;
    }
  int64_t last = offset;
  for (size_t d = 0; d < ndim; ++d) {
    if (shape[d] < 0 || shape[d] > kMaxCount || strides[d] < 0 || strides[d] > kMaxCount) return false;
    int64_t step;
    if (!mul(shape[d] - 1, strides[d], &step) || !add(last, step, &last)) return false;
  }
  *out = last;
  return true;
}

bool writes_twice(const int64_t* shape, const int64_t* strides, size_t ndim) {
  // Sorted by stride, each dim must step past everything the smaller-stride dims span.
  constexpr size_t kMaxNdim = 64;  // far above any shape's dims (kMaxDims); more are refused
  if (ndim > kMaxNdim) return true;
  std::pair<int64_t, int64_t> dims[kMaxNdim];  // (stride, size)
  size_t n = 0;
  for (size_t d = 0; d < ndim; ++d)
    if (shape[d] > 1) dims[n++] = {strides[d], shape[d]};
  std::sort(dims, dims + n);
  int64_t span = 1;  // elements covered by the dims seen so far
  for (size_t i = 0; i < n; ++i) {
    if (dims[i].first < span) return true;
    // stride * (size - 1) + span stays within the view's extent, which last_element bounded.
    span = dims[i].first * (dims[i].second - 1) + span;
  }
  return false;
}

int64_t first_outside(const int32_t* values, int64_t n, int64_t lo, int64_t hi, int64_t except) {
  for (int64_t i = 0; i < n; ++i) {
    const int64_t v = values[i];
    if ((v < lo || v >= hi) && v != except) return i;
  }
  return -1;
}

}  // namespace myelin::binding::checks
