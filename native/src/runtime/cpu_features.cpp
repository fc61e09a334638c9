#include "runtime/cpu_features.h"

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#define MYELIN_X86 1
#endif

namespace myelin {

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::Scalar:
      return "scalar";
    case Isa::Avx2:
      return "avx2";
    case Isa::Avx512:
      return "avx512";
    case Isa::Neon:
      return "neon";
    case Isa::Avx2Vnni:
      return "avx2vnni";
    case Isa::Avx512Bf16:
      return "avx512bf16";
  }
  return "unknown";
}

const std::string& isa_names() {
  static const std::string names = [] {
    std::string s;
    for (int i = 0; i < kNumIsas; ++i) s += std::string(i ? ", " : "") + isa_name(static_cast<Isa>(i));
    return s;
  }();
  return names;
}

bool parse_isa(const std::string& name, Isa* out) {
  for (int i = 0; i < kNumIsas; ++i) {
    if (name == isa_name(static_cast<Isa>(i))) {
      *out = static_cast<Isa>(i);
      return true;
    }
  }
  return false;
}

namespace {

#ifdef MYELIN_X86
// XGETBV reads XCR0: which register states the OS saves on context switch.
// Written as raw bytes-free inline asm so this file needs no -mxsave.
unsigned long long read_xcr0() {
  unsigned int eax, edx;
  __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
  return (static_cast<unsigned long long>(edx) << 32) | eax;
}
#endif

CpuFeatures detect() {
  CpuFeatures f;
#ifdef MYELIN_X86
  unsigned int eax, ebx, ecx, edx;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
  const bool osxsave = ecx & (1u << 27);
  const bool fma = ecx & (1u << 12);
  const bool avx = ecx & (1u << 28);
  if (!osxsave || !avx) return f;
  const unsigned long long xcr0 = read_xcr0();
  const bool ymm_state = (xcr0 & 0x6) == 0x6;    // SSE + AVX state
  const bool zmm_state = (xcr0 & 0xe6) == 0xe6;  // + opmask, ZMM_Hi256, Hi16_ZMM
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
  const bool avx2 = ebx & (1u << 5);
  const bool avx512f = ebx & (1u << 16);
  const bool avx512dq = ebx & (1u << 17);
  const bool avx512bw = ebx & (1u << 30);
  const bool avx512vl = ebx & (1u << 31);
  const bool avx512_vnni = ecx & (1u << 11);
  f.avx2_fma = ymm_state && avx2 && fma;
  f.avx512 = f.avx2_fma && zmm_state && avx512f && avx512dq && avx512bw && avx512vl;
  f.avx512_vnni = f.avx512 && avx512_vnni;
  // Leaf 7 sub-leaf 1, EAX: AVX-VNNI (bit 4), AVX512_BF16 (bit 5).
  if (__get_cpuid_count(7, 1, &eax, &ebx, &ecx, &edx)) {
    f.avx_vnni = f.avx2_fma && (eax & (1u << 4));
    f.avx512_bf16 = f.avx512 && (eax & (1u << 5));
  }
#endif
#if defined(__aarch64__)
  f.neon = true;
#endif
  return f;
}

}  // namespace

const CpuFeatures& cpu_features() {
  static const CpuFeatures features = detect();
  return features;
}

bool isa_supported(Isa isa) {
  const CpuFeatures& f = cpu_features();
  switch (isa) {
    case Isa::Scalar:
      return true;
#ifdef MYELIN_HAVE_X86_KERNELS
    case Isa::Avx2:
      return f.avx2_fma;
    case Isa::Avx512:
      return f.avx512;
    case Isa::Avx2Vnni:
      return f.avx_vnni;
    case Isa::Avx512Bf16:
      return f.avx512_bf16 && f.avx512_vnni;
#endif
#ifdef MYELIN_HAVE_NEON_KERNELS
    case Isa::Neon:
      return f.neon;
#endif
    default:
      return false;
  }
}

}  // namespace myelin
