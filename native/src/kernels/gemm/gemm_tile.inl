// The GEMM microkernel and the packing routines, written once over a vector type V (of
// V::width elements of type V::scalar: float or double) and a register tile of MR rows x NV
// vectors, compiled once per ISA and element type. Included by gemm_<isa>.cpp and
// dgemm_<isa>.cpp inside an anonymous namespace, after that file defines:
//   V::scalar, V::reg, V::mask, V::width, zero, load, loadm, store, storem, set1, mul, fmadd, mask_for
//   (mask_for(n): the first n lanes, n clamped to [0, width]; masked lanes are neither read
//   nor written), transpose (see pack_lines), constexpr int MR, NV, and constexpr int64_t
//   kPrefetchC: how many k-steps before the end of the k loop the C tile is prefetched
//   (about 600 cycles: enough to bring it from L3 or memory, too few for the streaming A and B
//   to evict it again).
// No includes here: each ISA file brings its own, so nothing is shared across ISA objects.

using T = typename V::scalar;
constexpr int W = V::width;
constexpr int NR = NV * W;
constexpr int kLineElements = 64 / sizeof(T);  // elements in a cache line

inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

// One k-step loop over the whole kc: acc[i][v] += A[p][i] * B[p][v*W .. v*W+W), for the
// first MRX rows (A's packed panel is MR wide whatever MRX is) and NVX vectors of the tile.
// kMasked: B's columns past nr are not read (op(B) read in place at a right edge).
template <bool kMasked, int MRX, int NVX>
__attribute__((always_inline)) inline void tile_kloop(int64_t kc, const T* a, const T* b, int64_t ldb,
                                                      const typename V::mask* bm, typename V::reg (&acc)[MRX][NVX]) {
  for (int64_t p = 0; p < kc; ++p) {
    typename V::reg bv[NVX];
#pragma GCC unroll 8
    for (int v = 0; v < NVX; ++v) bv[v] = kMasked ? V::loadm(b + v * W, bm[v]) : V::load(b + v * W);
#pragma GCC unroll 16
    for (int i = 0; i < MRX; ++i) {
      const typename V::reg ai = V::set1(a[i]);
#pragma GCC unroll 8
      for (int v = 0; v < NVX; ++v) acc[i][v] = V::fmadd(ai, bv[v], acc[i][v]);
    }
    a += MR;
    b += ldb;
  }
}

// The microkernel on a tile of MRX rows and NVX vectors (MRX = mr < MR: a bottom edge, a
// one-row GEMV, computes only its rows; NVX < NV: a narrow right edge costs only the vectors it
// needs). Each row's products and sums are the same whatever MRX: the same bits.
template <int MRX, int NVX>
void tile(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta, int nr) {
  typename V::reg acc[MRX][NVX];
#pragma GCC unroll 16
  for (int i = 0; i < MRX; ++i)
#pragma GCC unroll 8
    for (int v = 0; v < NVX; ++v) acc[i][v] = V::zero();
  typename V::mask bm[NVX];
#pragma GCC unroll 8
  for (int v = 0; v < NVX; ++v) bm[v] = V::mask_for(nr - v * W);
  const bool full = nr == NVX * W;
  // C is read (beta != 0) and written only after the k loop: pull it in kPrefetchC k-steps
  // before the end (rows ldc apart may share L1 sets when ldc is a multiple of 1024, so an
  // earlier prefetch would be evicted again).
  const int64_t k_main = kc > kPrefetchC ? kc - kPrefetchC : 0;
  if (full)
    tile_kloop<false, MRX, NVX>(k_main, a, b, ldb, bm, acc);
  else
    tile_kloop<true, MRX, NVX>(k_main, a, b, ldb, bm, acc);
#pragma GCC unroll 16
  for (int i = 0; i < MRX; ++i) {
    // Every cache line of the row, plus the last (rows need not be aligned).
#pragma GCC unroll 8
    for (int j = 0; j < NVX * W; j += kLineElements)
      if (j < nr) __builtin_prefetch(c + i * ldc + j, 1);
    __builtin_prefetch(c + i * ldc + nr - 1, 1);
  }
  a += k_main * MR;
  b += k_main * ldb;
  if (full)
    tile_kloop<false, MRX, NVX>(kc - k_main, a, b, ldb, bm, acc);
  else
    tile_kloop<true, MRX, NVX>(kc - k_main, a, b, ldb, bm, acc);

  const typename V::reg va = V::set1(alpha), vb = V::set1(beta);
#pragma GCC unroll 16
  for (int i = 0; i < MRX; ++i) {
    T* row = c + i * ldc;
#pragma GCC unroll 8
    for (int v = 0; v < NVX; ++v) {
      typename V::reg x = V::mul(acc[i][v], va);
      if (full) {
        if (beta != T{0}) x = V::fmadd(vb, V::load(row + v * W), x);
        V::store(row + v * W, x);
      } else {
        if (beta != T{0}) x = V::fmadd(vb, V::loadm(row + v * W, bm[v]), x);
        V::storem(row + v * W, bm[v], x);
      }
    }
  }
}

template <int MRX, int NVX>
void tile_for_width(int nvx, int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta,
                    int nr) {
  if constexpr (NVX > 1) {
    if (nvx < NVX) return tile_for_width<MRX, NVX - 1>(nvx, kc, a, b, ldb, c, ldc, alpha, beta, nr);
  }
  tile<MRX, NVX>(kc, a, b, ldb, c, ldc, alpha, beta, nr);
}

template <int MRX>
void tile_for_rows(int mr, int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta,
                   int nr) {
  if constexpr (MRX > 1) {
    if (mr < MRX) return tile_for_rows<MRX - 1>(mr, kc, a, b, ldb, c, ldc, alpha, beta, nr);
  }
  tile_for_width<MRX, NV>((nr + W - 1) / W, kc, a, b, ldb, c, ldc, alpha, beta, nr);
}

// C := beta*C + alpha*A*B on an mr x nr tile. The edge tile needs no copy: only its mr rows
// are computed and stored and columns past nr are masked, so the temporary tile is the registers.
void gemm_ukernel(int64_t kc, const T* a, const T* b, int64_t ldb, T* c, int64_t ldc, T alpha, T beta, int mr, int nr) {
  tile_for_rows<MR>(mr, kc, a, b, ldb, c, ldc, alpha, beta, nr);
}

// Packs P lines of op(X), each contiguous along k and `ls` apart (the first `valid` of them
// real, the rest zero), into a k-major panel of width P: out[p * P + i] = line i at k = p.
// W x W blocks go through registers (V::transpose), so reads and writes stay contiguous.
template <int P>
void pack_lines(int64_t kc, const T* src, int64_t ls, int valid, T* out) {
  int64_t p = 0;
  for (; p + W <= kc; p += W)
    for (int i0 = 0; i0 < P; i0 += W) {
      const int lanes = P - i0 < W ? P - i0 : W;
      V::transpose(src + i0 * ls + p, ls, valid - i0, out + p * P + i0, P, lanes);
    }
  for (; p < kc; ++p)
    for (int i = 0; i < P; ++i) out[p * P + i] = i < valid ? src[i * ls + p] : T{0};
}

// Packs kc rows of op(X) that are contiguous along the panel dimension (row p at src + p * rs,
// `width` elements) into ceil(width / P) k-major panels of width P, zero-padded. Row by row, so
// the source is read sequentially (a panel at a time would step through kc pages per panel).
template <int P>
void pack_rows(int64_t kc, int64_t width, const T* src, int64_t rs, T* out) {
  constexpr int NVP = (P + W - 1) / W;
  const int64_t full = width / P;
  const int tail = static_cast<int>(width - full * P);
  typename V::mask tail_mask[NVP], store_mask[NVP];
  for (int v = 0; v < NVP; ++v) {
    tail_mask[v] = V::mask_for(tail - v * W);
    store_mask[v] = V::mask_for(P - v * W);
  }
  for (int64_t p = 0; p < kc; ++p) {
    const T* row = src + p * rs;
    T* dst = out + p * P;
    for (int64_t q = 0; q < full; ++q, row += P, dst += P * kc) {
      if (P % W == 0) {
#pragma GCC unroll 8
        for (int v = 0; v < NVP; ++v) V::store(dst + v * W, V::load(row + v * W));
      } else {
        for (int v = 0; v < NVP; ++v) V::storem(dst + v * W, store_mask[v], V::loadm(row + v * W, store_mask[v]));
      }
    }
    if (tail)
      for (int v = 0; v < NVP; ++v) V::storem(dst + v * W, store_mask[v], V::loadm(row + v * W, tail_mask[v]));
  }
}

void pack_a(int64_t mc, int64_t kc, const T* a, int64_t rs, int64_t cs, T* out) {
  if (rs == 1 && cs != 1) {
    // A transposed: rows of op(A)^T contiguous along m.
    pack_rows<MR>(kc, mc, a, cs, out);
    return;
  }
  for (int64_t i0 = 0; i0 < mc; i0 += MR, out += MR * kc) {
    const int mr = static_cast<int>(min64(MR, mc - i0));
    const T* src = a + i0 * rs;
    if (cs == 1) {
      // A as stored: rows contiguous in k.
      pack_lines<MR>(kc, src, rs, mr, out);
    } else {
      for (int64_t p = 0; p < kc; ++p)
        for (int i = 0; i < MR; ++i) out[p * MR + i] = i < mr ? src[i * rs + p * cs] : T{0};
    }
  }
}

void pack_b(int64_t kc, int64_t nc, const T* b, int64_t rs, int64_t cs, T* out) {
  if (cs == 1) {
    // B as stored: rows contiguous along n.
    pack_rows<NR>(kc, nc, b, rs, out);
    return;
  }
  for (int64_t j0 = 0; j0 < nc; j0 += NR, out += NR * kc) {
    const int nr = static_cast<int>(min64(NR, nc - j0));
    const T* src = b + j0 * cs;
    if (rs == 1) {
      // B transposed: each column of op(B) contiguous in k.
      pack_lines<NR>(kc, src, cs, nr, out);
    } else {
      for (int64_t p = 0; p < kc; ++p)
        for (int j = 0; j < NR; ++j) out[p * NR + j] = j < nr ? src[p * rs + j * cs] : T{0};
    }
  }
}
