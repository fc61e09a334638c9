// The arithmetic of the binding's argument checks, apart from N-API so that a fuzzer (and any
// C++ test) can call it directly: integers from JS numbers, element counts and the furthest
// element a view reaches, all with overflow checks, and the overlap tests of two views. Every
// function is total: any input gives an answer, none overflows, none is undefined behaviour.
#pragma once
#include <cstddef>
#include <cstdint>

namespace myelin::binding::checks {

// The largest count, size, offset or stride a call may use: 2^53 - 1, the largest integer a JS
// number holds exactly (no typed array is longer).
constexpr int64_t kMaxCount = (int64_t{1} << 53) - 1;

// x as an integer in [lo, hi] (lo <= hi, both within +-kMaxCount): false when x is NaN, infinite,
// fractional or out of range.
bool integer_in(double x, int64_t lo, int64_t hi, int64_t* out);

// a * b and a + b for a, b in [0, kMaxCount]: false when the result exceeds kMaxCount.
bool mul(int64_t a, int64_t b, int64_t* out);
bool add(int64_t a, int64_t b, int64_t* out);

// The element count of a shape (sizes in [0, kMaxCount]). False when the product of its
// non-zero sizes exceeds kMaxCount: no loop over such a shape may run, even when another size
// is 0 and it holds no element.
bool numel(const int64_t* shape, size_t ndim, int64_t* out);

// The furthest element a strided view reaches: offset + sum over d of (shape[d] - 1) * strides[d]
// (offset, sizes and strides in [0, kMaxCount]), or -1 when the shape holds no element. False
// when that exceeds kMaxCount.
bool last_element(int64_t offset, const int64_t* shape, const int64_t* strides, size_t ndim, int64_t* out);

// Whether a strided view whose shape holds elements writes some element through two indices
// (a zero stride on a dim longer than 1, or strides that interleave). Sizes and strides as for
// last_element, with last_element true. Conservative: true also for some interleaved strides
// that happen to reach distinct elements ([2,3] with strides [3,2]); false only when no two
// indices meet, which holds for every permutation of a row-major layout, gaps included.
bool writes_twice(const int64_t* shape, const int64_t* strides, size_t ndim);

// Byte ranges [lo, hi) of two views of one buffer: whether they share a byte (an empty range
// shares none).
inline bool ranges_overlap(int64_t lo1, int64_t hi1, int64_t lo2, int64_t hi2) {
  return lo1 < hi1 && lo2 < hi2 && lo1 < hi2 && lo2 < hi1;
}

// No exception to a range check (first_outside's `except`).
constexpr int64_t kNoException = INT64_MIN;

// Index of the first entry of values[0, n) outside [lo, hi) other than `except`, or -1 when
// there is none.
int64_t first_outside(const int32_t* values, int64_t n, int64_t lo, int64_t hi, int64_t except);

}  // namespace myelin::binding::checks
