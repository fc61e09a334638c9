#include <cstdlib>
#include <string>

#include "runtime/kernel_table.h"

namespace myelin {
namespace {

KernelTable build(Isa isa) {
  KernelTable t{};
  t.isa = isa;
  fill_gemm_lowp_via_f32(&t.gemm_bf16, &t.gemm_s8);
  switch (isa) {
    case Isa::Scalar:
      fill_binary_scalar(&t.binary);
      fill_unary_scalar(&t.unary);
      fill_reduce_scalar(&t.reduce);
      fill_gemm_scalar(&t.gemm);
      fill_dgemm_scalar(&t.dgemm);
      fill_gemm_i32_scalar(&t.gemm_i32);
      fill_softmax_scalar(&t.softmax);
      fill_optim_scalar(&t.optim);
      fill_rnn_scalar(&t.rnn);
      fill_norm_scalar(&t.norm);
      fill_winograd_scalar(&t.winograd);
      fill_conv_direct_scalar(&t.conv_direct);
      fill_limits_scalar(&t.limits);
      fill_convert_scalar(&t.convert);
      break;
#ifdef MYELIN_HAVE_X86_KERNELS
    case Isa::Avx2:
      fill_binary_avx2(&t.binary);
      fill_unary_avx2(&t.unary);
      fill_reduce_avx2(&t.reduce);
      fill_gemm_avx2(&t.gemm);
      fill_dgemm_avx2(&t.dgemm);
      fill_gemm_i32_avx2(&t.gemm_i32);
      fill_softmax_avx2(&t.softmax);
      fill_optim_avx2(&t.optim);
      fill_rnn_avx2(&t.rnn);
      fill_norm_avx2(&t.norm);
      fill_winograd_avx2(&t.winograd);
      fill_conv_direct_avx2(&t.conv_direct);
      fill_limits_avx2(&t.limits);
      fill_convert_avx2(&t.convert);
      fill_gemm_s8_avx2(&t.gemm_s8);
      break;
    case Isa::Avx512:
      fill_binary_avx512(&t.binary);
      fill_unary_avx512(&t.unary);
      fill_reduce_avx512(&t.reduce);
      fill_gemm_avx512(&t.gemm);
      fill_dgemm_avx512(&t.dgemm);
      fill_gemm_i32_avx512(&t.gemm_i32);
      fill_softmax_avx512(&t.softmax);
      fill_optim_avx512(&t.optim);
      fill_rnn_avx512(&t.rnn);
      fill_norm_avx512(&t.norm);
      fill_winograd_avx512(&t.winograd);
      fill_conv_direct_avx512(&t.conv_direct);
      fill_limits_avx512(&t.limits);
      fill_convert_avx512(&t.convert);
      // AVX-512 without VNNI runs the 256-bit vpmaddubsw kernel (every AVX-512 CPU has AVX2).
      fill_gemm_s8_avx2(&t.gemm_s8);
      break;
    // The reduced-precision levels: their base level's table plus the dot-product GEMMs.
    case Isa::Avx2Vnni:
      t = build(Isa::Avx2);
      t.isa = isa;
      fill_gemm_s8_avx2vnni(&t.gemm_s8);
      break;
    case Isa::Avx512Bf16:
      t = build(Isa::Avx512);
      t.isa = isa;
      fill_gemm_bf16_avx512bf16(&t.gemm_bf16);
      fill_gemm_s8_avx512vnni(&t.gemm_s8);
      break;
#endif
#if defined(__aarch64__) && defined(MYELIN_HAVE_NEON_KERNELS)
    case Isa::Neon:
      fill_binary_neon(&t.binary);
      fill_unary_neon(&t.unary);
      fill_reduce_neon(&t.reduce);
      fill_gemm_neon(&t.gemm);
      fill_dgemm_neon(&t.dgemm);
      fill_gemm_i32_neon(&t.gemm_i32);
      fill_softmax_neon(&t.softmax);
      fill_optim_neon(&t.optim);
      fill_rnn_neon(&t.rnn);
      fill_norm_neon(&t.norm);
      fill_winograd_neon(&t.winograd);
      fill_conv_direct_neon(&t.conv_direct);
      fill_limits_neon(&t.limits);
      fill_convert_neon(&t.convert);
      break;
#endif
    default:
      break;
  }
  return t;
}

struct Tables {
  KernelTable table[kNumIsas];
  Isa active = Isa::Scalar;
  std::string error;

  Tables() {
    GemmBlocking user{};
    const char* blocking = std::getenv("MYELIN_GEMM_BLOCKING");
    const bool have_user = blocking && *blocking && parse_gemm_blocking(blocking, &user, &error);
    for (int i = 0; i < kNumIsas; ++i) {
      if (!isa_supported(static_cast<Isa>(i))) continue;
      table[i] = build(static_cast<Isa>(i));
      table[i].gemm_blocking = choose_gemm_blocking(&table[i].gemm, cpu_identity(), have_user ? &user : nullptr);
    }
    active = best_isa();
    if (const char* env = std::getenv("MYELIN_ISA")) {
      Isa wanted;
      if (*env == '\0' || !error.empty()) {
        // unset in effect (or MYELIN_GEMM_BLOCKING's error is the one reported)
      } else if (!parse_isa(env, &wanted)) {
        error = std::string("MYELIN_ISA='") + env + "' is not one of " + isa_names();
      } else if (!isa_supported(wanted)) {
        error = std::string("MYELIN_ISA=") + env + " but this CPU (or this build) does not support it";
      } else {
        active = wanted;
      }
    }
  }
};

const Tables& tables() {
  static const Tables t;
  return t;
}

thread_local const KernelTable* t_override = nullptr;

}  // namespace

Isa best_isa() {
  if (isa_supported(Isa::Avx512Bf16)) return Isa::Avx512Bf16;
  if (isa_supported(Isa::Avx512)) return Isa::Avx512;
  if (isa_supported(Isa::Avx2Vnni)) return Isa::Avx2Vnni;
  if (isa_supported(Isa::Avx2)) return Isa::Avx2;
  if (isa_supported(Isa::Neon)) return Isa::Neon;
  return Isa::Scalar;
}

const KernelTable& kernels_for(Isa isa) { return tables().table[static_cast<int>(isa)]; }

Isa active_isa() { return t_override ? t_override->isa : tables().active; }

const KernelTable& active_kernels() {
  return t_override ? *t_override : tables().table[static_cast<int>(tables().active)];
}

const char* dispatch_error() { return tables().error.c_str(); }

void set_thread_isa_override(const Isa* isa) { t_override = isa ? &kernels_for(*isa) : nullptr; }

}  // namespace myelin
