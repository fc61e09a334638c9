// The addon's export table. Context-aware (NAPI_MODULE_INIT): loads in the main thread and in
// any number of worker_threads; it keeps no per-environment state.
#include <napi.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "binding/bindings.h"
#include "runtime/kernel_table.h"
#include "runtime/malloc_tuning.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace {

using Fn = Napi::Value (*)(const Napi::CallbackInfo&);
struct Export {
  const char* name;
  Fn fn;
};

constexpr Export kExports[] = {
    {"backendInfo", myelin::binding::backend_info},
    {"getNumThreads", myelin::binding::get_num_threads},
    {"setNumThreads", myelin::binding::set_num_threads},
    {"getDeterministicAlgorithms", myelin::binding::get_deterministic_algorithms},
    {"setDeterministicAlgorithms", myelin::binding::set_deterministic_algorithms},
    {"setIsaForTesting", myelin::binding::set_isa_for_testing},
    {"setConvAlgorithmForTesting", myelin::binding::set_conv_algorithm_for_testing},
    {"failScratchForTesting", myelin::binding::fail_scratch_for_testing},
    {"binary", myelin::binding::binary},
    {"unary", myelin::binding::unary},
    {"reduce", myelin::binding::reduce},
    {"argReduce", myelin::binding::arg_reduce},
    {"gemm", myelin::binding::gemm},
    {"softmax", myelin::binding::softmax},
    {"rnnCell", myelin::binding::rnn_cell},
    {"logsumexp", myelin::binding::logsumexp},
    {"crossEntropy", myelin::binding::cross_entropy},
    {"crossEntropyBackward", myelin::binding::cross_entropy_backward},
    {"gemmBatched", myelin::binding::gemm_batched},
    {"conv2d", myelin::binding::conv2d},
    {"conv2dBackwardInput", myelin::binding::conv2d_backward_input},
    {"conv2dBackwardWeight", myelin::binding::conv2d_backward_weight},
    {"pool2d", myelin::binding::pool2d},
    {"pool2dBackward", myelin::binding::pool2d_backward},
    {"resample2d", myelin::binding::resample2d},
    {"resample2dBackward", myelin::binding::resample2d_backward},
    {"batchNorm", myelin::binding::batch_norm},
    {"batchNormBackward", myelin::binding::batch_norm_backward},
    {"layerNorm", myelin::binding::layer_norm},
    {"layerNormBackward", myelin::binding::layer_norm_backward},
    {"groupNorm", myelin::binding::group_norm},
    {"groupNormBackward", myelin::binding::group_norm_backward},
    {"sgdStep", myelin::binding::sgd_step},
    {"adamStep", myelin::binding::adam_step},
    {"rmspropStep", myelin::binding::rmsprop_step},
    {"adagradStep", myelin::binding::adagrad_step},
};

// "8.0 GiB", "512.0 KiB", "12 bytes".
std::string format_bytes(double bytes) {
  static const char* const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  if (!(bytes >= 1024)) return std::to_string(static_cast<long long>(bytes > 0 ? bytes : 0)) + " bytes";
  int u = 0;
  bytes /= 1024;
  while (bytes >= 1024 && u < 5) {
    bytes /= 1024;
    ++u;
  }
  char buf[64];
  snprintf(buf, sizeof buf, "%.1f %s", bytes, units[u]);
  return buf;
}

Napi::Error named_error(Napi::Env env, const char* fn, const std::string& what, const char* code) {
  Napi::Error e = Napi::Error::New(env, std::string(fn) + ": " + what);
  e.Set("code", Napi::String::New(env, code));
  return e;
}

// Every export runs through here: a C++ exception from the core (an allocation failure on any
// thread of the pool, rethrown on this one) becomes a JS Error naming the function, instead of
// node-addon-api's generic message. The binding's own Napi::Errors pass through unchanged.
Napi::Value guarded(const Napi::CallbackInfo& info) {
  const Export* e = static_cast<const Export*>(info.Data());
  try {
    return e->fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const myelin::ScratchError& err) {
    // A size of 0: the test hook failed a share of a kernel that allocates nothing.
    throw named_error(
        info.Env(), e->name,
        err.bytes() > 0 ? "cannot allocate " + format_bytes(err.bytes()) + " of scratch" : "out of memory",
        "ERR_MYELIN_OUT_OF_MEMORY");
  } catch (const std::bad_alloc&) {
    throw named_error(info.Env(), e->name, "out of memory", "ERR_MYELIN_OUT_OF_MEMORY");
  } catch (const std::exception& err) {
    throw named_error(info.Env(), e->name, err.what(), "ERR_MYELIN_NATIVE");
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const char* error = myelin::dispatch_error();
  if (*error) throw Napi::Error::New(env, std::string("myelin: ") + error);
  const char* threads_error = myelin::threads_env_error();
  if (*threads_error) throw Napi::Error::New(env, std::string("myelin: ") + threads_error);
  myelin::tune_malloc_for_tensors();
  myelin::trim_malloc_at_thread_exit();
  for (const Export& e : kExports)
    exports.Set(e.name, Napi::Function::New(env, guarded, e.name, const_cast<Export*>(&e)));
  return exports;
}

}  // namespace

NODE_API_MODULE(myelin, Init)
