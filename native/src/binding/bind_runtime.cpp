// Runtime facts and controls: ISA, threads, version.
#include <cstdlib>
#include <string>

#include "binding/args.h"
#include "binding/exports.h"
#include "binding/op_codes.h"
#include "kernels/conv/conv.h"
#include "runtime/kernel_table.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

#ifndef MYELIN_VERSION
#define MYELIN_VERSION "0.0.0"
#endif

namespace myelin::binding {

namespace {

Napi::Value backend_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("version", MYELIN_VERSION);
  out.Set("isa", isa_name(active_isa()));
  Napi::Array supported = Napi::Array::New(env);
  uint32_t n = 0;
  for (int i = 0; i < kNumIsas; ++i)
    if (isa_supported(static_cast<Isa>(i))) supported.Set(n++, isa_name(static_cast<Isa>(i)));
  out.Set("supportedIsas", supported);
  out.Set("bestIsa", isa_name(best_isa()));
  // The reduced-precision GEMM kernels the active ISA runs (or "... via fp32 sgemm").
  Napi::Object gemms = Napi::Object::New(env);
  gemms.Set("bf16", active_kernels().gemm_bf16.name);
  gemms.Set("int8", active_kernels().gemm_s8.name);
  out.Set("lowpGemm", gemms);
  const CpuIdentity& id = cpu_identity();
  const char* model_name = cpu_model_name(id);
  Napi::Object cpu = Napi::Object::New(env);
  cpu.Set("vendor", id.vendor);
  cpu.Set("family", id.family);
  cpu.Set("model", id.model);
  cpu.Set("name", model_name ? model_name : "unknown");
  Napi::Object caches = Napi::Object::New(env);
  caches.Set("l1d", static_cast<double>(id.l1d));
  caches.Set("l2", static_cast<double>(id.l2));
  caches.Set("l3", static_cast<double>(id.l3));
  caches.Set("source", id.cache_source);
  cpu.Set("caches", caches);
  out.Set("cpu", cpu);
  const GemmKernels& g = active_kernels().gemm;
  Napi::Object gemm = Napi::Object::New(env);
  gemm.Set("kernel", g.name);
  gemm.Set("mr", g.mr);
  gemm.Set("nr", g.nr);
  gemm.Set("kc", g.kc);
  gemm.Set("mc", g.mc);
  gemm.Set("nc", g.nc);
  gemm.Set("blocking", gemm_blocking_source_name(active_kernels().gemm_blocking));
  // Which way threads split a square C (gemm_blocking.h's choose_grid): the operand kept in L3.
  gemm.Set("tieSplit", g.loops == GemmLoops::AInL1 ? "rows" : "columns");
  out.Set("gemm", gemm);
  out.Set("threads", num_threads());
  out.Set("napiVersion", NAPI_VERSION);
#if defined(__x86_64__)
  out.Set("arch", "x64");
#elif defined(__aarch64__)
  out.Set("arch", "arm64");
#else
  out.Set("arch", "other");
#endif
  return out;
}

Napi::Value get_num_threads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), num_threads()); }

Napi::Value set_num_threads(const Napi::CallbackInfo& info) {
  Args args(info);
  ::myelin::set_num_threads(static_cast<int>(args.integer(0, "n", 1, kMaxThreads)));
  return info.Env().Undefined();
}

Napi::Value get_deterministic_algorithms(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), deterministic_algorithms());
}

// Process-wide, like the pool: every JS thread's kernels plan their splits the same way.
Napi::Value set_deterministic_algorithms(const Napi::CallbackInfo& info) {
  Args args(info);
  ::myelin::set_deterministic_algorithms(args.boolean(0, "mode"));
  return info.Env().Undefined();
}

// setIsaForTesting(name | null): the calling JS thread runs that ISA's kernels until reset.
Napi::Value set_isa_for_testing(const Napi::CallbackInfo& info) {
  Args args(info);
  if (info[0].IsNull() || info[0].IsUndefined()) {
    set_thread_isa_override(nullptr);
    return info.Env().Undefined();
  }
  const std::string name = args.string(0, "isa");
  Isa isa;
  if (!parse_isa(name, &isa))
    args.range_error("setIsaForTesting: argument 'isa' must be one of " + isa_names() + ", got '" + name + "'");
  if (!isa_supported(isa))
    args.range_error("setIsaForTesting: this CPU (or this build) does not support isa '" + name + "'");
  set_thread_isa_override(&isa);
  return info.Env().Undefined();
}

// setConvAlgorithmForTesting('auto' | 'im2col' | 'winograd'): which algorithms the convolutions
// may use, for the whole process (tests compare Winograd with im2col + GEMM; 'winograd' takes it
// for every 3x3 stride-1 ungrouped shape, however small).
Napi::Value set_conv_algorithm_for_testing(const Napi::CallbackInfo& info) {
  Args args(info);
  const std::string name = args.string(0, "algorithm");
  if (name != "auto" && name != "im2col" && name != "winograd")
    args.range_error("setConvAlgorithmForTesting: argument 'algorithm' must be 'auto', 'im2col' or 'winograd', got '" +
                     name + "'");
  set_conv_algorithm(name == "auto" ? 0 : name == "im2col" ? 1 : 2);
  return info.Env().Undefined();
}

// failScratchForTesting(nth, minShare): the nth scratch request from now on (1-based; 0 turns the
// hook off) made while running share minShare or a later one of a parallel region (any request
// when minShare is 0) fails as if memory were exhausted. For the tests of every kernel family's
// allocation failures, on the calling thread and on the pool's workers.
Napi::Value fail_scratch_for_testing(const Napi::CallbackInfo& info) {
  Args args(info);
  const int64_t nth = args.integer(0, "nth", 0, int64_t{1} << 31);
  const int min_share = static_cast<int>(args.integer(1, "minShare", 0, kMaxThreads - 1));
  ::myelin::fail_scratch_for_testing(nth, min_share);
  return info.Env().Undefined();
}

// gemmBlockingForTesting(mr, nr, aInL1, l1d, l2, l3): the blocking the cache-size rule gives a
// tile and loop order on made-up caches (bytes), for the test of the rule on any machine.
Napi::Value gemm_blocking_for_testing(const Napi::CallbackInfo& info) {
  Args args(info);
  const int mr = static_cast<int>(args.integer(0, "mr", 1, 64));
  const int nr = static_cast<int>(args.integer(1, "nr", 1, 256));
  const GemmLoops loops = args.boolean(2, "aInL1") ? GemmLoops::AInL1 : GemmLoops::BInL1;
  const int64_t l1d = args.integer(3, "l1d", 1, int64_t{1} << 40);
  const int64_t l2 = args.integer(4, "l2", 1, int64_t{1} << 40);
  const int64_t l3 = args.integer(5, "l3", 1, int64_t{1} << 40);
  const GemmBlocking b = gemm_blocking_from_caches(mr, nr, loops, l1d, l2, l3);
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("kc", b.kc);
  out.Set("mc", b.mc);
  out.Set("nc", b.nc);
  return out;
}

template <class E>
void add_op_codes(Napi::Env env, Napi::Object tables) {
  Napi::Array names = Napi::Array::New(env, op_count<E>());
  for (int i = 0; i < op_count<E>(); ++i) names.Set(i, OpCodes<E>::names[i]);
  tables.Set(OpCodes<E>::table, names);
}

// bindingInfo(): { functions: [[name, arity], ...], opCodes: { BinaryOp: [names...], ... } }, the
// export tables and op-code tables as the addon has them, for the test that checks
// lib/native.ts against them.
Napi::Value binding_info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  const std::vector<Export> all = all_exports();
  Napi::Array functions = Napi::Array::New(env, all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    Napi::Array entry = Napi::Array::New(env, 2);
    entry.Set(0u, all[i].name);
    entry.Set(1u, all[i].arity);
    functions.Set(static_cast<uint32_t>(i), entry);
  }
  out.Set("functions", functions);
  Napi::Object tables = Napi::Object::New(env);
  add_op_codes<BinaryOp>(env, tables);
  add_op_codes<UnaryOp>(env, tables);
  add_op_codes<ReduceOp>(env, tables);
  add_op_codes<ArgReduceOp>(env, tables);
  add_op_codes<RnnOp>(env, tables);
  add_op_codes<SoftmaxOp>(env, tables);
  add_op_codes<PoolOp>(env, tables);
  out.Set("opCodes", tables);
  return out;
}

constexpr Export kExports[] = {
    {"backendInfo", backend_info, 0},
    {"bindingInfo", binding_info, 0},
    {"getNumThreads", get_num_threads, 0},
    {"setNumThreads", set_num_threads, 1},
    {"getDeterministicAlgorithms", get_deterministic_algorithms, 0},
    {"setDeterministicAlgorithms", set_deterministic_algorithms, 1},
    {"setIsaForTesting", set_isa_for_testing, 1},
    {"setConvAlgorithmForTesting", set_conv_algorithm_for_testing, 1},
    {"failScratchForTesting", fail_scratch_for_testing, 2},
    {"gemmBlockingForTesting", gemm_blocking_for_testing, 6},
};

}  // namespace

ExportList runtime_exports() { return export_list(kExports); }

}  // namespace myelin::binding
