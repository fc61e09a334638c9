// Quantization (torch.ao.quantization): quantized tensors (quantize.ts: quantizePerTensor,
// quantizePerChannel, dequantize, intRepr; also exported at the top level, as torch's) and
// dynamic quantization (quantize_dynamic.ts) of Linear layers (dynamic.ts) and LSTMs
// (dynamic_lstm.ts).
export { quantizeDynamic, type DynamicQuantizable, type QuantizeDynamicOptions } from './quantize_dynamic.js';
export {
  DynamicQuantizedLinear,
  chooseActivationQParams,
  type ActivationQParams,
  type WeightScheme,
} from './dynamic.js';
export { DynamicQuantizedLSTM, type DynamicQuantizedLSTMOptions } from './dynamic_lstm.js';
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
