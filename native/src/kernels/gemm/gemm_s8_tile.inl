// The u8 x s8 GEMM's packing and whole-k microkernel, written once over a vector type V and
// compiled once per ISA (gemm_s8_<isa>.cpp includes it inside an anonymous namespace after
// defining):
//   V::reg (W int32 lanes), V::freg (W floats), V::width, and
//   zero, load (W int32 from packed memory), bcast (one 32-bit word), dp(acc, u8 x4, s8 x4)
//   (acc + the 4 u8 x s8 products of each lane, exact for every byte: vpdpbusd, or its AVX2
//   equivalent), add, sub, mullo, set1, loadi(p, n) / loadf(p, n) (n first lanes, the rest zero),
//   cvt (int32 -> float), fmul, fadd, fset1, storei(p, x, n), storef(p, x, n),
//   store_u8(p, x, inv_scale, zero, n) (the U8 output conversion of n lanes);
// and constexpr int MR, NV. The microkernel takes the dot product as a parameter (any struct
// with a static dp of V's signature): ukernel<V> is the table's kernel; an ISA with a faster dot
// product exact only on 7-bit A (vpmaddubsw) adds ukernel<ItsDot> as the table's ukernel_7bit.
// Packed layouts (k padded to a multiple of 4 with zeros):
//   A micro-panel: its MR rows one after another, kp bytes each: the kernel broadcasts the
//     32-bit word (a[i][4q] .. a[i][4q + 3]) from row i.
//   B micro-panel: per k-quad q, NR columns x (b[4q][j] .. b[4q + 3][j]): NV vectors in load
//     order.
// No includes here: each ISA file brings its own.

constexpr int W = V::width;
constexpr int NR = NV * W;

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t quads(int64_t k) { return (k + 3) / 4; }

// A: ceil(mc / MR) panels of MR rows x kp bytes, row-major; rows past mc and k past the end zero.
// Returns whether every byte is below 128 (the OR of the bytes copied, which costs the copy
// nothing measurable), so the driver may run the 7-bit kernel on the block.
bool pack_a(int64_t mc, int64_t k, const void* a, LowpType, int64_t rs, int64_t cs, void* out) {
  const int64_t kp = 4 * quads(k);
  const uint8_t* src = static_cast<const uint8_t*>(a);
  uint8_t* o = static_cast<uint8_t*>(out);
  uint8_t any = 0;
  for (int64_t i0 = 0; i0 < mc; i0 += MR, o += MR * kp) {
    for (int i = 0; i < MR; ++i) {
      uint8_t* row = o + i * kp;
      if (i0 + i >= mc) {
        memset(row, 0, static_cast<size_t>(kp));
        continue;
      }
      const uint8_t* r = src + (i0 + i) * rs;
      if (cs == 1) {
        for (int64_t p = 0; p < k; ++p) {  // k = 0: A may be an empty (null) buffer
          row[p] = r[p];
          any |= r[p];
        }
      } else {
        for (int64_t p = 0; p < k; ++p) {
          row[p] = r[p * cs];
          any |= row[p];
        }
      }
      memset(row + k, 0, static_cast<size_t>(kp - k));
    }
  }
  return any < 128;
}

// B: the driver passes op(B)'s columns as the packing's rows (col_step) and k as cs (k_step).
void pack_b(int64_t nc, int64_t k, const void* b, LowpType, int64_t col_step, int64_t k_step, void* out) {
  const int64_t nq = quads(k);
  const int8_t* src = static_cast<const int8_t*>(b);
  uint32_t* o = static_cast<uint32_t*>(out);
  if (col_step == 1 && k_step != 1) {
    // Rows of op(B) contiguous (a [k, n] matrix): a quad's word for column j takes byte j of four
    // consecutive rows, read along the rows (past k, a row of zeros).
    static const int8_t kZeros[NR] = {};
    for (int64_t j0 = 0; j0 < nc; j0 += NR, o += NR * nq) {
      const int64_t w = min64(NR, nc - j0);
      for (int64_t q = 0; q < nq; ++q) {
        const int8_t* r[4];
        for (int t = 0; t < 4; ++t) r[t] = 4 * q + t < k ? src + (4 * q + t) * k_step + j0 : kZeros;
        uint32_t* oq = o + q * NR;
        for (int64_t j = 0; j < w; ++j)
          oq[j] = static_cast<uint32_t>(static_cast<uint8_t>(r[0][j])) |
                  static_cast<uint32_t>(static_cast<uint8_t>(r[1][j])) << 8 |
                  static_cast<uint32_t>(static_cast<uint8_t>(r[2][j])) << 16 |
                  static_cast<uint32_t>(static_cast<uint8_t>(r[3][j])) << 24;
        for (int64_t j = w; j < NR; ++j) oq[j] = 0;
      }
    }
    return;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += NR, o += NR * nq) {
    for (int j = 0; j < NR; ++j) {
      const int8_t* col = src + (j0 + j) * col_step;
      for (int64_t q = 0; q < nq; ++q) {
        uint32_t w = 0;
        if (j0 + j < nc) {
          if (k_step == 1 && 4 * q + 4 <= k) {
            // A [n, k] weight read as its transpose: the quad is one word of the column.
            memcpy(&w, col + 4 * q, 4);
          } else {
            for (int t = 0; t < 4; ++t)
              if (4 * q + t < k) w |= static_cast<uint32_t>(static_cast<uint8_t>(col[(4 * q + t) * k_step])) << (8 * t);
          }
        }
        o[q * NR + j] = w;
      }
    }
  }
}

// The output pass on one row's NVX vectors (see LowpOutput in gemm_lowp.h).
template <int NVX>
__attribute__((always_inline)) inline void store_row(const LowpOutput& o, int64_t i, int64_t j0, int nr,
                                                     typename V::reg (&acc)[NVX]) {
#pragma GCC unroll 4
  for (int v = 0; v < NVX; ++v) {
    const int64_t j = j0 + v * W;
    const int n = nr - v * W;
    typename V::reg raw = acc[v];
    if (o.col_offset) raw = V::add(raw, V::loadi(o.col_offset + j, n));
    if (o.row_sum && o.b_zero) raw = V::sub(raw, V::mullo(V::set1(o.row_sum[i]), V::loadi(o.b_zero + j, n)));
    if (o.type == LowpType::S32) {
      V::storei(static_cast<int32_t*>(o.c) + i * o.ldc + j, raw, n);
      continue;
    }
    typename V::freg x = V::fmul(V::cvt(raw), V::loadf(o.col_scale + j, n));
    if (o.row_bias) x = V::fadd(x, V::fset1(o.row_bias[i]));
    if (o.col_bias) x = V::fadd(x, V::loadf(o.col_bias + j, n));
    if (o.type == LowpType::F32) {
      V::storef(static_cast<float*>(o.c) + i * o.ldc + j, x, n);
    } else {
      V::store_u8(static_cast<uint8_t*>(o.c) + i * o.ldc + j, x, o.out_inv_scale, o.out_zero, n);
    }
  }
}

template <class Dot, int NVX>
void tile(int64_t k, const uint8_t* a, const uint32_t* b, const LowpOutput& out, int64_t i0, int64_t j0, int mr,
          int nr) {
  const int64_t nq = quads(k), kp = 4 * nq;
  typename V::reg acc[MR][NVX];
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int v = 0; v < NVX; ++v) acc[i][v] = V::zero();
  const uint32_t* arow[MR];
  for (int i = 0; i < MR; ++i) arow[i] = reinterpret_cast<const uint32_t*>(a + i * kp);
  for (int64_t q = 0; q < nq; ++q) {
    typename V::reg bv[NVX];
#pragma GCC unroll 4
    for (int v = 0; v < NVX; ++v) bv[v] = V::load(b + v * W);
#pragma GCC unroll 8
    for (int i = 0; i < MR; ++i) {
      const typename V::reg ai = V::bcast(arow[i][q]);
#pragma GCC unroll 4
      for (int v = 0; v < NVX; ++v) acc[i][v] = Dot::dp(acc[i][v], ai, bv[v]);
    }
    b += NR;
  }
#pragma GCC unroll 8
  for (int i = 0; i < MR; ++i)
    if (i < mr) store_row<NVX>(out, i0 + i, j0, nr, acc[i]);
}

template <class Dot, int NVX>
void tile_for_width(int nvx, int64_t k, const uint8_t* a, const uint32_t* b, const LowpOutput& out, int64_t i0,
                    int64_t j0, int mr, int nr) {
  if constexpr (NVX > 1) {
    if (nvx < NVX) return tile_for_width<Dot, NVX - 1>(nvx, k, a, b, out, i0, j0, mr, nr);
  }
  tile<Dot, NVX>(k, a, b, out, i0, j0, mr, nr);
}

// A narrow right edge runs only the vectors it needs (the packed panel is NR wide regardless).
template <class Dot>
void ukernel(int64_t k, const void* a, const void* b, const LowpOutput& out, int64_t i0, int64_t j0, int mr, int nr) {
  tile_for_width<Dot, NV>((nr + W - 1) / W, k, static_cast<const uint8_t*>(a), static_cast<const uint32_t*>(b), out, i0,
                          j0, mr, nr);
}

// The kernel table entry: this file's packing and microkernel (over V::dp), with the ISA's name
// and blocks; no 7-bit kernel (the ISA file adds one where it has one).
void fill_kernels(GemmLowpKernels* k, const char* name, int mc, int nc) {
  k->name = name;
  k->mr = MR;
  k->nr = NR;
  k->mc = mc;
  k->nc = nc;
  k->k_unit = 4;
  k->a_bytes = 1;
  k->b_bytes = 1;
  k->pack_a = pack_a;
  k->pack_b = pack_b;
  k->ukernel = ukernel<V>;
  k->ukernel_7bit = nullptr;
}
