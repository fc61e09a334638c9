// The addon's export table. Context-aware (NAPI_MODULE_INIT): loads in the main thread and in
// any number of worker_threads; it keeps no per-environment state.
#include <napi.h>

#include "binding/bindings.h"
#include "runtime/kernel_table.h"

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
    {"binary", myelin::binding::binary},
};

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const char* error = myelin::dispatch_error();
  if (*error) throw Napi::Error::New(env, std::string("myelin: ") + error);
  for (const Export& e : kExports) exports.Set(e.name, Napi::Function::New(env, e.fn, e.name));
  return exports;
}

}  // namespace

NODE_API_MODULE(myelin, Init)
