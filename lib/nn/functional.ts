// torch.nn.functional in camelCase: activations, dropout, linear layers, normalisation, losses.
export {
  relu, leakyRelu, elu, selu, gelu, silu, silu as swish, sigmoid, tanh, softplus, sine,
  SELU_ALPHA, SELU_SCALE, type GeluOptions, type InplaceOption, type SoftplusOptions,
} from '../ops/activation.js';
export { softmax, logSoftmax, logsumexp } from '../ops/softmax.js';
export { dropout, type DropoutOptions } from '../ops/dropout.js';
export { linear } from '../ops/linear.js';
export { bilinear } from '../ops/bilinear.js';
export { batchNorm, layerNorm, type BatchNormOptions, type LayerNormOptions } from '../ops/normalization.js';
export {
  crossEntropy, nllLoss, mseLoss, l1Loss, smoothL1Loss, huberLoss, binaryCrossEntropy, binaryCrossEntropyWithLogits, klDiv,
  type BCEOptions, type BCEWithLogitsOptions, type CrossEntropyOptions, type KLDivOptions, type KLDivReduction,
  type NLLOptions, type Reduction, type ReductionOption,
} from '../ops/loss.js';
export { oneHot } from '../ops/indexing.js';
