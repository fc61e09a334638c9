// The loop the native kernel tests run their checks in: each kernel table this CPU supports, at
// 1 and 2 threads, with a line of "ok" or "FAILED" for each, and the summary that ends main().
#pragma once

#include <cstdio>
#include <string>

#include "native_test.h"
#include "runtime/cpu_features.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin_test {

// check(isa, table) for each ISA this CPU supports, the scalar table too unless `skip_scalar`
// (where it is the reference the others are compared with); returns how many ran.
template <typename F>
int for_each_isa(bool skip_scalar, F&& check) {
  int tested = 0;
  for (int i = 0; i < myelin::kNumIsas; ++i) {
    const auto isa = static_cast<myelin::Isa>(i);
    if ((skip_scalar && isa == myelin::Isa::Scalar) || !myelin::isa_supported(isa)) continue;
    check(isa, myelin::kernels_for(isa));
    ++tested;
  }
  return tested;
}

// check() at 1 and 2 threads, each run followed by "<what> at N thread(s): ok" (or FAILED).
template <typename F>
void at_1_and_2_threads(const std::string& what, F&& check) {
  for (int threads : {1, 2}) {
    myelin::set_num_threads(threads);
    const int before = g_failures;
    check();
    std::printf("%s at %d thread(s): %s\n", what.c_str(), threads, g_failures == before ? "ok" : "FAILED");
  }
}

// The last line of a test ("<tested> <what>: ok" or FAILED) and main's exit status.
inline int finish(int tested, const char* what) {
  std::printf("%d %s: %s\n", tested, what, g_failures ? "FAILED" : "ok");
  return g_failures ? 1 : 0;
}

}  // namespace myelin_test
