// Every function the addon exports, one per line; addon.cpp turns this list into the exports.
#pragma once
#include <napi.h>

namespace myelin::binding {

// bind_runtime.cpp
Napi::Value backend_info(const Napi::CallbackInfo& info);
Napi::Value get_num_threads(const Napi::CallbackInfo& info);
Napi::Value set_num_threads(const Napi::CallbackInfo& info);
Napi::Value set_isa_for_testing(const Napi::CallbackInfo& info);

// bind_elementwise.cpp
Napi::Value binary(const Napi::CallbackInfo& info);

}  // namespace myelin::binding
