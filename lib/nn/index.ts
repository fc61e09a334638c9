// myelin.nn: modules, layers, losses, functional ops, initialisers and utilities.
export { Module, type ForwardHook, type ForwardPreHook, type LoadResult, type RemovableHandle, type StateDict } from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Sequential, ModuleList, ModuleDict, Identity } from './modules/container.js';
export { Linear, Bilinear } from './modules/linear.js';
export { Flatten, Unflatten } from './modules/flatten.js';
export { Dropout } from './modules/dropout.js';
export { BatchNormBase, BatchNorm1d, LayerNorm, type BatchNormOptions, type LayerNormOptions } from './modules/normalization.js';
export {
  ReLU, LeakyReLU, ELU, SELU, GELU, SiLU, Sigmoid, Tanh, Softplus, Softmax, LogSoftmax, Sine, type InplaceOptions,
} from './modules/activation.js';
export {
  MSELoss, L1Loss, SmoothL1Loss, HuberLoss, BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, NLLLoss, KLDivLoss,
  type CrossEntropyLossOptions,
} from './modules/loss.js';
export { summary, ModelSummary, type LayerSummary, type SummaryOptions, type CountsMacs } from './summary.js';
export { clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters, countParameters } from './utils.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as utils from './utils.js';
