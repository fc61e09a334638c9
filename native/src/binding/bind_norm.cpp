// Batch, layer and group normalisation over whole contiguous Float32Arrays (layer and group norm:
// or Float64Arrays): checks, then the core.
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "binding/args.h"
#include "binding/exports.h"
#include "kernels/norm/norm.h"
#include "runtime/kernel_table.h"

namespace myelin::binding {

namespace {

template <class T>
using NamedT = std::pair<const char*, TypedArray<T>>;
using Named = NamedT<float>;

template <class T>
bool present(const NamedT<T>& a) {
  return a.second.present();
}

// No output may share memory with an input or with another output.
template <class T>
void check_outputs(const Args& args, const std::vector<NamedT<T>>& outs, const std::vector<NamedT<T>>& ins) {
  for (size_t o = 0; o < outs.size(); ++o) {
    if (!present(outs[o])) continue;
    for (const NamedT<T>& in : ins) check_disjoint(args, outs[o].first, outs[o].second, in.first, in.second);
    for (size_t p = o + 1; p < outs.size(); ++p)
      check_disjoint(args, outs[o].first, outs[o].second, outs[p].first, outs[p].second);
  }
}

double eps_arg(const Args& args, size_t i) {
  const double eps = args.number(i, "eps");
  if (!(eps >= 0.0) || !std::isfinite(eps))
    args.range_error(std::string(args.fn()) + ": eps must be a finite number >= 0, got " + std::to_string(eps));
  return eps;
}

template <class T>
T* ptr(const TypedArray<T>& a) {
  return a.present() ? a.data : nullptr;
}

// batchNorm(dims [n, c, s], x, weight|null, bias|null, training, momentum, eps,
//           runningMean|null, runningVar|null, saveMean, saveInvstd, y)
Napi::Value batch_norm(const Napi::CallbackInfo& info) {
  Args args(info);
  const std::vector<int64_t> d = args.named_sizes(0, "dims", {"n", "c", "s"}, {0, 1, 1});
  const int64_t N = d[0], C = d[1], S = d[2];
  const bool training = args.boolean(4, "training");
  const double momentum = args.number(5, "momentum");
  if (!std::isfinite(momentum))
    args.range_error("batchNorm: momentum must be a finite number, got " + std::to_string(momentum));
  const float eps = static_cast<float>(eps_arg(args, 6));
  if (args.is_null(7) != args.is_null(8))
    args.type_error("batchNorm: runningMean and runningVar must both be Float32Arrays or both be null");
  if (!training && args.is_null(7))
    args.type_error("batchNorm: runningMean and runningVar are required when training is false");
  if (training && N * S <= 1)
    args.range_error("batchNorm: expected more than 1 value per channel when training, got dims " + format_shape(d));
  const Named x{"x", args.f32_exact(1, "x", d)};
  const Named w{"weight", args.f32_optional(2, "weight", {C})};
  const Named b{"bias", args.f32_optional(3, "bias", {C})};
  const Named rm{"runningMean", args.f32_optional(7, "runningMean", {C})};
  const Named rv{"runningVar", args.f32_optional(8, "runningVar", {C})};
  const Named sm{"saveMean", args.f32_exact(9, "saveMean", {C})};
  const Named si{"saveInvstd", args.f32_exact(10, "saveInvstd", {C})};
  const Named y{"y", args.f32_exact(11, "y", d)};
  // The running statistics are read and written: outputs, disjoint from everything else.
  check_outputs<float>(args, {rm, rv, sm, si, y}, {x, w, b});
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
// dx may be dy itself (the same elements, written in place): the kernel sums a channel's dy before
// it writes that channel's dx, element by element at the same index, and no thread reads another's
// channels. Any other overlap is refused.
Napi::Value batch_norm_backward(const Napi::CallbackInfo& info) {
  Args args(info);
  const std::vector<int64_t> d = args.named_sizes(0, "dims", {"n", "c", "s"}, {0, 1, 1});
  const int64_t N = d[0], C = d[1], S = d[2];
  const bool training = args.boolean(6, "training");
  const Named x{"x", args.f32_exact(1, "x", d)};
  const Named dy{"dy", args.f32_exact(2, "dy", d)};
  const Named w{"weight", args.f32_optional(3, "weight", {C})};
  const Named sm{"saveMean", args.f32_exact(4, "saveMean", {C})};
  const Named si{"saveInvstd", args.f32_exact(5, "saveInvstd", {C})};
  const Named dx{"dx", args.f32_optional(7, "dx", d)};
  const Named dw{"dweight", args.f32_optional(8, "dweight", {C})};
  const Named db{"dbias", args.f32_optional(9, "dbias", {C})};
  // In place, dweight and dbias are still kept off dy's memory: it is dx's.
  const bool in_place = present(dx) && dx.second.data == dy.second.data;
  if (in_place)
    check_outputs<float>(args, {dx, dw, db}, {x, w, sm, si});
  else
    check_outputs<float>(args, {dx, dw, db}, {x, dy, w, sm, si});
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

// The layer and group norm kernels take Float32Arrays or, for a float64 input x (argument 1),
// Float64Arrays throughout.
// layerNorm(dims [rows, d], x, weight|null, bias|null, eps, mean, invstd, y)
template <class T>
void run_layer_norm(const Args& args) {
  const std::vector<int64_t> d = args.named_sizes(0, "dims", {"rows", "d"}, {0, 1});
  const int64_t R = d[0], D = d[1];
  const T eps = static_cast<T>(eps_arg(args, 4));
  const NamedT<T> x{"x", args.floats_exact<T>(1, "x", d)};
  const NamedT<T> w{"weight", args.floats_optional<T>(2, "weight", {D})};
  const NamedT<T> b{"bias", args.floats_optional<T>(3, "bias", {D})};
  const NamedT<T> m{"mean", args.floats_exact<T>(5, "mean", {R})};
  const NamedT<T> is{"invstd", args.floats_exact<T>(6, "invstd", {R})};
  const NamedT<T> y{"y", args.floats_exact<T>(7, "y", d)};
  check_outputs<T>(args, {m, is, y}, {x, w, b});
  layer_norm_forward<T>(active_kernels(), R, D, x.second.data, ptr(w.second), ptr(b.second), eps, m.second.data,
                        is.second.data, y.second.data);
}

Napi::Value layer_norm(const Napi::CallbackInfo& info) {
  Args args(info);
  dispatch_float(args, 1, [&](auto t) { run_layer_norm<decltype(t)>(args); });
  return info.Env().Undefined();
}

// layerNormBackward(dims [rows, d], x, dy, weight|null, mean, invstd, dx|null, dweight|null,
//                   dbias|null)
template <class T>
void run_layer_norm_backward(const Args& args) {
  const std::vector<int64_t> d = args.named_sizes(0, "dims", {"rows", "d"}, {0, 1});
  const int64_t R = d[0], D = d[1];
  const NamedT<T> x{"x", args.floats_exact<T>(1, "x", d)};
  const NamedT<T> dy{"dy", args.floats_exact<T>(2, "dy", d)};
  const NamedT<T> w{"weight", args.floats_optional<T>(3, "weight", {D})};
  const NamedT<T> m{"mean", args.floats_exact<T>(4, "mean", {R})};
  const NamedT<T> is{"invstd", args.floats_exact<T>(5, "invstd", {R})};
  const NamedT<T> dx{"dx", args.floats_optional<T>(6, "dx", d)};
  const NamedT<T> dw{"dweight", args.floats_optional<T>(7, "dweight", {D})};
  const NamedT<T> db{"dbias", args.floats_optional<T>(8, "dbias", {D})};
  check_outputs<T>(args, {dx, dw, db}, {x, dy, w, m, is});
  ::myelin::layer_norm_backward<T>(active_kernels(), R, D, x.second.data, dy.second.data, ptr(w.second), m.second.data,
                                   is.second.data, ptr(dx.second), ptr(dw.second), ptr(db.second));
}

Napi::Value layer_norm_backward(const Napi::CallbackInfo& info) {
  Args args(info);
  dispatch_float(args, 1, [&](auto t) { run_layer_norm_backward<decltype(t)>(args); });
  return info.Env().Undefined();
}

template <class T>
GroupNormArgs<T> group_dims(const Args& args) {
  const std::vector<int64_t> d = args.named_sizes(0, "dims", {"n", "c", "s", "groups"}, {0, 1, 1, 1});
  if (d[1] % d[3] != 0)
    args.range_error(std::string(args.fn()) + ": groups " + std::to_string(d[3]) + " must divide the channels c " +
                     std::to_string(d[1]));
  return GroupNormArgs<T>{d[0], d[1], d[2], d[3], nullptr, nullptr};
}

// groupNorm(dims [n, c, s, groups], x, weight|null, bias|null, eps, mean, invstd, y)
template <class T>
void run_group_norm(const Args& args) {
  GroupNormArgs<T> a = group_dims<T>(args);
  const T eps = static_cast<T>(eps_arg(args, 4));
  const NamedT<T> x{"x", args.floats_exact<T>(1, "x", {a.n, a.c, a.s})};
  const NamedT<T> w{"weight", args.floats_optional<T>(2, "weight", {a.c})};
  const NamedT<T> b{"bias", args.floats_optional<T>(3, "bias", {a.c})};
  const NamedT<T> m{"mean", args.floats_exact<T>(5, "mean", {a.n, a.groups})};
  const NamedT<T> is{"invstd", args.floats_exact<T>(6, "invstd", {a.n, a.groups})};
  const NamedT<T> y{"y", args.floats_exact<T>(7, "y", {a.n, a.c, a.s})};
  check_outputs<T>(args, {m, is, y}, {x, w, b});
  a.x = x.second.data;
  a.weight = ptr(w.second);
  group_norm_forward<T>(active_kernels(), a, ptr(b.second), eps, m.second.data, is.second.data, y.second.data);
}

Napi::Value group_norm(const Napi::CallbackInfo& info) {
  Args args(info);
  dispatch_float(args, 1, [&](auto t) { run_group_norm<decltype(t)>(args); });
  return info.Env().Undefined();
}

// groupNormBackward(dims [n, c, s, groups], x, dy, weight|null, mean, invstd, dx|null,
//                   dweight|null, dbias|null)
template <class T>
void run_group_norm_backward(const Args& args) {
  GroupNormArgs<T> a = group_dims<T>(args);
  const NamedT<T> x{"x", args.floats_exact<T>(1, "x", {a.n, a.c, a.s})};
  const NamedT<T> dy{"dy", args.floats_exact<T>(2, "dy", {a.n, a.c, a.s})};
  const NamedT<T> w{"weight", args.floats_optional<T>(3, "weight", {a.c})};
  const NamedT<T> m{"mean", args.floats_exact<T>(4, "mean", {a.n, a.groups})};
  const NamedT<T> is{"invstd", args.floats_exact<T>(5, "invstd", {a.n, a.groups})};
  const NamedT<T> dx{"dx", args.floats_optional<T>(6, "dx", {a.n, a.c, a.s})};
  const NamedT<T> dw{"dweight", args.floats_optional<T>(7, "dweight", {a.c})};
  const NamedT<T> db{"dbias", args.floats_optional<T>(8, "dbias", {a.c})};
  check_outputs<T>(args, {dx, dw, db}, {x, dy, w, m, is});
  a.x = x.second.data;
  a.weight = ptr(w.second);
  ::myelin::group_norm_backward<T>(active_kernels(), a, dy.second.data, m.second.data, is.second.data, ptr(dx.second),
                                   ptr(dw.second), ptr(db.second));
}

Napi::Value group_norm_backward(const Napi::CallbackInfo& info) {
  Args args(info);
  dispatch_float(args, 1, [&](auto t) { run_group_norm_backward<decltype(t)>(args); });
  return info.Env().Undefined();
}

constexpr Export kExports[] = {
    {"batchNorm", batch_norm, 12}, {"batchNormBackward", batch_norm_backward, 10},
    {"layerNorm", layer_norm, 8},  {"layerNormBackward", layer_norm_backward, 9},
    {"groupNorm", group_norm, 8},  {"groupNormBackward", group_norm_backward, 9},
};

}  // namespace

ExportList norm_exports() { return export_list(kExports); }

}  // namespace myelin::binding
