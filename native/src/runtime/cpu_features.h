// CPU feature detection: what the hardware and the OS together allow.
#pragma once
#include <string>

namespace myelin {

// The kernel tables, one per level. The two reduced-precision levels are their base level's
// table (fp32 kernels and all) plus the bf16 and int8 GEMM kernels that need the extra
// instructions; capping MYELIN_ISA at the base level runs those GEMMs' fallbacks instead:
//   avx2vnni:   avx2 + AVX-VNNI (VEX vpdpbusd): the int8 GEMM's 256-bit dot-product kernel.
//   avx512bf16: avx512 + AVX512_BF16 (vdpbf16ps) + AVX512_VNNI (EVEX vpdpbusd): the bf16 and
//               int8 GEMMs' 512-bit dot-product kernels (Cooper Lake, Sapphire Rapids, Zen 4/5).
enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2, Neon = 3, Avx2Vnni = 4, Avx512Bf16 = 5 };
constexpr int kNumIsas = 6;

const char* isa_name(Isa isa);
// Parses "scalar" | "avx2" | "avx512" | "neon" | "avx2vnni" | "avx512bf16"; false on anything else.
bool parse_isa(const std::string& name, Isa* out);
// "scalar, avx2, avx512, neon, avx2vnni, avx512bf16": every name parse_isa accepts, for messages.
const std::string& isa_names();

struct CpuFeatures {
  bool avx2_fma = false;     // AVX2 + FMA3, with the OS saving YMM state
  bool avx512 = false;       // AVX-512 F/BW/DQ/VL, with the OS saving ZMM and opmask state
  bool avx_vnni = false;     // AVX-VNNI (VEX-encoded vpdpbusd), with avx2_fma
  bool avx512_vnni = false;  // AVX512_VNNI, with avx512
  bool avx512_bf16 = false;  // AVX512_BF16 (vdpbf16ps, vcvtne2ps2bf16), with avx512
  bool neon = false;         // arm64 Advanced SIMD
};

// Detected once (cpuid + xgetbv on x86-64), then cached.
const CpuFeatures& cpu_features();
// Whether this CPU (and this build) can run kernels of the given ISA.
bool isa_supported(Isa isa);

}  // namespace myelin
