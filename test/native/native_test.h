// What the native tests (test/native/*_test.cpp) share: a CHECK that counts failures and prints
// the first twenty, deterministic random floats (xorshift), so that a failure reproduces, and the
// bits of floats and doubles.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace myelin_test {

inline int g_failures = 0;

// xorshift32 from a seed; uniform(lo, hi) takes the top 24 bits, so every value is exact in float.
struct Xorshift {
  uint32_t s;
  explicit Xorshift(uint32_t seed) : s(seed * 2654435761u + 1) {}
  uint32_t next() {
    s ^= s << 13;
    s ^= s >> 17;
    s ^= s << 5;
    return s;
  }
  float uniform(float lo, float hi) { return lo + (hi - lo) * static_cast<float>(next() >> 8) * 0x1p-24f; }
};

// The bits of a float or a double, and back.
inline uint32_t bits_of(float x) {
  uint32_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
inline uint64_t bits_of(double x) {
  uint64_t b;
  std::memcpy(&b, &x, sizeof b);
  return b;
}
inline float from_bits(uint32_t b) {
  float x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}
inline double from_bits(uint64_t b) {
  double x;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

// Whether a and b are the same value to the bit (NaN payloads and the sign of zero included).
template <typename T>
bool same_bits(T a, T b) {
  return bits_of(a) == bits_of(b);
}

// n floats in [lo, hi) from seed, with NaN, -0, 0 and both infinities sprinkled in when asked.
inline std::vector<float> random_floats(size_t n, uint32_t seed, float lo = -1, float hi = 1, bool specials = false) {
  std::vector<float> v(n);
  Xorshift rng(seed);
  for (float& x : v) x = rng.uniform(lo, hi);
  if (specials && n > 2) {
    const float sp[] = {NAN, -0.0f, 0.0f, INFINITY, -INFINITY};
    for (size_t i = 0; i < 5; ++i) v[(i * 7919 + seed) % n] = sp[i];
  }
  return v;
}

}  // namespace myelin_test

// Records a failure (the test goes on, and exits 1 at the end) with a printf-style message.
#define CHECK(cond, ...)                                 \
  do {                                                   \
    if (!(cond)) {                                       \
      if (++myelin_test::g_failures <= 20) {             \
        std::printf("FAIL %s:%d: ", __FILE__, __LINE__); \
        std::printf(__VA_ARGS__);                        \
        std::printf("\n");                               \
      }                                                  \
    }                                                    \
  } while (0)
