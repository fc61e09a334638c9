// The op codes the binding takes (binary's op, reduce's op, ...), by name in enum order: the one
// list that lib/native.ts mirrors in its BinaryOp, UnaryOp, ... tables. bindingInfo() returns
// these lists and a test checks that the TypeScript tables match them, name for name.
#pragma once
#include <cstddef>

#include "kernels/elementwise/elementwise.h"
#include "kernels/pool/pool.h"
#include "kernels/reduce/reduce.h"
#include "kernels/rnn/rnn.h"
#include "kernels/softmax/softmax.h"

namespace myelin::binding {

// OpCodes<E>: the TypeScript table's name and the op names of enum E, in enum order.
template <class E>
struct OpCodes;

template <>
struct OpCodes<BinaryOp> {
  static constexpr const char* table = "BinaryOp";
  static constexpr const char* names[] = {"add", "sub", "mul", "div", "maximum", "minimum", "reluGrad"};
};
template <>
struct OpCodes<UnaryOp> {
  static constexpr const char* table = "UnaryOp";
  static constexpr const char* names[] = {"neg",  "abs",     "exp",  "log",   "sqrt",  "rsqrt", "sin", "cos",
                                          "tanh", "sigmoid", "relu", "log1p", "expm1", "sign",  "erf"};
};
template <>
struct OpCodes<ReduceOp> {
  static constexpr const char* table = "ReduceOp";
  static constexpr const char* names[] = {"sum", "mean", "max", "min", "prod"};
};
template <>
struct OpCodes<ArgReduceOp> {
  static constexpr const char* table = "ArgReduceOp";
  static constexpr const char* names[] = {"argmax", "argmin"};
};
template <>
struct OpCodes<RnnOp> {
  static constexpr const char* table = "RnnCellOp";
  static constexpr const char* names[] = {"lstmForward", "lstmBackward", "gruForward", "gruBackward"};
};
template <>
struct OpCodes<SoftmaxOp> {
  static constexpr const char* table = "SoftmaxOp";
  static constexpr const char* names[] = {"softmax", "logSoftmax", "softmaxBackward", "logSoftmaxBackward"};
};
template <>
struct OpCodes<PoolOp> {
  static constexpr const char* table = "PoolOp";
  static constexpr const char* names[] = {"max", "avg", "adaptiveAvg", "adaptiveMax"};
};

template <class E>
constexpr int op_count() {
  return static_cast<int>(sizeof(OpCodes<E>::names) / sizeof(OpCodes<E>::names[0]));
}

template <class E>
const char* op_name(E op) {
  return OpCodes<E>::names[static_cast<int>(op)];
}

// Each table covers its enum exactly (the last enumerator is the last name).
static_assert(op_count<BinaryOp>() == kNumBinaryOps);
static_assert(op_count<UnaryOp>() == kNumUnaryOps);
static_assert(op_count<ReduceOp>() == kNumReduceOps);
static_assert(op_count<ArgReduceOp>() == kNumArgReduceOps);
static_assert(op_count<RnnOp>() == static_cast<int>(RnnOp::GruBackward) + 1);
static_assert(op_count<SoftmaxOp>() == static_cast<int>(SoftmaxOp::LogSoftmaxBackward) + 1);
static_assert(op_count<PoolOp>() == static_cast<int>(PoolOp::AdaptiveMax) + 1);

}  // namespace myelin::binding
