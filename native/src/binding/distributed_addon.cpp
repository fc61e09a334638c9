// The export table of the distributed module, a second addon beside the core one: it links
// Gloo, so the core addon keeps no run-time dependency beyond glibc, and it is loaded only when
// the distributed API is first used. Context-aware; it keeps no per-environment state.
#include <napi.h>

#include "binding/distributed_bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("ProcessGroup", myelin::binding::process_group_class(env));
  exports.Set("version", Napi::String::New(env, MYELIN_VERSION));
  return exports;
}

}  // namespace

NODE_API_MODULE(myelin_distributed, Init)
