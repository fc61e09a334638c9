// The addon's export table. Context-aware (NAPI_MODULE_INIT): loads in the main thread and in
// any number of worker_threads; it keeps no per-environment state.
#include <napi.h>

#include "binding/bindings.h"
#include "runtime/kernel_table.h"
#include "runtime/malloc_tuning.h"
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
    {"setIsaForTesting", myelin::binding::set_isa_for_testing},
    {"setConvAlgorithmForTesting", myelin::binding::set_conv_algorithm_for_testing},
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

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const char* error = myelin::dispatch_error();
  if (*error) throw Napi::Error::New(env, std::string("myelin: ") + error);
  const char* threads_error = myelin::threads_env_error();
  if (*threads_error) throw Napi::Error::New(env, std::string("myelin: ") + threads_error);
  myelin::tune_malloc_for_tensors();
  for (const Export& e : kExports) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(myelin, Init)
