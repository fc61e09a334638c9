// myelin.nn: modules, layers, losses, functional ops, initialisers and utilities.
export {
  Module,
  type ForwardHook,
  type ForwardPreHook,
  type LoadResult,
  type RemovableHandle,
  type StateDict,
} from './module.js';
export { Parameter, isParameter } from './parameter.js';
export { Sequential, ModuleList, ModuleDict, Identity } from './modules/container.js';
export { Linear, Bilinear } from './modules/linear.js';
export { Flatten, Unflatten } from './modules/flatten.js';
export { Unfold, Fold } from './modules/fold.js';
export { Dropout, Dropout1d, Dropout2d, Dropout3d } from './modules/dropout.js';
export { Upsample, UpsamplingNearest2d, UpsamplingBilinear2d, type UpsampleOptions } from './modules/upsampling.js';
export {
  ConstantPad1d,
  ConstantPad2d,
  ConstantPad3d,
  ZeroPad1d,
  ZeroPad2d,
  ZeroPad3d,
  ReflectionPad1d,
  ReflectionPad2d,
  ReflectionPad3d,
  ReplicationPad1d,
  ReplicationPad2d,
  ReplicationPad3d,
} from './modules/padding.js';
export {
  Conv1d,
  Conv2d,
  ConvTranspose1d,
  ConvTranspose2d,
  type ConvOptions,
  type ConvTransposeOptions,
} from './modules/conv.js';
export {
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d,
  type MaxPoolOptions,
  type AvgPoolOptions,
} from './modules/pooling.js';
export {
  BatchNormBase,
  BatchNorm1d,
  BatchNorm2d,
  LayerNorm,
  GroupNorm,
  type BatchNormOptions,
  type LayerNormOptions,
  type GroupNormOptions,
} from './modules/normalization.js';
export {
  ReLU,
  LeakyReLU,
  Hardtanh,
  ReLU6,
  ELU,
  SELU,
  GELU,
  SiLU,
  Sigmoid,
  Tanh,
  Softplus,
  Softmax,
  LogSoftmax,
  Sine,
  type InplaceOptions,
} from './modules/activation.js';
export {
  MSELoss,
  L1Loss,
  SmoothL1Loss,
  HuberLoss,
  BCELoss,
  BCEWithLogitsLoss,
  CrossEntropyLoss,
  NLLLoss,
  KLDivLoss,
  type CrossEntropyLossOptions,
} from './modules/loss.js';
export { Embedding, type EmbeddingModuleOptions } from './modules/sparse.js';
export {
  MultiheadAttention,
  TransformerEncoderLayer,
  TransformerEncoder,
  type MultiheadAttentionOptions,
  type MhaForwardOptions,
  type TransformerEncoderLayerOptions,
  type EncoderForwardOptions,
  type TransformerActivation,
} from './modules/attention.js';
export {
  TransformerDecoderLayer,
  TransformerDecoder,
  Transformer,
  type TransformerDecoderLayerOptions,
  type DecoderForwardOptions,
  type TransformerOptions,
  type TransformerForwardOptions,
} from './modules/transformer.js';
export {
  RNN,
  LSTM,
  GRU,
  RNNCell,
  LSTMCell,
  GRUCell,
  type RNNOptions,
  type LSTMOptions,
  type RNNForwardOptions,
} from './modules/rnn.js';
export { embedding, type EmbeddingOptions } from '../ops/embedding.js';
export { scaledDotProductAttention, type SdpaOptions } from '../ops/attention.js';
export {
  summary,
  ModelSummary,
  type LayerSummary,
  type SummaryOptions,
  type CountsMacs,
  type HoldsPackedWeights,
} from './summary.js';
export { clipGradNorm_, clipGradValue_, parametersToVector, vectorToParameters, countParameters } from './utils.js';
export * as functional from './functional.js';
export * as init from './init.js';
export * as utils from './utils.js';
export * as parallel from './parallel/index.js';
