// Quantization (torch.ao.quantization): quantized tensors (quantize.ts: quantizePerTensor,
// quantizePerChannel, dequantize, intRepr; also exported at the top level, as torch's) and
// dynamic quantization of Linear layers (dynamic.ts).
export {
  quantizeDynamic,
  DynamicQuantizedLinear,
  chooseActivationQParams,
  type ActivationQParams,
  type QuantizeDynamicOptions,
  type WeightScheme,
} from './dynamic.js';
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
} from './quantize.js';
