// The fp32 GEMM's cache blocking (kc, mc, nc) chosen for the CPU at load: a table of the CPUs it
// was measured on, a rule from the cache sizes for any other, and MYELIN_GEMM_BLOCKING over both.
#pragma once
#include <cstdint>
#include <string>

#include "kernels/gemm/gemm.h"
#include "runtime/cpu_features.h"

namespace myelin {

struct GemmBlocking {
  int kc, mc, nc;
};

// Where a kernel table's blocking came from: the CPU table (its row keeps the kernel file's
// tuned figures), the cache-size rule (a CPU the table does not name), or MYELIN_GEMM_BLOCKING.
enum class GemmBlockingSource : int { Table, Caches, Env };
const char* gemm_blocking_source_name(GemmBlockingSource source);

// The CPU table's name for this CPU ("Zen 3"), or nullptr when the table does not name it.
const char* cpu_model_name(const CpuIdentity& id);

// Blocking from cache sizes (bytes), after the analytical model of BLIS (Low et al., "Analytical
// modeling is enough for high-performance BLIS", TOMS 2016): the micro-panel the two inner loops
// keep in L1 (kc x NR of B for BInL1, MR x kc of A for AInL1) gets half of L1, the other
// operand's micro-panels streaming through the rest; the packed block reused from L2 gets half of
// L2, the one reused from L3 half of L3. Clamped to bounds that every kernel runs well within.
GemmBlocking gemm_blocking_from_caches(int mr, int nr, GemmLoops loops, int64_t l1d, int64_t l2, int64_t l3);

// Parses MYELIN_GEMM_BLOCKING's "kc,mc,nc". False with a message naming the variable, the value
// and the bounds on anything else.
bool parse_gemm_blocking(const std::string& text, GemmBlocking* out, std::string* error);

// Sets k's kc, mc and nc for this CPU: `user` when given, else the kernel file's own where the
// table names the CPU, else the cache-size rule. Returns which.
GemmBlockingSource choose_gemm_blocking(GemmKernels* k, const CpuIdentity& id, const GemmBlocking* user);

}  // namespace myelin
