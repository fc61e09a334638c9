// Batch, layer and group normalisation over whole contiguous Float32Arrays: checks, then the core.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "binding/args.h"
#include "binding/bindings.h"
#include "kernels/norm/norm.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

constexpr int64_t kMaxDim = (int64_t{1} << 31) - 1;
constexpr double kMaxSafe = 9007199254740991.0;

using Named = std::pair<const char*, F32Array>;

// dims: named sizes (Args::named_ints) whose product is a safe integer.
std::vector<int64_t> dims_arg(const Args& args, size_t i, const std::vector<const char*>& names,
                              const std::vector<int64_t>& min) {
  const std::vector<int64_t> out = args.named_ints(i, "dims", names, min);
  const std::string where = std::string(args.fn()) + ": argument 'dims'";
  double numel = 1;
  for (const int64_t x : out) numel *= static_cast<double>(x);
  if (numel > kMaxSafe) args.range_error(where + ": " + format_shape(out) + " has too many elements");
  return out;
}

// A whole Float32Array of exactly `count` floats; `what` describes its shape in errors.
F32Array exact(const Args& args, size_t i, const char* param, int64_t count, const std::string& what) {
  const F32Array a = args.f32_array(i, param);
  if (a.length != count)
    args.range_error(std::string(args.fn()) + ": argument '" + param + "' must hold " + what + " = " +
                     std::to_string(count) + " floats, got " + std::to_string(a.length));
  return a;
}

// Like exact, or nullptr-data when the argument is null.
F32Array optional(const Args& args, size_t i, const char* param, int64_t count, const std::string& what) {
  if (args.is_null(i)) return F32Array{nullptr, 0, Napi::Value(), 0};
  return exact(args, i, param, count, what);
}

bool present(const Named& a) { return !a.second.buffer.IsEmpty(); }

// No output may share memory with an input or with another output.
void check_outputs(const Args& args, const std::vector<Named>& outs, const std::vector<Named>& ins) {
  for (size_t o = 0; o < outs.size(); ++o) {
    if (!present(outs[o])) continue;
    const StridedF32 ov = whole_view(outs[o].second);
    for (const Named& in : ins)
      if (present(in))
        check_disjoint(args, outs[o].first, ov, {outs[o].second.length}, in.first, whole_view(in.second),
                       {in.second.length});
    for (size_t p = o + 1; p < outs.size(); ++p)
      if (present(outs[p]))
        check_disjoint(args, outs[o].first, ov, {outs[o].second.length}, outs[p].first, whole_view(outs[p].second),
                       {outs[p].second.length});
  }
}

float eps_arg(const Args& args, size_t i) {
  const double eps = args.number(i, "eps");
  if (!(eps >= 0.0) || !std::isfinite(eps))
    args.range_error(std::string(args.fn()) + ": eps must be a finite number >= 0, got " + std::to_string(eps));
  return static_cast<float>(eps);
}

std::string shape_text(std::initializer_list<int64_t> s) { return format_shape(std::vector<int64_t>(s)); }

float* ptr(const F32Array& a) { return a.buffer.IsEmpty() ? nullptr : a.data; }

}  // namespace

// batchNorm(dims [n, c, s], x, weight|null, bias|null, training, momentum, eps,
//           runningMean|null, runningVar|null, saveMean, saveInvstd, y)
Napi::Value batch_norm(const Napi::CallbackInfo& info) {
  Args args(info, "batchNorm", 12);
  const std::vector<int64_t> d = dims_arg(args, 0, {"n", "c", "s"}, {0, 1, 1});
  const int64_t N = d[0], C = d[1], S = d[2];
  const std::string xs = format_shape(d), cs = shape_text({C});
  const bool training = args.boolean(4, "training");
  const double momentum = args.number(5, "momentum");
  if (!std::isfinite(momentum))
    args.range_error("batchNorm: momentum must be a finite number, got " + std::to_string(momentum));
  const float eps = eps_arg(args, 6);
  if (args.is_null(7) != args.is_null(8))
    args.type_error("batchNorm: runningMean and runningVar must both be Float32Arrays or both be null");
  if (!training && args.is_null(7))
    args.type_error("batchNorm: runningMean and runningVar are required when training is false");
  if (training && N * S <= 1)
    args.range_error("batchNorm: expected more than 1 value per channel when training, got dims " + xs);
  const Named x{"x", exact(args, 1, "x", N * C * S, xs)};
  const Named w{"weight", optional(args, 2, "weight", C, cs)};
  const Named b{"bias", optional(args, 3, "bias", C, cs)};
  const Named rm{"runningMean", optional(args, 7, "runningMean", C, cs)};
  const Named rv{"runningVar", optional(args, 8, "runningVar", C, cs)};
  const Named sm{"saveMean", exact(args, 9, "saveMean", C, cs)};
  const Named si{"saveInvstd", exact(args, 10, "saveInvstd", C, cs)};
  const Named y{"y", exact(args, 11, "y", N * C * S, xs)};
  // The running statistics are read and written: outputs, disjoint from everything else.
  check_outputs(args, {rm, rv, sm, si, y}, {x, w, b});
  BatchNormForwardArgs a{N,
                         C,
                         S,
                         x.second.data,
                         ptr(w.second),
                         ptr(b.second),
                         training,
                         static_cast<float>(momentum),
                         eps,
                         ptr(rm.second),
                         ptr(rv.second),
                         sm.second.data,
                         si.second.data,
                         y.second.data};
  batch_norm_forward(active_kernels(), a);
  return info.Env().Undefined();
}

// batchNormBackward(dims [n, c, s], x, dy, weight|null, saveMean, saveInvstd, training,
//                   dx|null, dweight|null, dbias|null)
Napi::Value batch_norm_backward(const Napi::CallbackInfo& info) {
  Args args(info, "batchNormBackward", 10);
  const std::vector<int64_t> d = dims_arg(args, 0, {"n", "c", "s"}, {0, 1, 1});
  const int64_t N = d[0], C = d[1], S = d[2];
  const std::string xs = format_shape(d), cs = shape_text({C});
  const bool training = args.boolean(6, "training");
  const Named x{"x", exact(args, 1, "x", N * C * S, xs)};
  const Named dy{"dy", exact(args, 2, "dy", N * C * S, xs)};
  const Named w{"weight", optional(args, 3, "weight", C, cs)};
  const Named sm{"saveMean", exact(args, 4, "saveMean", C, cs)};
  const Named si{"saveInvstd", exact(args, 5, "saveInvstd", C, cs)};
  const Named dx{"dx", optional(args, 7, "dx", N * C * S, xs)};
  const Named dw{"dweight", optional(args, 8, "dweight", C, cs)};
  const Named db{"dbias", optional(args, 9, "dbias", C, cs)};
  check_outputs(args, {dx, dw, db}, {x, dy, w, sm, si});
  BatchNormBackwardArgs a{N,
                          C,
                          S,
                          x.second.data,
                          dy.second.data,
                          ptr(w.second),
                          sm.second.data,
                          si.second.data,
                          training,
                          ptr(dx.second),
                          ptr(dw.second),
                          ptr(db.second)};
  ::myelin::batch_norm_backward(active_kernels(), a);
  return info.Env().Undefined();
}

// layerNorm(dims [rows, d], x, weight|null, bias|null, eps, mean, invstd, y)
Napi::Value layer_norm(const Napi::CallbackInfo& info) {
  Args args(info, "layerNorm", 8);
  const std::vector<int64_t> d = dims_arg(args, 0, {"rows", "d"}, {0, 1});
  const int64_t R = d[0], D = d[1];
  const std::string xs = format_shape(d), ds = shape_text({D}), rs = shape_text({R});
  const float eps = eps_arg(args, 4);
  const Named x{"x", exact(args, 1, "x", R * D, xs)};
  const Named w{"weight", optional(args, 2, "weight", D, ds)};
  const Named b{"bias", optional(args, 3, "bias", D, ds)};
  const Named m{"mean", exact(args, 5, "mean", R, rs)};
  const Named is{"invstd", exact(args, 6, "invstd", R, rs)};
  const Named y{"y", exact(args, 7, "y", R * D, xs)};
  check_outputs(args, {m, is, y}, {x, w, b});
  layer_norm_forward(active_kernels(), R, D, x.second.data, ptr(w.second), ptr(b.second), eps, m.second.data,
                     is.second.data, y.second.data);
  return info.Env().Undefined();
}

// layerNormBackward(dims [rows, d], x, dy, weight|null, mean, invstd, dx|null, dweight|null,
//                   dbias|null)
Napi::Value layer_norm_backward(const Napi::CallbackInfo& info) {
  Args args(info, "layerNormBackward", 9);
  const std::vector<int64_t> d = dims_arg(args, 0, {"rows", "d"}, {0, 1});
  const int64_t R = d[0], D = d[1];
  const std::string xs = format_shape(d), ds = shape_text({D}), rs = shape_text({R});
  const Named x{"x", exact(args, 1, "x", R * D, xs)};
  const Named dy{"dy", exact(args, 2, "dy", R * D, xs)};
  const Named w{"weight", optional(args, 3, "weight", D, ds)};
  const Named m{"mean", exact(args, 4, "mean", R, rs)};
  const Named is{"invstd", exact(args, 5, "invstd", R, rs)};
  const Named dx{"dx", optional(args, 6, "dx", R * D, xs)};
  const Named dw{"dweight", optional(args, 7, "dweight", D, ds)};
  const Named db{"dbias", optional(args, 8, "dbias", D, ds)};
  check_outputs(args, {dx, dw, db}, {x, dy, w, m, is});
  ::myelin::layer_norm_backward(active_kernels(), R, D, x.second.data, dy.second.data, ptr(w.second), m.second.data,
                                is.second.data, ptr(dx.second), ptr(dw.second), ptr(db.second));
  return info.Env().Undefined();
}

namespace {

GroupNormArgs group_dims(const Args& args) {
  const std::vector<int64_t> d = dims_arg(args, 0, {"n", "c", "s", "groups"}, {0, 1, 1, 1});
  if (d[1] % d[3] != 0)
    args.range_error(std::string(args.fn()) + ": groups " + std::to_string(d[3]) + " must divide the channels c " +
                     std::to_string(d[1]));
  return GroupNormArgs{d[0], d[1], d[2], d[3], nullptr, nullptr};
}

}  // namespace

// groupNorm(dims [n, c, s, groups], x, weight|null, bias|null, eps, mean, invstd, y)
Napi::Value group_norm(const Napi::CallbackInfo& info) {
  Args args(info, "groupNorm", 8);
  GroupNormArgs a = group_dims(args);
  const std::string xs = shape_text({a.n, a.c, a.s}), cs = shape_text({a.c}), gs = shape_text({a.n, a.groups});
  const float eps = eps_arg(args, 4);
  const Named x{"x", exact(args, 1, "x", a.n * a.c * a.s, xs)};
  const Named w{"weight", optional(args, 2, "weight", a.c, cs)};
  const Named b{"bias", optional(args, 3, "bias", a.c, cs)};
  const Named m{"mean", exact(args, 5, "mean", a.n * a.groups, gs)};
  const Named is{"invstd", exact(args, 6, "invstd", a.n * a.groups, gs)};
  const Named y{"y", exact(args, 7, "y", a.n * a.c * a.s, xs)};
  check_outputs(args, {m, is, y}, {x, w, b});
  a.x = x.second.data;
  a.weight = ptr(w.second);
  group_norm_forward(active_kernels(), a, ptr(b.second), eps, m.second.data, is.second.data, y.second.data);
  return info.Env().Undefined();
}

// groupNormBackward(dims [n, c, s, groups], x, dy, weight|null, mean, invstd, dx|null,
//                   dweight|null, dbias|null)
Napi::Value group_norm_backward(const Napi::CallbackInfo& info) {
  Args args(info, "groupNormBackward", 9);
  GroupNormArgs a = group_dims(args);
  const std::string xs = shape_text({a.n, a.c, a.s}), cs = shape_text({a.c}), gs = shape_text({a.n, a.groups});
  const Named x{"x", exact(args, 1, "x", a.n * a.c * a.s, xs)};
  const Named dy{"dy", exact(args, 2, "dy", a.n * a.c * a.s, xs)};
  const Named w{"weight", optional(args, 3, "weight", a.c, cs)};
  const Named m{"mean", exact(args, 4, "mean", a.n * a.groups, gs)};
  const Named is{"invstd", exact(args, 5, "invstd", a.n * a.groups, gs)};
  const Named dx{"dx", optional(args, 6, "dx", a.n * a.c * a.s, xs)};
  const Named dw{"dweight", optional(args, 7, "dweight", a.c, cs)};
  const Named db{"dbias", optional(args, 8, "dbias", a.c, cs)};
  check_outputs(args, {dx, dw, db}, {x, dy, w, m, is});
  a.x = x.second.data;
  a.weight = ptr(w.second);
  ::myelin::group_norm_backward(active_kernels(), a, dy.second.data, m.second.data, is.second.data, ptr(dx.second),
                                ptr(dw.second), ptr(db.second));
  return info.Env().Undefined();
}

}  // namespace myelin::binding
