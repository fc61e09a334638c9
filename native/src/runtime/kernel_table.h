// One table of kernel pointers per ISA, filled once at load. Drivers receive the table to use,
// so a test can run every ISA's kernels in one process.
#pragma once
#include "kernels/convert/convert.h"
#include "kernels/elementwise/elementwise.h"
#include "kernels/reduce/reduce.h"
#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_i32.h"
#include "kernels/gemm/gemm_lowp.h"
#include "kernels/gemm/gemm_tuning.h"
#include "kernels/optim/optim.h"
#include "kernels/softmax/softmax.h"
#include "kernels/rnn/rnn.h"
#include "kernels/norm/norm.h"
#include "kernels/limits/limits.h"
#include "kernels/conv/winograd_kernels.h"
#include "kernels/conv/conv_direct.h"
#include "runtime/cpu_features.h"

namespace myelin {

struct KernelTable {
  Isa isa;
  BinaryKernels binary;
  UnaryKernels unary;
  ReduceKernels reduce;
  GemmKernels gemm;
  GemmBlockingSource gemm_blocking;  // where gemm's kc, mc and nc came from (gemm_tuning.h)
  DgemmKernels dgemm;                // the same GEMM in double (gemm.h)
  GemmLowpKernels gemm_bf16;         // bf16 x bf16 -> fp32 sums (gemm_lowp.h)
  GemmLowpKernels gemm_s8;           // u8 x s8 -> int32 sums
  GemmI32Kernels gemm_i32;           // int32 x int32 -> int32, wrapping (gemm_i32.h)
  SoftmaxKernels softmax;
  OptimKernels optim;
  RnnKernels rnn;
  NormKernels norm;
  WinogradKernels winograd;
  ConvDirectKernels conv_direct;
  LimitsKernels limits;    // the machine-limit loops (utils.benchmark.limits)
  ConvertKernels convert;  // quantize, bf16 conversions, min_max (convert.h)
};

// The table of an ISA this CPU supports (isa_supported(isa) must hold).
const KernelTable& kernels_for(Isa isa);

// The ISA kernels run with: the best this CPU supports, capped by MYELIN_ISA, unless the
// calling thread has set a test override.
Isa active_isa();
const KernelTable& active_kernels();

// The best ISA this CPU supports, and the cap from MYELIN_ISA (which may name an ISA this CPU
// lacks: init_dispatch reports that).
Isa best_isa();

// Reads MYELIN_ISA and MYELIN_GEMM_BLOCKING. Returns an empty string when it is fine, else the error message.
const char* dispatch_error();

// Test hook: the calling thread uses `isa` until reset (nullptr resets). Must be supported.
void set_thread_isa_override(const Isa* isa);

}  // namespace myelin
