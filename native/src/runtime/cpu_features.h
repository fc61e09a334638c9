// CPU feature detection: what the hardware and the OS together allow.
#pragma once
#include <cstdint>
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

// Who made the CPU, which one it is, and its data caches: what the per-CPU kernel choices
// (GEMM blocking) are picked from. Read once: cpuid on x86-64 (leaf 0 and 1; caches from leaf 4
// on Intel, 0x8000001D on AMD and Hygon), the kernel's sysfs cache directory elsewhere or where
// cpuid reports no caches, else the defaults below.
struct CpuIdentity {
  std::string vendor;                    // cpuid's vendor string ("AuthenticAMD", "GenuineIntel"); "" off x86
  int family = 0, model = 0;             // display family and model (extended fields folded in); 0 off x86
  int64_t l1d = 32 << 10;                // bytes of L1 data cache of one core
  int64_t l2 = 512 << 10;                // bytes of L2 of one core (or of the cluster sharing it)
  int64_t l3 = 8 << 20;                  // bytes of one L3 (shared by the cores of one complex or socket)
  const char* cache_source = "default";  // "cpuid", "sysfs", or "default" (nothing read)
};

const CpuIdentity& cpu_identity();

}  // namespace myelin
