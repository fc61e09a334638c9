// The addon's export tables. Each binding family (bind_<family>.cpp) lists its own functions in
// one table: the JS name, the C++ function and its arity (the fewest arguments it takes). The
// addon registers the tables' concatenation (addon.cpp), checks the arity before a call, and
// names the function in every error; bindingInfo() hands the tables to the tests, which check
// them against lib/native.ts.
#pragma once
#include <napi.h>

#include <cstddef>
#include <vector>

namespace myelin::binding {

using BindFn = Napi::Value (*)(const Napi::CallbackInfo&);

struct Export {
  const char* name;
  BindFn fn;
  int arity;
};

struct ExportList {
  const Export* entries;
  size_t count;
};

template <size_t N>
constexpr ExportList export_list(const Export (&entries)[N]) {
  return ExportList{entries, N};
}

// The families, each defined in its bind_<family>.cpp.
ExportList runtime_exports();
ExportList elementwise_exports();
ExportList reduce_exports();
ExportList gemm_exports();
ExportList lowp_exports();
ExportList softmax_exports();
ExportList rnn_exports();
ExportList optim_exports();
ExportList conv_exports();
ExportList pool_exports();
ExportList resample_exports();
ExportList norm_exports();
ExportList limits_exports();

// Every family's table, and every export, family after family (addon.cpp).
std::vector<ExportList> families();
std::vector<Export> all_exports();

// The entry of the function being called (what Args reads its name from).
inline const Export& current_export(const Napi::CallbackInfo& info) { return *static_cast<const Export*>(info.Data()); }

}  // namespace myelin::binding
