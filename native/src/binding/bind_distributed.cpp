// The distributed module's binding: a ProcessGroup class over distributed/process_group.h.
//
//   new ProcessGroup({ rank, worldSize, storeHost, storePort, storeFile, timeout, iface }, onComplete)
//   pg.submit(kind, dtype, op, root, shape, data, list, async)   sync: runs it, throws its error
//                                                                 async: returns the work's id
//   pg.wait(id)  pg.isCompleted(id)  pg.destroy()
//
// Asynchronous works run on the group's communication thread; the typed arrays they touch are
// held (references) until the work has completed and onComplete(id, error | null) has been
// called on the JS thread, so the garbage collector cannot free memory still being written.
#include <napi.h>

#include <map>
#include <memory>
#include <utility>

#include "binding/args.h"
#include "binding/distributed_bindings.h"
#include "distributed/process_group.h"

namespace myelin::binding {

namespace {

namespace dist = myelin::distributed;

// What the JS thread keeps for the asynchronous works in flight.
struct Pending {
  struct Entry {
    std::shared_ptr<dist::Work> work;
    std::vector<Napi::Reference<Napi::Value>> keep;
  };
  std::map<uint64_t, Entry> works;
  Napi::ThreadSafeFunction tsfn;
  Napi::ObjectReference wrapper;  // the JS ProcessGroup, held while works are in flight
  bool referenced = false;

  // While a work is in flight the event loop stays alive (a Promise someone awaits) and the
  // group's JS object cannot be collected (it owns this, and the references above).
  void update_ref(Napi::Env env, const Napi::Object& self) {
    const bool want = !works.empty();
    if (want == referenced) return;
    if (want) {
      tsfn.Ref(env);
      wrapper = Napi::Persistent(self);
    } else {
      tsfn.Unref(env);
      wrapper.Reset();
    }
    referenced = want;
  }
};

// Released (from whichever thread drops it last) when both the wrapper and the group's
// communication thread are done with it.
struct TsfnHolder {
  Napi::ThreadSafeFunction tsfn;
  ~TsfnHolder() { tsfn.Release(); }
};

struct Buffer {
  void* data = nullptr;
  int64_t length = 0;
  dist::DType dtype = dist::DType::kFloat32;
};

const char* dtype_name(dist::DType t) {
  switch (t) {
    case dist::DType::kFloat32:
      return "float32";
    case dist::DType::kInt32:
      return "int32";
    case dist::DType::kInt8:
      return "int8";
    case dist::DType::kUint8:
      return "uint8";
    case dist::DType::kBool:
      break;
  }
  return "bool";
}

// The typed array that holds `dtype`'s elements: Float32Array (float32), Int32Array (int32),
// Int8Array (int8), Uint8Array (uint8 and bool, told apart by the dtype argument).
napi_typedarray_type array_type(dist::DType dtype) {
  switch (dtype) {
    case dist::DType::kFloat32:
      return napi_float32_array;
    case dist::DType::kInt32:
      return napi_int32_array;
    case dist::DType::kInt8:
      return napi_int8_array;
    case dist::DType::kUint8:
    case dist::DType::kBool:
      break;
  }
  return napi_uint8_array;
}

const char* array_name(dist::DType dtype) {
  switch (array_type(dtype)) {
    case napi_float32_array:
      return "a Float32Array";
    case napi_int32_array:
      return "an Int32Array";
    case napi_int8_array:
      return "an Int8Array";
    default:
      return "a Uint8Array";
  }
}

// `v` as the typed array of `dtype`.
Buffer typed_buffer(const Args& args, const Napi::Value& v, dist::DType dtype, const std::string& what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != array_type(dtype))
    args.type_error(what + " (" + dtype_name(dtype) + ") must be " + array_name(dtype) + ", got " + describe(v));
  const Napi::TypedArray t = v.As<Napi::TypedArray>();
  Buffer b;
  b.dtype = dtype;
  b.data = static_cast<char*>(t.ArrayBuffer().Data()) + t.ByteOffset();
  b.length = static_cast<int64_t>(t.ElementLength());
  return b;
}

class ProcessGroupWrap : public Napi::ObjectWrap<ProcessGroupWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "ProcessGroup",
                       {
                           InstanceAccessor<&ProcessGroupWrap::Rank>("rank"),
                           InstanceAccessor<&ProcessGroupWrap::Size>("worldSize"),
                           InstanceAccessor<&ProcessGroupWrap::Timeout>("timeout"),
                           InstanceMethod<&ProcessGroupWrap::Submit>("submit"),
                           InstanceMethod<&ProcessGroupWrap::Wait>("wait"),
                           InstanceMethod<&ProcessGroupWrap::IsCompleted>("isCompleted"),
                           InstanceMethod<&ProcessGroupWrap::Destroy>("destroy"),
                       });
  }

  explicit ProcessGroupWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<ProcessGroupWrap>(info) {
    const Args args(info, "ProcessGroup", 2);
    const Options o(args, 0, "options");
    dist::GroupOptions opts;
    opts.world_size = static_cast<int>(o.integer("worldSize", 1, 1 << 20));
    opts.rank = static_cast<int>(o.integer("rank", 0, opts.world_size - 1));
    opts.timeout = std::chrono::milliseconds(o.integer("timeout", 1, int64_t{1} << 40));
    const Napi::Object obj = args.value(0).As<Napi::Object>();
    auto str = [&](const char* key) {
      const Napi::Value v = obj.Get(key);
      if (v.IsUndefined()) return std::string();
      if (!v.IsString()) args.type_error(std::string("option '") + key + "' must be a string, got " + describe(v));
      return v.As<Napi::String>().Utf8Value();
    };
    opts.store_host = str("storeHost");
    opts.store_file = str("storeFile");
    opts.iface = str("iface");
    if (opts.store_file.empty()) opts.store_port = static_cast<int>(o.integer("storePort", 0, 65535));
    if (!info[1].IsFunction()) args.type_error("argument 'onComplete' must be a function, got " + describe(info[1]));

    pending_ = std::make_shared<Pending>();
    std::weak_ptr<Pending> weak = pending_;
    pending_->tsfn =
        Napi::ThreadSafeFunction::New(info.Env(), info[1].As<Napi::Function>(), "myelin.distributed", 0, 1);
    pending_->tsfn.Unref(info.Env());
    auto holder = std::make_shared<TsfnHolder>();
    holder->tsfn = pending_->tsfn;
    holder_ = holder;
    auto notify = [holder, weak](uint64_t id) {
      holder->tsfn.NonBlockingCall([weak, id](Napi::Env env, Napi::Function js) {
        const std::shared_ptr<Pending> pending = weak.lock();
        if (!env || !pending) return;
        auto it = pending->works.find(id);
        if (it == pending->works.end()) return;
        std::string error;
        {
          std::lock_guard<std::mutex> lock(it->second.work->mu);
          error = it->second.work->error;
        }
        pending->works.erase(it);
        pending->update_ref(env, pending->wrapper.Value());
        js.Call({Napi::Number::New(env, static_cast<double>(id)),
                 error.empty() ? env.Null() : Napi::String::New(env, error)});
      });
    };
    try {
      group_ = std::make_unique<dist::ProcessGroup>(opts, notify);
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string("initProcessGroup: ") + e.what());
    }
  }

 private:
  Napi::Value Rank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), group().rank()); }
  Napi::Value Size(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), group().size()); }
  Napi::Value Timeout(const Napi::CallbackInfo& info) {
    return Napi::Number::New(info.Env(), static_cast<double>(group().timeout().count()));
  }

  dist::ProcessGroup& group() {
    if (!group_) throw Napi::Error::New(Env(), "distributed: the process group was destroyed");
    return *group_;
  }

  // submit(kind, dtype, op, root, shape, data, list, async)
  Napi::Value Submit(const Napi::CallbackInfo& info) {
    dist::ProcessGroup& g = group();
    const Args args(info, "ProcessGroup.submit", 8);
    dist::Request r;
    r.kind = static_cast<dist::Collective>(args.integer(0, "kind", 0, 7));
    const char* name = dist::collective_name(r.kind);
    const int world = g.size();
    r.op = static_cast<dist::ReduceOp>(args.integer(2, "op", 0, 4));
    r.root = static_cast<int>(args.integer(3, "root", 0, world - 1));
    r.shape = args.shape(4, "shape");
    const bool async = args.boolean(7, "async");
    std::vector<Napi::Reference<Napi::Value>> keep;
    auto hold = [&](const Napi::Value& v) {
      if (async) keep.push_back(Napi::Reference<Napi::Value>::New(v, 1));
    };
    int64_t count = 1;
    for (int64_t d : r.shape) count *= d;
    const bool needs_data = r.kind != dist::Collective::kBarrier;
    if (needs_data) {
      const auto dtype = static_cast<dist::DType>(args.integer(1, "dtype", 0, 4));
      const Buffer data = typed_buffer(args, info[5], dtype, std::string(name) + ": the tensor");
      if (data.length != count) {
        args.range_error(std::string("the tensor holds ") + std::to_string(data.length) + " elements, shape " +
                         format_shape(r.shape) + " needs " + std::to_string(count));
      }
      r.dtype = data.dtype;
      r.data = data.data;
      hold(info[5]);
      const bool reduction = r.kind == dist::Collective::kAllReduce || r.kind == dist::Collective::kReduceScatter ||
                             r.kind == dist::Collective::kReduce;
      if (reduction && r.dtype == dist::DType::kBool)
        args.type_error(std::string(name) + ": bool tensors cannot be reduced; convert to int32 first");
      if (reduction && r.op == dist::ReduceOp::kAvg && r.dtype != dist::DType::kFloat32)
        args.type_error(std::string(name) + ": op 'avg' needs a float32 tensor, got " + dtype_name(r.dtype));
    }
    // The per-rank list: every rank for allGather and reduceScatter, the root for gather and scatter.
    const bool rooted_list = r.kind == dist::Collective::kGather || r.kind == dist::Collective::kScatter;
    const bool wants_list = r.kind == dist::Collective::kAllGather || r.kind == dist::Collective::kReduceScatter ||
                            (rooted_list && r.root == g.rank());
    if (wants_list) {
      if (!info[6].IsArray())
        args.type_error(std::string("argument 'list' must be an array, got ") + describe(info[6]));
      const Napi::Array list = info[6].As<Napi::Array>();
      if (static_cast<int>(list.Length()) != world) {
        args.range_error(std::string(name) + ": the tensor list holds " + std::to_string(list.Length()) +
                         " tensors, the world size is " + std::to_string(world));
      }
      for (uint32_t i = 0; i < list.Length(); i++) {
        const Napi::Value v = list.Get(i);
        const Buffer b = typed_buffer(args, v, r.dtype, std::string(name) + ": list entry " + std::to_string(i));
        if (b.length != count) {
          args.range_error(std::string(name) + ": list entry " + std::to_string(i) + " is " + dtype_name(b.dtype) +
                           " with " + std::to_string(b.length) + " elements, the tensor is " + dtype_name(r.dtype) +
                           " " + format_shape(r.shape));
        }
        r.list.push_back(b.data);
        hold(v);
      }
    }
    std::shared_ptr<dist::Work> work;
    std::string error;
    try {
      if (async)
        work = g.submit(std::move(r), true);
      else
        error = g.run_sync(std::move(r));
    } catch (const std::exception& e) {
      throw Napi::Error::New(info.Env(), std::string(name) + ": " + e.what());
    }
    if (!async) {
      if (!error.empty()) throw Napi::Error::New(info.Env(), error);
      return info.Env().Undefined();
    }
    pending_->works[work->id] = Pending::Entry{work, std::move(keep)};
    pending_->update_ref(info.Env(), info.This().As<Napi::Object>());
    return Napi::Number::New(info.Env(), static_cast<double>(work->id));
  }

  std::shared_ptr<dist::Work> find(const Args& args) {
    const auto id = static_cast<uint64_t>(args.integer(0, "id", 1, int64_t{1} << 52));
    auto it = pending_->works.find(id);
    if (it == pending_->works.end())
      args.range_error("no asynchronous work " + std::to_string(id) + " is in flight (it completed and was reported)");
    return it->second.work;
  }

  // Blocks until the work has run; throws its error. (Its completion is still reported to
  // onComplete, which releases what it held.)
  Napi::Value Wait(const Napi::CallbackInfo& info) {
    const Args args(info, "ProcessGroup.wait", 1);
    const std::shared_ptr<dist::Work> work = find(args);
    const std::string error = dist::ProcessGroup::wait(*work);
    if (!error.empty()) throw Napi::Error::New(info.Env(), error);
    return info.Env().Undefined();
  }

  Napi::Value IsCompleted(const Napi::CallbackInfo& info) {
    const Args args(info, "ProcessGroup.isCompleted", 1);
    const std::shared_ptr<dist::Work> work = find(args);
    std::lock_guard<std::mutex> lock(work->mu);
    return Napi::Boolean::New(info.Env(), work->done);
  }

  Napi::Value Destroy(const Napi::CallbackInfo& info) {
    if (group_) {
      group_->destroy();
      group_.reset();
    }
    return info.Env().Undefined();
  }

  std::shared_ptr<Pending> pending_;
  std::shared_ptr<TsfnHolder> holder_;
  std::unique_ptr<dist::ProcessGroup> group_;
};

}  // namespace

Napi::Value process_group_class(Napi::Env env) { return ProcessGroupWrap::Define(env); }

}  // namespace myelin::binding
