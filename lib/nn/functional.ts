// torch.nn.functional in camelCase: activations, dropout, linear layers, normalisation, losses.
export {
  relu,
  leakyRelu,
  hardtanh,
  relu6,
  elu,
  selu,
  gelu,
  silu,
  silu as swish,
  sigmoid,
  tanh,
  softplus,
  sine,
  SELU_ALPHA,
  SELU_SCALE,
  type GeluOptions,
  type InplaceOption,
  type SoftplusOptions,
} from '../ops/activation.js';
export { softmax, logSoftmax, logsumexp } from '../ops/softmax.js';
export { dropout, dropout1d, dropout2d, dropout3d, type DropoutOptions } from '../ops/dropout.js';
export { interpolate, type InterpolateMode, type InterpolateOptions } from '../ops/interpolate.js';
export { pad, type PadMode, type PadOptions } from '../ops/pad.js';
export { linear } from '../ops/linear.js';
export { unfold, fold, type UnfoldOptions } from '../ops/fold.js';
export {
  conv1d,
  conv2d,
  convTranspose1d,
  convTranspose2d,
  type Conv1dOptions,
  type Conv2dOptions,
  type ConvTranspose1dOptions,
  type ConvTranspose2dOptions,
} from '../ops/conv.js';
export {
  maxPool1d,
  maxPool2d,
  maxPool1dWithIndices,
  maxPool2dWithIndices,
  avgPool1d,
  avgPool2d,
  adaptiveAvgPool1d,
  adaptiveAvgPool2d,
  adaptiveMaxPool1d,
  adaptiveMaxPool2d,
  adaptiveMaxPool2dWithIndices,
  type AdaptiveSize,
  type MaxPool2dOptions,
  type AvgPool2dOptions,
} from '../ops/pool.js';
export { bilinear } from '../ops/bilinear.js';
export {
  batchNorm,
  layerNorm,
  groupNorm,
  type BatchNormOptions,
  type LayerNormOptions,
  type GroupNormOptions,
} from '../ops/normalization.js';
export {
  crossEntropy,
  nllLoss,
  mseLoss,
  l1Loss,
  smoothL1Loss,
  huberLoss,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  klDiv,
  type BCEOptions,
  type BCEWithLogitsOptions,
  type CrossEntropyOptions,
  type KLDivOptions,
  type KLDivReduction,
  type NLLOptions,
  type Reduction,
  type ReductionOption,
} from '../ops/loss.js';
export { oneHot } from '../ops/indexing.js';
export { embedding, type EmbeddingOptions } from '../ops/embedding.js';
export { scaledDotProductAttention, type SdpaOptions } from '../ops/attention.js';
