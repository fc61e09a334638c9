// The addon: the families' export tables concatenated and registered. Context-aware
// (NAPI_MODULE_INIT): loads in the main thread and in any number of worker_threads; it keeps no
// per-environment state.
#include <napi.h>

#include <cstdio>
#include <exception>
#include <new>
#include <string>

#include "binding/exports.h"
#include "runtime/kernel_table.h"
#include "runtime/malloc_tuning.h"
#include "runtime/scratch.h"
#include "runtime/threadpool.h"

namespace myelin::binding {

// Every family's table, in the order the functions are exported.
std::vector<ExportList> families() {
  return {runtime_exports(),  elementwise_exports(), reduce_exports(), gemm_exports(), lowp_exports(),
          softmax_exports(),  rnn_exports(),         optim_exports(),  conv_exports(), pool_exports(),
          resample_exports(), norm_exports(),        limits_exports()};
}

std::vector<Export> all_exports() {
  std::vector<Export> all;
  for (const ExportList& family : families()) all.insert(all.end(), family.entries, family.entries + family.count);
  return all;
}

}  // namespace myelin::binding

namespace {

using myelin::binding::Export;

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

// Every export runs through here: the arity is checked before the call, and a C++ exception
// from the core (an allocation failure on any thread of the pool, rethrown on this one) becomes
// a JS Error naming the function, instead of node-addon-api's generic message. The binding's own
// Napi::Errors pass through unchanged.
Napi::Value guarded(const Napi::CallbackInfo& info) {
  const Export& e = myelin::binding::current_export(info);
  if (info.Length() < static_cast<size_t>(e.arity))
    throw Napi::TypeError::New(info.Env(), std::string(e.name) + ": expected " + std::to_string(e.arity) +
                                               " arguments, got " + std::to_string(info.Length()));
  try {
    return e.fn(info);
  } catch (const Napi::Error&) {
    throw;
  } catch (const myelin::ScratchError& err) {
    // A size of 0: the test hook failed a share of a kernel that allocates nothing.
    throw named_error(
        info.Env(), e.name,
        err.bytes() > 0 ? "cannot allocate " + format_bytes(err.bytes()) + " of scratch" : "out of memory",
        "ERR_MYELIN_OUT_OF_MEMORY");
  } catch (const std::bad_alloc&) {
    throw named_error(info.Env(), e.name, "out of memory", "ERR_MYELIN_OUT_OF_MEMORY");
  } catch (const std::exception& err) {
    throw named_error(info.Env(), e.name, err.what(), "ERR_MYELIN_NATIVE");
  }
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  const char* error = myelin::dispatch_error();
  if (*error) throw Napi::Error::New(env, std::string("myelin: ") + error);
  const char* threads_error = myelin::threads_env_error();
  if (*threads_error) throw Napi::Error::New(env, std::string("myelin: ") + threads_error);
  myelin::tune_malloc_for_tensors();
  myelin::trim_malloc_at_thread_exit();
  // The tables are static: each function's entry outlives every environment.
  for (const myelin::binding::ExportList& family : myelin::binding::families())
    for (size_t i = 0; i < family.count; ++i) {
      const Export& e = family.entries[i];
      exports.Set(e.name, Napi::Function::New(env, guarded, e.name, const_cast<Export*>(&e)));
    }
  return exports;
}

}  // namespace

NODE_API_MODULE(myelin, Init)
