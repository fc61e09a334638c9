// Walks K strided operands of one shape row by row: the shared loop of every strided kernel
// driver (elementwise, reductions). Baseline code only: per-ISA files never include it.
#pragma once
#include <cstdint>

namespace myelin {

constexpr int kMaxDims = 16;

template <int K>
class NdLoop {
 public:
  // strides[k] points at operand k's ndim strides (in elements; 0 = broadcast).
  NdLoop(int ndim, const int64_t* shape, const int64_t* const* strides) {
    numel_ = 1;
    for (int d = 0; d < ndim; ++d) numel_ *= shape[d];
    // Drop size-1 dims (their strides never matter), then merge each dim into its inner
    // neighbour when every operand walks the pair as one run.
    ndim_ = 0;
    for (int d = 0; d < ndim; ++d) {
      if (shape[d] == 1) continue;
      if (ndim_ > 0 && mergeable(ndim_ - 1, shape[d], strides, d)) {
        shape_[ndim_ - 1] *= shape[d];
        for (int k = 0; k < K; ++k) strides_[k][ndim_ - 1] = strides[k][d];
        continue;
      }
      shape_[ndim_] = shape[d];
      for (int k = 0; k < K; ++k) strides_[k][ndim_] = strides[k][d];
      ++ndim_;
    }
    if (ndim_ == 0) {  // a single element
      shape_[0] = 1;
      for (int k = 0; k < K; ++k) strides_[k][0] = 0;
      ndim_ = 1;
    }
  }

  int64_t numel() const { return numel_; }
  int ndim() const { return ndim_; }
  int64_t inner_size() const { return shape_[ndim_ - 1]; }
  int64_t inner_stride(int k) const { return strides_[k][ndim_ - 1]; }

  // Calls row(offsets, n) for consecutive runs along the innermost dim that together cover
  // the linear (row-major) elements [begin, end); offsets[k] is operand k's element offset.
  template <class F>
  void for_each_row(int64_t begin, int64_t end, F&& row) const {
    if (begin >= end) return;
    const int64_t inner = shape_[ndim_ - 1];
    int64_t index[kMaxDims];
    int64_t rest = begin / inner;
    int64_t col = begin % inner;
    for (int d = ndim_ - 2; d >= 0; --d) {
      index[d] = rest % shape_[d];
      rest /= shape_[d];
    }
    int64_t offsets[K];
    for (int k = 0; k < K; ++k) {
      offsets[k] = col * strides_[k][ndim_ - 1];
      for (int d = 0; d < ndim_ - 1; ++d) offsets[k] += index[d] * strides_[k][d];
    }
    int64_t pos = begin;
    while (pos < end) {
      const int64_t n = (inner - col) < (end - pos) ? (inner - col) : (end - pos);
      row(static_cast<const int64_t*>(offsets), n);
      pos += n;
      if (pos >= end) break;
      // Next row: undo the column walk, then increment the outer multi-index.
      for (int k = 0; k < K; ++k) offsets[k] -= col * strides_[k][ndim_ - 1];
      col = 0;
      for (int d = ndim_ - 2; d >= 0; --d) {
        ++index[d];
        for (int k = 0; k < K; ++k) offsets[k] += strides_[k][d];
        if (index[d] < shape_[d]) break;
        for (int k = 0; k < K; ++k) offsets[k] -= index[d] * strides_[k][d];
        index[d] = 0;
      }
    }
  }

 private:
  bool mergeable(int outer, int64_t inner_size, const int64_t* const* strides, int d) const {
    for (int k = 0; k < K; ++k)
      if (strides_[k][outer] != strides[k][d] * inner_size) return false;
    return true;
  }

  int ndim_;
  int64_t numel_;
  int64_t shape_[kMaxDims];
  int64_t strides_[K][kMaxDims];
};

}  // namespace myelin
