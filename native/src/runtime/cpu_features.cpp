#include "runtime/cpu_features.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>

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

#ifdef MYELIN_X86
// The deterministic cache parameters leaf (Intel's 4, AMD's 0x8000001D share the layout): each
// sub-leaf one cache, its type in EAX[4:0] (0: no more, 1: data, 3: unified), its level in
// EAX[7:5], its size (ways * partitions * line size * sets) in EBX and ECX.
bool read_cpuid_caches(unsigned int leaf, CpuIdentity* id) {
  bool any = false;
  for (unsigned int sub = 0; sub < 16; ++sub) {
    unsigned int eax, ebx, ecx, edx;
    __cpuid_count(leaf, sub, eax, ebx, ecx, edx);
    const unsigned int type = eax & 0x1f, level = (eax >> 5) & 0x7;
    if (type == 0) break;
    if (type != 1 && type != 3) continue;
    const int64_t bytes =
        int64_t{((ebx >> 22) & 0x3ff) + 1} * (((ebx >> 12) & 0x3ff) + 1) * ((ebx & 0xfff) + 1) * (int64_t{ecx} + 1);
    if (level == 1) id->l1d = bytes;
    if (level == 2) id->l2 = bytes;
    if (level == 3) id->l3 = bytes;
    any = any || level == 1;
  }
  return any;
}
#endif

// Linux's view of cpu0's caches: index*/level, type and size ("48K", "1024K", "32M").
bool read_sysfs_caches(CpuIdentity* id) {
  bool any = false;
  for (int i = 0; i < 8; ++i) {
    char path[96], type[32] = {0}, size[32] = {0};
    int level = 0;
    auto read = [&](const char* name, const char* fmt, void* out) {
      std::snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/%s", i, name);
      FILE* f = std::fopen(path, "r");
      if (!f) return false;
      const bool ok = std::fscanf(f, fmt, out) == 1;
      std::fclose(f);
      return ok;
    };
    if (!read("level", "%d", &level) || !read("type", "%31s", type) || !read("size", "%31s", size)) continue;
    if (std::strcmp(type, "Data") != 0 && std::strcmp(type, "Unified") != 0) continue;
    char* unit = nullptr;
    int64_t bytes = std::strtoll(size, &unit, 10);
    if (*unit == 'K') bytes <<= 10;
    if (*unit == 'M') bytes <<= 20;
    if (bytes <= 0) continue;
    if (level == 1) id->l1d = bytes;
    if (level == 2) id->l2 = bytes;
    if (level == 3) id->l3 = bytes;
    any = any || level == 1;
  }
  return any;
}

CpuIdentity identify() {
  CpuIdentity id;
  bool caches = false;
#ifdef MYELIN_X86
  unsigned int eax, ebx, ecx, edx;
  if (__get_cpuid(0, &eax, &ebx, &ecx, &edx)) {
    const unsigned int max_leaf = eax;
    char vendor[13];
    std::memcpy(vendor, &ebx, 4);
    std::memcpy(vendor + 4, &edx, 4);
    std::memcpy(vendor + 8, &ecx, 4);
    vendor[12] = '\0';
    id.vendor = vendor;
    __get_cpuid(1, &eax, &ebx, &ecx, &edx);
    // The extended family adds to family 15; the extended model extends families 6 and 15 up.
    const int base_family = (eax >> 8) & 0xf, base_model = (eax >> 4) & 0xf;
    id.family = base_family == 0xf ? base_family + static_cast<int>((eax >> 20) & 0xff) : base_family;
    id.model =
        base_family == 0xf || base_family == 0x6 ? base_model | static_cast<int>((eax >> 12) & 0xf0) : base_model;
    if (id.vendor == "GenuineIntel" && max_leaf >= 4) {
      caches = read_cpuid_caches(4, &id);
    } else if (id.vendor == "AuthenticAMD" || id.vendor == "HygonGenuine") {
      // 0x8000001D exists where 0x80000001 sets TopologyExtensions (ECX bit 22).
      const unsigned int max_ext = __get_cpuid_max(0x80000000, nullptr);
      if (max_ext >= 0x8000001d && __get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx) && (ecx & (1u << 22)))
        caches = read_cpuid_caches(0x8000001d, &id);
    }
  }
#endif
  if (caches) {
    id.cache_source = "cpuid";
  } else {
    CpuIdentity sysfs = id;
    if (read_sysfs_caches(&sysfs)) {
      id = sysfs;
      id.cache_source = "sysfs";
    }
  }
  return id;
}

}  // namespace

const CpuIdentity& cpu_identity() {
  static const CpuIdentity identity = identify();
  return identity;
}

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
