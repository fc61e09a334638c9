// The int32 GEMM's register tile (gemm_i32.h), written once over Vec: uint32_t in the scalar
// file, a GCC/Clang vector of kLanes uint32 lanes in the ISA files (their flags decide the
// instructions). kMR rows by kNV vectors of C stay in registers over the whole kc; unsigned
// arithmetic wraps modulo 2^32. Included inside an anonymous namespace after Vec, kLanes, kMR
// and kNV.

constexpr int kNR = kNV * kLanes;

Vec load_vec(const uint32_t* p) {
  Vec v;
  std::memcpy(&v, p, sizeof(Vec));
  return v;
}

void store_vec(uint32_t* p, Vec v) { std::memcpy(p, &v, sizeof(Vec)); }

void i32_ukernel(int64_t kc, const uint32_t* a, const uint32_t* b, int32_t* c, int64_t ldc, bool accumulate, int mr,
                 int nr) {
  Vec acc[kMR][kNV];
  for (int i = 0; i < kMR; ++i)
    for (int v = 0; v < kNV; ++v) acc[i][v] = Vec{};
  for (int64_t p = 0; p < kc; ++p) {
    Vec bv[kNV];
    for (int v = 0; v < kNV; ++v) bv[v] = load_vec(b + p * kNR + v * kLanes);
    for (int i = 0; i < kMR; ++i) {
      const uint32_t ai = a[p * kMR + i];
      for (int v = 0; v < kNV; ++v) acc[i][v] += bv[v] * ai;
    }
  }
  // int32_t and uint32_t may alias each other: C is read and written as uint32.
  uint32_t* cu = reinterpret_cast<uint32_t*>(c);
  if (mr == kMR && nr == kNR) {
    for (int i = 0; i < kMR; ++i)
      for (int v = 0; v < kNV; ++v) {
        uint32_t* at = cu + i * ldc + v * kLanes;
        store_vec(at, accumulate ? load_vec(at) + acc[i][v] : acc[i][v]);
      }
    return;
  }
  uint32_t tile[kMR][kNR];
  static_assert(sizeof(tile) == sizeof(acc), "a tile row is kNV vectors");
  std::memcpy(tile, acc, sizeof(tile));
  for (int i = 0; i < mr; ++i)
    for (int j = 0; j < nr; ++j) {
      uint32_t* at = cu + i * ldc + j;
      *at = accumulate ? *at + tile[i][j] : tile[i][j];
    }
}
