// Every function the addon exports, one per line; addon.cpp turns this list into the exports.
#pragma once
#include <napi.h>

namespace myelin::binding {

// bind_runtime.cpp
Napi::Value backend_info(const Napi::CallbackInfo& info);
Napi::Value get_num_threads(const Napi::CallbackInfo& info);
Napi::Value set_num_threads(const Napi::CallbackInfo& info);
Napi::Value get_deterministic_algorithms(const Napi::CallbackInfo& info);
Napi::Value set_deterministic_algorithms(const Napi::CallbackInfo& info);
Napi::Value set_isa_for_testing(const Napi::CallbackInfo& info);
Napi::Value set_conv_algorithm_for_testing(const Napi::CallbackInfo& info);
Napi::Value fail_scratch_for_testing(const Napi::CallbackInfo& info);

// bind_elementwise.cpp
Napi::Value binary(const Napi::CallbackInfo& info);
Napi::Value unary(const Napi::CallbackInfo& info);

// bind_reduce.cpp
Napi::Value reduce(const Napi::CallbackInfo& info);
Napi::Value arg_reduce(const Napi::CallbackInfo& info);

// bind_gemm.cpp
Napi::Value gemm(const Napi::CallbackInfo& info);
Napi::Value gemm_batched(const Napi::CallbackInfo& info);

// bind_rnn.cpp
Napi::Value rnn_cell(const Napi::CallbackInfo& info);

// bind_softmax.cpp
Napi::Value softmax(const Napi::CallbackInfo& info);
Napi::Value logsumexp(const Napi::CallbackInfo& info);
Napi::Value cross_entropy(const Napi::CallbackInfo& info);
Napi::Value cross_entropy_backward(const Napi::CallbackInfo& info);

// bind_optim.cpp
Napi::Value sgd_step(const Napi::CallbackInfo& info);
Napi::Value adam_step(const Napi::CallbackInfo& info);
Napi::Value rmsprop_step(const Napi::CallbackInfo& info);
Napi::Value adagrad_step(const Napi::CallbackInfo& info);

// bind_conv.cpp
Napi::Value conv2d(const Napi::CallbackInfo& info);
Napi::Value conv2d_backward_input(const Napi::CallbackInfo& info);
Napi::Value conv2d_backward_weight(const Napi::CallbackInfo& info);
Napi::Value pool2d(const Napi::CallbackInfo& info);
Napi::Value pool2d_backward(const Napi::CallbackInfo& info);

// bind_resample.cpp
Napi::Value resample2d(const Napi::CallbackInfo& info);
Napi::Value resample2d_backward(const Napi::CallbackInfo& info);

// bind_norm.cpp
Napi::Value batch_norm(const Napi::CallbackInfo& info);
Napi::Value batch_norm_backward(const Napi::CallbackInfo& info);
Napi::Value layer_norm(const Napi::CallbackInfo& info);
Napi::Value layer_norm_backward(const Napi::CallbackInfo& info);
Napi::Value group_norm(const Napi::CallbackInfo& info);
Napi::Value group_norm_backward(const Napi::CallbackInfo& info);

}  // namespace myelin::binding
