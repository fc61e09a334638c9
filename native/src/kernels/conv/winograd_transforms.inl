// The Winograd F(2x2, 3x3) transforms (see winograd.cpp), written once and compiled once per
// ISA: included by winograd_<isa>.cpp inside an anonymous namespace. They are adds and
// subtracts on 8 floats at a time (GCC/Clang vector extensions: one AVX register in the AVX2
// and AVX-512 builds, two SSE or NEON registers elsewhere); each element goes through the same
// operations in the same order on every ISA, so all of them give the same bits.

// 8 floats as one value. Loads and stores go through memcpy (unaligned).
typedef float f8 __attribute__((vector_size(32)));
// The helpers taking or returning f8 are always inlined, so the ABI of passing it (which GCC
// warns changes with AVX) never applies.
#pragma GCC diagnostic ignored "-Wpsabi"

__attribute__((always_inline)) inline f8 load8(const float* p) {
  f8 v;
  memcpy(&v, p, sizeof v);
  return v;
}

__attribute__((always_inline)) inline void store8(float* p, f8 v) { memcpy(p, &v, sizeof v); }

// Stores the first n <= 8 lanes of v.
__attribute__((always_inline)) inline void store_first(float* p, f8 v, int64_t n) {
  if (n == kWinogradChunk) {
    store8(p, v);
    return;
  }
  float t[kWinogradChunk];
  store8(t, v);
  for (int64_t i = 0; i < n; ++i) p[i] = t[i];
}

#if defined(__clang__)
#define MYELIN_SHUFFLE8(a, b, ...) __builtin_shufflevector(a, b, __VA_ARGS__)
#else
typedef int i8v __attribute__((vector_size(32)));
#define MYELIN_SHUFFLE8(a, b, ...) __builtin_shuffle(a, b, i8v{__VA_ARGS__})
#endif

// The even and the odd entries of the 16 floats at p.
__attribute__((always_inline)) inline f8 evens(const float* p) {
  return MYELIN_SHUFFLE8(load8(p), load8(p + 8), 0, 2, 4, 6, 8, 10, 12, 14);
}
__attribute__((always_inline)) inline f8 odds(const float* p) {
  return MYELIN_SHUFFLE8(load8(p), load8(p + 8), 1, 3, 5, 7, 9, 11, 13, 15);
}

// V[xi * ld + ty * tw + tx] = (B^T d B)[xi] for every tile of one padded input plane.
// B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]: each row of d B is (d0 - d2, d1 + d2, d2 - d1,
// d1 - d3) of a padded row's d0..d3, and B^T combines the 4 rows the same way.
void input_transform(const WinogradGeom& g, const WinogradPadded& pg, const float* padded, float* v, int64_t ld,
                     float* scratch) {
  const int64_t tw = g.tw;
  for (int64_t tx0 = 0; tx0 < tw; tx0 += kWinogradChunk) {
    const int64_t n = tw - tx0 < kWinogradChunk ? tw - tx0 : kWinogradChunk;
    // a[(r * 4 + j) * 8 ..]: column j of d B for padded row r, tiles tx0 .. tx0 + 7.
    float* a = scratch;
    for (int64_t r = 0; r < pg.rows; ++r) {
      const float* p = padded + r * pg.len + 2 * tx0;
      const f8 d0 = evens(p), d1 = odds(p), d2 = evens(p + 2), d3 = odds(p + 2);
      float* ar = a + r * 4 * kWinogradChunk;
      store8(ar, d0 - d2);
      store8(ar + kWinogradChunk, d1 + d2);
      store8(ar + 2 * kWinogradChunk, d2 - d1);
      store8(ar + 3 * kWinogradChunk, d1 - d3);
    }
    for (int64_t ty = 0; ty < g.th; ++ty) {
      const float* r0 = a + (2 * ty) * 4 * kWinogradChunk;
      float* out = v + ty * tw + tx0;
      for (int j = 0; j < 4; ++j) {
        const f8 x0 = load8(r0 + j * kWinogradChunk), x1 = load8(r0 + (4 + j) * kWinogradChunk);
        const f8 x2 = load8(r0 + (8 + j) * kWinogradChunk), x3 = load8(r0 + (12 + j) * kWinogradChunk);
        store_first(out + j * ld, x0 - x2, n);
        store_first(out + (4 + j) * ld, x1 + x2, n);
        store_first(out + (8 + j) * ld, x2 - x1, n);
        store_first(out + (12 + j) * ld, x1 - x3, n);
      }
    }
  }
}

// D[xi * ld + ty * tw + tx] = (A dy A^T)[xi] for every 2x2 tile of one padded output-gradient
// plane, the transform whose product with V gives the filters' gradient.
// A = [1 0; 1 1; 1 -1; 0 -1]: the rows of A dy are (u0, v0), (u0 + u1, v0 + v1),
// (u0 - u1, v0 - v1), (-u1, -v1) for the tile's rows (u0, v0), (u1, v1); each row (a, b) times
// A^T is (a, a + b, a - b, -b).
void output_grad_transform(const WinogradGeom& g, const WinogradPadded& pg, const float* padded, float* d, int64_t ld) {
  const int64_t tw = g.tw;
  for (int64_t ty = 0; ty < g.th; ++ty) {
    const float* top = padded + 2 * ty * pg.len;
    const float* bottom = top + pg.len;
    for (int64_t tx0 = 0; tx0 < tw; tx0 += kWinogradChunk) {
      const int64_t n = tw - tx0 < kWinogradChunk ? tw - tx0 : kWinogradChunk;
      const f8 u0 = evens(top + 2 * tx0), v0 = odds(top + 2 * tx0);
      const f8 u1 = evens(bottom + 2 * tx0), v1 = odds(bottom + 2 * tx0);
      const f8 ra[4] = {u0, u0 + u1, u0 - u1, -u1};
      const f8 rb[4] = {v0, v0 + v1, v0 - v1, -v1};
      float* out = d + ty * tw + tx0;
      for (int r = 0; r < 4; ++r) {
        store_first(out + (4 * r + 0) * ld, ra[r], n);
        store_first(out + (4 * r + 1) * ld, ra[r] + rb[r], n);
        store_first(out + (4 * r + 2) * ld, ra[r] - rb[r], n);
        store_first(out + (4 * r + 3) * ld, -rb[r], n);
      }
    }
  }
}

// The 2x2 outputs of tiles t .. t + 7 from the 16 rows of M (m[xi * ld + t]) plus bias.
// A^T = [1 1 1 0; 0 1 -1 -1]: column sums s0 = m0 + m1 + m2, s1 = m1 - m2 - m3 down the 4x4,
// then the same along each.
struct Outputs8 {
  f8 y00, y01, y10, y11;
};

__attribute__((always_inline)) inline Outputs8 tile_outputs8(const float* m, int64_t ld, f8 bias) {
  f8 s0[4], s1[4];
  for (int j = 0; j < 4; ++j) {
    const f8 m0 = load8(m + (0 + j) * ld), m1 = load8(m + (4 + j) * ld);
    const f8 m2 = load8(m + (8 + j) * ld), m3 = load8(m + (12 + j) * ld);
    s0[j] = m0 + m1 + m2;
    s1[j] = m1 - m2 - m3;
  }
  return {s0[0] + s0[1] + s0[2] + bias, s0[1] - s0[2] - s0[3] + bias, s1[0] + s1[1] + s1[2] + bias,
          s1[1] - s1[2] - s1[3] + bias};
}

// One output plane [oh, ow] = A^T M A + bias from M[xi * ld + ty * tw + tx]: the 2x2 outputs
// of all the plane's tiles into scratch (y00, y01, y10, y11, each `tiles` floats, 8 tiles at a
// time), then each output row interleaved from its even and odd columns.
void output_transform(const WinogradGeom& g, const float* m, int64_t ld, float bias, float* plane, float* scratch) {
  const int64_t tw = g.tw, n = g.tiles;
  const f8 vb = {bias, bias, bias, bias, bias, bias, bias, bias};
  float* y00 = scratch;
  float* y01 = y00 + n;
  float* y10 = y01 + n;
  float* y11 = y10 + n;
  int64_t t = 0;
  for (; t + kWinogradChunk <= n; t += kWinogradChunk) {
    const Outputs8 o = tile_outputs8(m + t, ld, vb);
    store8(y00 + t, o.y00);
    store8(y01 + t, o.y01);
    store8(y10 + t, o.y10);
    store8(y11 + t, o.y11);
  }
  for (; t < n; ++t) {
    float s0[4], s1[4];
    for (int j = 0; j < 4; ++j) {
      const float m0 = m[(0 + j) * ld + t], m1 = m[(4 + j) * ld + t];
      const float m2 = m[(8 + j) * ld + t], m3 = m[(12 + j) * ld + t];
      s0[j] = m0 + m1 + m2;
      s1[j] = m1 - m2 - m3;
    }
    y00[t] = s0[0] + s0[1] + s0[2] + bias;
    y01[t] = s0[1] - s0[2] - s0[3] + bias;
    y10[t] = s1[0] + s1[1] + s1[2] + bias;
    y11[t] = s1[1] - s1[2] - s1[3] + bias;
  }
  const int64_t pairs = g.ow / 2;
  for (int64_t ty = 0; ty < g.th; ++ty) {
    for (int di = 0; di < 2 && 2 * ty + di < g.oh; ++di) {
      float* dst = plane + (2 * ty + di) * g.ow;
      const float* even = (di ? y10 : y00) + ty * tw;
      const float* odd = (di ? y11 : y01) + ty * tw;
      int64_t p = 0;
      for (; p + kWinogradChunk <= pairs; p += kWinogradChunk) {
        const f8 e = load8(even + p), o = load8(odd + p);
        store8(dst + 2 * p, MYELIN_SHUFFLE8(e, o, 0, 8, 1, 9, 2, 10, 3, 11));
        store8(dst + 2 * p + 8, MYELIN_SHUFFLE8(e, o, 4, 12, 5, 13, 6, 14, 7, 15));
      }
      for (; p < pairs; ++p) {
        dst[2 * p] = even[p];
        dst[2 * p + 1] = odd[p];
      }
      if (g.ow & 1) dst[g.ow - 1] = even[pairs];
    }
  }
}

void fill_winograd_transforms(WinogradKernels* k) {
  k->input = input_transform;
  k->output_grad = output_grad_transform;
  k->output = output_transform;
}
