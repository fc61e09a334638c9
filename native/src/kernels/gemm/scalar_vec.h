// The vector traits of the portable GEMMs (gemm_scalar.cpp, dgemm_scalar.cpp): one lane of T,
// so gemm_tile.inl's loops run as plain C++ over float or double.
#pragma once

#include <stdint.h>

namespace myelin {

template <typename T>
struct ScalarVec {
  using scalar = T;
  using reg = T;
  using mask = bool;
  static constexpr int width = 1;
  static reg zero() { return T(0); }
  static reg load(const T* p) { return *p; }
  static reg loadm(const T* p, mask m) { return m ? *p : T(0); }
  static void store(T* p, reg v) { *p = v; }
  static void storem(T* p, mask m, reg v) {
    if (m) *p = v;
  }
  static reg set1(T x) { return x; }
  static reg mul(reg a, reg b) { return a * b; }
  static reg fmadd(reg a, reg b, reg c) { return a * b + c; }
  static mask mask_for(int n) { return n > 0; }
  static void transpose(const T* src, int64_t, int rows, T* dst, int64_t, int) { *dst = rows > 0 ? *src : T(0); }
};

}  // namespace myelin
