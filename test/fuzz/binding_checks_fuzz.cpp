// libFuzzer target for the arithmetic of the binding's argument readers (binding/checks.h): each
// input picks one check, feeds it fuzzer-chosen values and compares its answer with an
// independent oracle (128-bit integers, or enumerating every index of a small view). A wrong
// answer aborts with the values; overflow or any other undefined behaviour is caught by the
// sanitizers it is built with (scripts/fuzz_binding_checks.sh: address and undefined).
#include <fuzzer/FuzzedDataProvider.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "binding/checks.h"

namespace checks = myelin::binding::checks;
using checks::kMaxCount;
using i128 = __int128;

namespace {

[[noreturn]] void fail(const char* what, const std::vector<int64_t>& values) {
  fprintf(stderr, "binding_checks_fuzz: %s; values:", what);
  for (int64_t v : values) fprintf(stderr, " %lld", static_cast<long long>(v));
  fprintf(stderr, "\n");
  abort();
}

// A value in [0, kMaxCount] that often sits at the edges the checks care about (0, 1, powers
// of two, kMaxCount and its square root), else anywhere.
int64_t count(FuzzedDataProvider& in) {
  switch (in.ConsumeIntegralInRange<int>(0, 5)) {
    case 0:
      return in.ConsumeIntegralInRange<int64_t>(0, 4);
    case 1:
      return kMaxCount - in.ConsumeIntegralInRange<int64_t>(0, 4);
    case 2:
      return (int64_t{1} << in.ConsumeIntegralInRange<int>(0, 52)) + in.ConsumeIntegralInRange<int64_t>(-1, 1);
    case 3:
      return (int64_t{1} << 26) + in.ConsumeIntegralInRange<int64_t>(-2, 2);  // near sqrt(2^53)
    default:
      return in.ConsumeIntegralInRange<int64_t>(0, kMaxCount);
  }
}

// Any int64, counts and their negations included.
int64_t any_int(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeIntegral<int64_t>();
  const int64_t c = count(in);
  return in.ConsumeBool() ? -c : c + in.ConsumeIntegralInRange<int64_t>(0, 1);  // kMaxCount + 1 too
}

// A double from raw bits (NaN, infinities, subnormals) or near an integer.
double any_double(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) {
    uint64_t bits = in.ConsumeIntegral<uint64_t>();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
  }
  const double fractions[] = {0.0, 0.5, 1e-9, -1e-9, 0.25};
  return static_cast<double>(any_int(in)) + fractions[in.ConsumeIntegralInRange<int>(0, 4)];
}

void check_integer_in(FuzzedDataProvider& in) {
  int64_t lo = in.ConsumeIntegralInRange<int64_t>(-kMaxCount, kMaxCount);
  int64_t hi = in.ConsumeIntegralInRange<int64_t>(-kMaxCount, kMaxCount);
  if (lo > hi) std::swap(lo, hi);
  const double x = any_double(in);
  int64_t out = 12345;
  const bool got = checks::integer_in(x, lo, hi, &out);
  // lo and hi are exact as doubles (|v| < 2^53), so comparing doubles is exact.
  const bool want =
      std::isfinite(x) && std::trunc(x) == x && x >= static_cast<double>(lo) && x <= static_cast<double>(hi);
  int64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  if (got != want) fail("integer_in accepts or refuses wrongly (lo, hi, bits of x)", {lo, hi, bits});
  if (got && (out < lo || out > hi || static_cast<double>(out) != x))
    fail("integer_in gave another integer (lo, hi, bits of x, out)", {lo, hi, bits, out});
}

void check_mul_add(FuzzedDataProvider& in) {
  const int64_t a = count(in), b = count(in);
  int64_t out = -7;
  const i128 product = static_cast<i128>(a) * b;
  if (checks::mul(a, b, &out) != (product <= kMaxCount)) fail("mul: wrong overflow verdict (a, b)", {a, b});
  if (product <= kMaxCount && out != static_cast<int64_t>(product)) fail("mul: wrong product (a, b, out)", {a, b, out});
  const i128 sum = static_cast<i128>(a) + b;
  if (checks::add(a, b, &out) != (sum <= kMaxCount)) fail("add: wrong overflow verdict (a, b)", {a, b});
  if (sum <= kMaxCount && out != static_cast<int64_t>(sum)) fail("add: wrong sum (a, b, out)", {a, b, out});
}

// Sizes that are mostly in range; some outside when `hostile`.
std::vector<int64_t> sizes(FuzzedDataProvider& in, size_t ndim, bool hostile) {
  std::vector<int64_t> s(ndim);
  for (auto& v : s) v = hostile && in.ConsumeIntegralInRange<int>(0, 7) == 0 ? any_int(in) : count(in);
  return s;
}

void check_numel(FuzzedDataProvider& in) {
  const size_t ndim = in.ConsumeIntegralInRange<size_t>(0, 12);
  const std::vector<int64_t> shape = sizes(in, ndim, true);
  bool in_range = true, empty = false;
  i128 product = 1;  // of the non-zero sizes, saturated just above kMaxCount
  for (int64_t s : shape) {
    if (s < 0 || s > kMaxCount) in_range = false;
    if (s == 0) empty = true;
    if (s > 0 && product <= kMaxCount) product = std::min<i128>(product * s, i128{kMaxCount} + 1);
  }
  const bool want = in_range && product <= kMaxCount;
  int64_t out = -7;
  if (checks::numel(shape.data(), ndim, &out) != want) fail("numel: wrong verdict (shape)", shape);
  if (want && out != (empty ? 0 : static_cast<int64_t>(product))) fail("numel: wrong count (shape)", shape);
}

void check_last_element(FuzzedDataProvider& in) {
  const size_t ndim = in.ConsumeIntegralInRange<size_t>(0, 8);
  // The documented domain: sizes and strides in [0, kMaxCount]; the offset is checked.
  const std::vector<int64_t> shape = sizes(in, ndim, false);
  const std::vector<int64_t> strides = sizes(in, ndim, false);
  const int64_t offset = any_int(in);
  std::vector<int64_t> all = {offset};
  all.insert(all.end(), shape.begin(), shape.end());
  all.insert(all.end(), strides.begin(), strides.end());
  int64_t out = -7;
  const bool got = checks::last_element(offset, shape.data(), strides.data(), ndim, &out);
  if (offset < 0 || offset > kMaxCount) {
    if (got) fail("last_element accepts an offset outside [0, 2^53 - 1] (offset, shape, strides)", all);
    return;
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) {
    if (!got || out != -1) fail("last_element: an empty shape must give -1 (offset, shape, strides)", all);
    return;
  }
  i128 last = offset;  // at most 8 terms below 2^106 each: no overflow
  for (size_t d = 0; d < ndim; ++d) last += static_cast<i128>(shape[d] - 1) * strides[d];
  if (got != (last <= kMaxCount)) fail("last_element: wrong verdict (offset, shape, strides)", all);
  if (got && out != static_cast<int64_t>(last)) fail("last_element: wrong element (offset, shape, strides)", all);
}

// writes_twice on a view small enough to enumerate: it must be true whenever two indices reach
// one element (threads would race on it), and false for every permutation of a row-major layout
// with gaps (a transposed or sliced tensor), which the binding must accept.
void check_writes_twice(FuzzedDataProvider& in) {
  const size_t ndim = in.ConsumeIntegralInRange<size_t>(0, 6);
  std::vector<int64_t> shape(ndim), strides(ndim);
  int64_t n = 1;
  for (size_t d = 0; d < ndim; ++d) {
    shape[d] = in.ConsumeIntegralInRange<int64_t>(1, 6);
    n *= shape[d];
  }
  const bool layout = in.ConsumeBool();
  if (layout) {
    // Row-major over a permutation of the dims, each stride at least the span of the faster ones.
    std::vector<size_t> order(ndim);
    for (size_t d = 0; d < ndim; ++d) order[d] = d;
    for (size_t d = ndim; d > 1; --d) std::swap(order[d - 1], order[in.ConsumeIntegralInRange<size_t>(0, d - 1)]);
    int64_t span = 1;
    for (size_t d : order) {
      strides[d] = span + in.ConsumeIntegralInRange<int64_t>(0, 3) * (in.ConsumeBool() ? 1 : 1000);
      span = strides[d] * (shape[d] - 1) + span;
    }
  } else {
    for (auto& s : strides) s = in.ConsumeBool() ? in.ConsumeIntegralInRange<int64_t>(0, 12) : count(in);
  }
  std::vector<int64_t> all = shape;
  all.insert(all.end(), strides.begin(), strides.end());
  int64_t last;
  if (!checks::last_element(0, shape.data(), strides.data(), ndim, &last)) return;  // outside its domain
  const bool got = checks::writes_twice(shape.data(), strides.data(), ndim);
  if (layout && got) fail("writes_twice refuses a permuted row-major layout (shape, strides)", all);
  std::vector<int64_t> reached;
  reached.reserve(static_cast<size_t>(n));
  std::vector<int64_t> index(ndim, 0);
  for (int64_t k = 0; k < n; ++k) {
    int64_t at = 0;
    for (size_t d = 0; d < ndim; ++d) at += index[d] * strides[d];
    reached.push_back(at);
    for (size_t d = ndim; d-- > 0;) {
      if (++index[d] < shape[d]) break;
      index[d] = 0;
    }
  }
  std::sort(reached.begin(), reached.end());
  const bool twice = std::adjacent_find(reached.begin(), reached.end()) != reached.end();
  if (twice && !got) fail("writes_twice misses an element written twice (shape, strides)", all);
}

void check_writes_twice_many_dims(FuzzedDataProvider& in) {
  // More dims than any shape has: refused, never read past its table.
  const size_t ndim = in.ConsumeIntegralInRange<size_t>(65, 200);
  std::vector<int64_t> shape(ndim, 1), strides(ndim, 0);
  for (size_t d = 0; d < ndim; ++d) {
    shape[d] = in.ConsumeIntegralInRange<int64_t>(1, 2);
    strides[d] = in.ConsumeIntegralInRange<int64_t>(0, 1000);
  }
  if (!checks::writes_twice(shape.data(), strides.data(), ndim))
    fail("writes_twice accepts a view of more than 64 dims (ndim)", {static_cast<int64_t>(ndim)});
}

void check_ranges_overlap(FuzzedDataProvider& in) {
  const int64_t base = in.ConsumeIntegralInRange<int64_t>(0, int64_t{1} << 56);
  const int64_t lo1 = base + in.ConsumeIntegralInRange<int64_t>(0, 16),
                lo2 = base + in.ConsumeIntegralInRange<int64_t>(0, 16);
  const int64_t hi1 = lo1 + in.ConsumeIntegralInRange<int64_t>(0, 16),
                hi2 = lo2 + in.ConsumeIntegralInRange<int64_t>(0, 16);
  bool shared = false;  // some byte in both
  for (int64_t b = lo1; b < hi1; ++b) shared = shared || (b >= lo2 && b < hi2);
  if (checks::ranges_overlap(lo1, hi1, lo2, hi2) != shared)
    fail("ranges_overlap: wrong verdict (lo1, hi1, lo2, hi2)", {lo1, hi1, lo2, hi2});
}

void check_first_outside(FuzzedDataProvider& in) {
  const int64_t lo = any_int(in), hi = any_int(in);
  const int64_t except = in.ConsumeBool() ? checks::kNoException : in.ConsumeIntegral<int32_t>();
  const std::vector<int32_t> values = [&] {
    std::vector<int32_t> v(in.ConsumeIntegralInRange<size_t>(0, 64));
    for (auto& x : v) x = in.ConsumeBool() ? in.ConsumeIntegralInRange<int32_t>(-3, 10) : in.ConsumeIntegral<int32_t>();
    return v;
  }();
  int64_t want = -1;
  for (size_t i = 0; i < values.size() && want < 0; ++i)
    if (!(values[i] >= lo && values[i] < hi) && values[i] != except) want = static_cast<int64_t>(i);
  const int64_t got = checks::first_outside(values.data(), static_cast<int64_t>(values.size()), lo, hi, except);
  if (got != want) fail("first_outside: wrong index (lo, hi, except, got, want)", {lo, hi, except, got, want});
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  switch (in.ConsumeIntegralInRange<int>(0, 7)) {
    case 0:
      check_integer_in(in);
      break;
    case 1:
      check_mul_add(in);
      break;
    case 2:
      check_numel(in);
      break;
    case 3:
      check_last_element(in);
      break;
    case 4:
      check_writes_twice(in);
      break;
    case 5:
      check_writes_twice_many_dims(in);
      break;
    case 6:
      check_ranges_overlap(in);
      break;
    default:
      check_first_outside(in);
      break;
  }
  return 0;
}
