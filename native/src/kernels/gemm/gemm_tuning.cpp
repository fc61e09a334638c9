#include "kernels/gemm/gemm_tuning.h"

#include <cstdlib>

namespace myelin {
namespace {

// The CPUs the GEMM was tuned or measured on. Family and model ranges as GCC's
// common/config/i386/cpuinfo.h (get_amd_cpu) reads them. Zen 3 to 5 keep the kernel files'
// figures: tuned on Zen 4 and measured on Zen 3 and Zen 5.
struct CpuRow {
  const char* name;
  const char* vendor;
  int family, model_lo, model_hi;
};

constexpr CpuRow kCpuTable[] = {
    {"Zen 3", "AuthenticAMD", 0x19, 0x00, 0x0f}, {"Zen 4", "AuthenticAMD", 0x19, 0x10, 0x1f},
    {"Zen 3", "AuthenticAMD", 0x19, 0x20, 0x5f}, {"Zen 4", "AuthenticAMD", 0x19, 0x60, 0xaf},
    {"Zen 5", "AuthenticAMD", 0x1a, 0x00, 0x77},
};

// Bounds of the rule and of MYELIN_GEMM_BLOCKING: a packed block of at most kMaxKc x kMaxMcNc
// floats (32 MiB) a thread.
constexpr int kMinKc = 8, kMaxKc = 2048, kMinMcNc = 8, kMaxMcNc = 4096;

int64_t clamp64(int64_t x, int64_t lo, int64_t hi) { return x < lo ? lo : x > hi ? hi : x; }

// How many rows of `row_bytes` fill `bytes`, clamped to [lo, hi], rounded down to `unit`.
int fit(int64_t bytes, int64_t row_bytes, int64_t unit, int64_t lo, int64_t hi) {
  const int64_t n = clamp64(bytes / row_bytes, lo, hi);
  return static_cast<int>(n >= unit ? n / unit * unit : unit);
}

}  // namespace

const char* gemm_blocking_source_name(GemmBlockingSource source) {
  switch (source) {
    case GemmBlockingSource::Table:
      return "table";
    case GemmBlockingSource::Caches:
      return "caches";
    case GemmBlockingSource::Env:
      return "env";
  }
  return "unknown";
}

const char* cpu_model_name(const CpuIdentity& id) {
  for (const CpuRow& row : kCpuTable)
    if (id.vendor == row.vendor && id.family == row.family && id.model >= row.model_lo && id.model <= row.model_hi)
      return row.name;
  return nullptr;
}

GemmBlocking gemm_blocking_from_caches(int mr, int nr, GemmLoops loops, int64_t l1d, int64_t l2, int64_t l3) {
  constexpr int64_t S = sizeof(float);
  const bool a_in_l1 = loops == GemmLoops::AInL1;
  const int64_t kc = fit(l1d / 2, S * (a_in_l1 ? mr : nr), 8, 64, 1024);
  // BInL1: the packed A block (mc x kc) is reused from L2, the packed B block (kc x nc) from L3;
  // AInL1 the other way round.
  const int64_t l2_unit = a_in_l1 ? nr : mr, l3_unit = a_in_l1 ? mr : nr;
  const int l2_block = fit(l2 / 2, S * kc, l2_unit, 4 * l2_unit, kMaxMcNc);
  const int l3_block = fit(l3 / 2, S * kc, l3_unit, 4 * l3_unit, kMaxMcNc);
  return a_in_l1 ? GemmBlocking{static_cast<int>(kc), l3_block, l2_block}
                 : GemmBlocking{static_cast<int>(kc), l2_block, l3_block};
}

bool parse_gemm_blocking(const std::string& text, GemmBlocking* out, std::string* error) {
  int64_t v[3];
  const char* p = text.c_str();
  bool ok = true;
  for (int i = 0; i < 3 && ok; ++i) {
    char* end = nullptr;
    ok = *p >= '0' && *p <= '9';
    if (ok) v[i] = std::strtoll(p, &end, 10);
    ok = ok && (i < 2 ? *end == ',' : *end == '\0');
    if (ok) p = end + 1;
  }
  ok = ok && v[0] >= kMinKc && v[0] <= kMaxKc && v[1] >= kMinMcNc && v[1] <= kMaxMcNc && v[2] >= kMinMcNc &&
       v[2] <= kMaxMcNc;
  if (!ok) {
    *error = "MYELIN_GEMM_BLOCKING='" + text + "' must be kc,mc,nc: three integers, kc in " + std::to_string(kMinKc) +
             ".." + std::to_string(kMaxKc) + ", mc and nc in " + std::to_string(kMinMcNc) + ".." +
             std::to_string(kMaxMcNc);
    return false;
  }
  *out = GemmBlocking{static_cast<int>(v[0]), static_cast<int>(v[1]), static_cast<int>(v[2])};
  return true;
}

GemmBlockingSource choose_gemm_blocking(GemmKernels* k, const CpuIdentity& id, const GemmBlocking* user) {
  GemmBlockingSource source = GemmBlockingSource::Env;
  GemmBlocking b;
  if (user) {
    b = *user;
  } else if (cpu_model_name(id)) {
    return GemmBlockingSource::Table;
  } else {
    b = gemm_blocking_from_caches(k->mr, k->nr, k->loops, id.l1d, id.l2, id.l3);
    source = GemmBlockingSource::Caches;
  }
  k->kc = b.kc;
  k->mc = b.mc;
  k->nc = b.nc;
  return source;
}

}  // namespace myelin
