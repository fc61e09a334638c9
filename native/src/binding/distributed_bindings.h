// What the distributed module (myelin_distributed.node) exports; distributed_addon.cpp is its
// export table.
#pragma once
#include <napi.h>

namespace myelin::binding {

// bind_distributed.cpp: the ProcessGroup class.
Napi::Value process_group_class(Napi::Env env);

}  // namespace myelin::binding
