// Quantization (torch.ao.quantization): quantized tensors (quantize.ts: quantizePerTensor,
// quantizePerChannel, dequantize, intRepr; also exported at the top level, as torch's).
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
