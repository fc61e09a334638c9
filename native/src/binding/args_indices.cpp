// The index readers of Args: kept apart from args.cpp because their copies of shared indices
// use the core's scratch allocator, which the distributed module (built from args.cpp and
// checks.cpp, without the core) does not link.
#include <cstring>
#include <string>

#include "binding/args.h"

namespace myelin::binding {

namespace {
std::string num(int64_t v) { return std::to_string(v); }
}  // namespace

const int32_t* Args::stable_indices(const Napi::Value& v, const char* param, int64_t count, bool at_least,
                                    Scratch<int32_t>* copy, I32Array* array) const {
  const I32Array a = i32(v, param);
  if (at_least ? a.length < count : a.length != count)
    range_error(where(param) + " must hold " + (at_least ? "at least " : "") + num(count) + " indices, got " +
                num(a.length));
  if (array) *array = a;
  if (!a.shared || count == 0) return a.data;
  *copy = Scratch<int32_t>(count);
  std::memcpy(copy->get(), a.data, static_cast<size_t>(count) * sizeof(int32_t));
  return copy->get();
}

const int32_t* Args::indices(const Napi::Value& v, const char* param, int64_t count, int64_t lo, int64_t hi,
                             Scratch<int32_t>* copy, I32Array* array) const {
  const int32_t* data = stable_indices(v, param, count, false, copy, array);
  const int64_t bad = checks::first_outside(data, count, lo, hi, checks::kNoException);
  if (bad >= 0)
    range_error(std::string(fn_) + ": " + param + "[" + num(bad) + "] = " + num(data[bad]) + " is outside [" + num(lo) +
                ", " + num(hi) + ")");
  return data;
}

}  // namespace myelin::binding
