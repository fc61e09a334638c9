// The Winograd transform kernels (one set per ISA, in the kernel table) and the geometry they
// share with the driver in winograd.cpp.
#pragma once
#include <stdint.h>

namespace myelin {

// Tiles a transform handles at once: 8 floats, one AVX2 register (on Zen 4 as fast per float
// as AVX-512's 16, and it fits 16x16 planes' 8 tiles a row exactly).
constexpr int kWinogradChunk = 8;

// One Winograd correlation: out [n, o, oh, ow] from in [n, c, h, w] (zero outside), the 4x4
// patch of tile (ty, tx) starting at input (2ty - ph, 2tx - pw).
struct WinogradGeom {
  int64_t n, c, h, w, o, oh, ow, ph, pw;
  int64_t th, tw, tiles;  // tiles per image: th x tw
};

// A plane copied into a zero border: padded[r * len + j] = plane[r - ph][j - pw], r < rows. len
// leaves kWinogradChunk pairs of slack columns, so a last partial chunk of tiles reads zeros
// rather than past the buffer.
struct WinogradPadded {
  int64_t rows, len, ph, pw, h, w;
};

// V[xi * ld + ty * tw + tx] = (B^T d B)[xi] for every tile of one padded input plane; scratch:
// 4 kWinogradChunk floats per padded row.
using WinogradInputFn = void (*)(const WinogradGeom& g, const WinogradPadded& pg, const float* padded, float* v,
                                 int64_t ld, float* scratch);
// D[xi * ld + ty * tw + tx] = (A dy A^T)[xi] for every 2x2 tile of one padded dy plane.
using WinogradOutputGradFn = void (*)(const WinogradGeom& g, const WinogradPadded& pg, const float* padded, float* d,
                                      int64_t ld);
// One output plane [oh, ow] = A^T M A + bias from M[xi * ld + ty * tw + tx]; scratch:
// 4 tiles + kWinogradChunk floats.
using WinogradOutputFn = void (*)(const WinogradGeom& g, const float* m, int64_t ld, float bias, float* plane,
                                  float* scratch);

struct WinogradKernels {
  WinogradInputFn input;
  WinogradOutputGradFn output_grad;
  WinogradOutputFn output;
};

void fill_winograd_scalar(WinogradKernels* k);
void fill_winograd_avx2(WinogradKernels* k);
void fill_winograd_avx512(WinogradKernels* k);
void fill_winograd_neon(WinogradKernels* k);

}  // namespace myelin
