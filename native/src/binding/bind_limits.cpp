// The machine-limit loops (utils.benchmark.limits): the FMA peak and the STREAM triad, timed on
// the pool's threads with the calling JS thread's kernel table.
#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/limits/limits.h"
#include "runtime/kernel_table.h"
#include "runtime/threadpool.h"

namespace myelin::binding {

namespace {

// fmaPeakRun(threads, iters) -> { seconds, flops }: `threads` shares each running `iters`
// iterations of the dispatched ISA's multiply-add chains. iters is at most 2^26: a fraction of a
// second on every ISA (a caller wanting longer runs calls again), so no call holds the pool long.
Napi::Value fma_peak_run(const Napi::CallbackInfo& info) {
  Args args(info);
  const int threads = static_cast<int>(args.integer(0, "threads", 1, kMaxThreads));
  const int64_t iters = args.integer(1, "iters", 1, int64_t{1} << 26);
  double flops = 0;
  const double seconds = ::myelin::fma_peak_run(active_kernels(), threads, iters, &flops);
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("seconds", seconds);
  out.Set("flops", flops);
  return out;
}

// triadRun(threads, a, b, c) -> seconds of one pass a[i] = b[i] + 3 c[i], split in `threads`
// contiguous shares; b and c as long as a, a sharing no byte with either.
Napi::Value triad_run(const Napi::CallbackInfo& info) {
  Args args(info);
  const int threads = static_cast<int>(args.integer(0, "threads", 1, kMaxThreads));
  const F32Array a = args.f32(1, "a");
  const F32Array b = args.f32_exact(2, "b", {a.length});
  const F32Array c = args.f32_exact(3, "c", {a.length});
  check_disjoint(args, "a", a, "b", b);
  check_disjoint(args, "a", a, "c", c);
  return Napi::Number::New(info.Env(),
                           ::myelin::triad_run(active_kernels(), threads, a.data, b.data, c.data, a.length));
}

constexpr Export kExports[] = {{"fmaPeakRun", fma_peak_run, 2}, {"triadRun", triad_run, 4}};

}  // namespace

ExportList limits_exports() { return export_list(kExports); }

}  // namespace myelin::binding
