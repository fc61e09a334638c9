export { backendInfo, getNumThreads, setNumThreads } from './backend.js';
export type { BackendInfo, Isa } from './backend.js';
export type { DType } from './dtype.js';
export { Tensor, Storage, isTensor } from './tensor.js';
export { tensor, zeros, ones, full, empty, type CreationOptions } from './creation.js';
export { add, sub, mul, div, type TensorLike } from './ops/binary.js';
export * as autograd from './autograd/index.js';
export { noGrad, enableGrad, isGradEnabled, setGradEnabled } from './autograd/grad_mode.js';
import './autograd/backward.js';
