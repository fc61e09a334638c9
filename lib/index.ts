export {
  areDeterministicAlgorithmsEnabled,
  backendInfo,
  getNumThreads,
  setNumThreads,
  useDeterministicAlgorithms,
} from './backend.js';
export type { BackendInfo, CpuCaches, CpuInfo, GemmInfo, Isa, LowpGemmKernels } from './backend.js';
export type { ComputeFloatDType, DType, FloatDType, QuantizedDType } from './dtype.js';
export { getDefaultDtype, isFloatingDType, promoteTypes, setDefaultDtype } from './dtype.js';
export { Tensor, Storage, isTensor, type Quantizer } from './tensor.js';
export { device, Device, cuda, backends, type DeviceLike, type DeviceType } from './device.js';
export { tensor, zeros, ones, full, empty, type CreationOptions } from './creation.js';
export { arange, linspace, eye, zerosLike, onesLike, fullLike, emptyLike } from './creation.js';
export { Generator, manualSeed, initialSeed, defaultGenerator, type GeneratorState } from './random.js';
export {
  rand,
  randn,
  randint,
  randperm,
  bernoulli,
  randLike,
  randnLike,
  type RandomOptions,
} from './random_tensors.js';
export { neg, sign, abs, exp, log, log1p, expm1, sqrt, rsqrt, sin, cos, tanh, sigmoid, relu } from './ops/unary.js';
export { pow, clamp, clamp as clip, maximum, minimum, where } from './ops/pointwise.js';
export { floor, ceil, trunc, frac, round } from './ops/rounding.js';
export { erf, erfc, erfinv } from './ops/special.js';
export { finfo, iinfo, FInfo, IInfo, type FloatDTypeName, type IntDTypeName } from './dtype_info.js';
export {
  eq,
  ne,
  lt,
  le,
  gt,
  ge,
  logicalAnd,
  logicalOr,
  logicalXor,
  logicalNot,
  isnan,
  isfinite,
  isinf,
  equal,
  allclose,
} from './ops/compare.js';
export {
  sum,
  mean,
  prod,
  amax,
  amin,
  max,
  min,
  argmax,
  argmin,
  all,
  any,
  type Dims,
  type ValuesIndices,
} from './ops/reduce.js';
export { variance as var, std, norm, logsumexp, cumsum, type VarOptions } from './ops/reduce_stats.js';
export {
  reshape,
  view,
  flatten,
  unflatten,
  transpose,
  permute,
  squeeze,
  unsqueeze,
  expand,
  broadcastTo,
  contiguous,
  clone,
  narrow,
  slice,
  select,
} from './ops/view.js';
export { cat, stack, split, chunk, unbind, repeat, flip } from './ops/join.js';
export { diagonal, diagEmbed, diag, trace, tril, triu } from './ops/diag.js';
export { unique, UniqueResult, type UniqueOptions } from './ops/unique.js';
import './ops/fold.js';
export { matmul, mm, bmm, mv, dot, outer } from './ops/matmul.js';
export { addmm, addbmm, baddbmm, addmv, addr, type AddProductOptions } from './ops/addmm.js';
export { einsum } from './ops/einsum.js';
export { gather, scatter, scatterAdd, indexSelect, maskedFill, oneHot, nonzero } from './ops/indexing.js';
export { sort, argsort, topk, type SortOptions, type TopkOptions } from './ops/sort.js';
export {
  softmax,
  logSoftmax,
  crossEntropy,
  type CrossEntropyOptions,
  type Reduction,
  type SoftmaxOutOptions,
} from './ops/softmax.js';
export { conv1d, conv2d, convTranspose1d, convTranspose2d } from './ops/conv.js';
export {
  maxPool1d,
  maxPool2d,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
} from './ops/pool.js';
export { interpolate, type InterpolateMode, type InterpolateOptions } from './ops/interpolate.js';
export { pad, type PadMode, type PadOptions } from './ops/pad.js';
export { gradcheck, type GradcheckOptions } from './autograd/gradcheck.js';
export * as optim from './optim/index.js';
export * as nn from './nn/index.js';
export * as data from './data/index.js';
export * as io from './io/index.js';
export * as distributed from './distributed/index.js';
export * as onnx from './onnx/index.js';
export * as lowp from './lowp/index.js';
export * as quantization from './quantization/index.js';
export {
  quantizePerTensor,
  quantizePerChannel,
  dequantize,
  intRepr,
  qScale,
  qZeroPoint,
  qPerChannelScales,
  qPerChannelZeroPoints,
  qPerChannelAxis,
  qscheme,
} from './quantization/quantize.js';
export {
  autocast,
  AutocastScope,
  isAutocastEnabled,
  type AutocastOptions,
  type AutocastDtype,
} from './lowp/autocast_state.js';
export { formatTensor } from './print.js';
import './ops/unary.js';
import './ops/methods.js';
export { add, sub, mul, div, type RoundingMode, type TensorLike } from './ops/binary.js';
export { remainder, fmod, floorDivide } from './ops/division.js';
export {
  bitwiseAnd,
  bitwiseOr,
  bitwiseXor,
  bitwiseNot,
  bitwiseLeftShift,
  bitwiseRightShift,
  type BitwiseOperand,
} from './ops/bitwise.js';
export * as autograd from './functional/index.js';
export * as forwardAD from './autograd/forward_ad.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad_mode.js';
import './autograd/backward.js';
export * as train from './train/index.js';
export * as utils from './utils/index.js';
