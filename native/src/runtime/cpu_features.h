// CPU feature detection: what the hardware and the OS together allow.
#pragma once
#include <string>

namespace myelin {

enum class Isa : int { Scalar = 0, Avx2 = 1, Avx512 = 2, Neon = 3 };
constexpr int kNumIsas = 4;

const char* isa_name(Isa isa);
// Parses "scalar" | "avx2" | "avx512" | "neon"; returns false on anything else.
bool parse_isa(const std::string& name, Isa* out);

struct CpuFeatures {
  bool avx2_fma = false;  // AVX2 + FMA3, with the OS saving YMM state
  bool avx512 = false;    // AVX-512 F/BW/DQ/VL, with the OS saving ZMM and opmask state
  bool neon = false;      // arm64 Advanced SIMD
};

// Detected once (cpuid + xgetbv on x86-64), then cached.
const CpuFeatures& cpu_features();
// Whether this CPU (and this build) can run kernels of the given ISA.
bool isa_supported(Isa isa);

}  // namespace myelin
