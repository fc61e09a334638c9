// Reduced precision: bfloat16 conversions with PyTorch's bits and matrix products with bf16
// multiplications and fp32 sums (bf16.ts).
export { bfloat16FromFloat32, bfloat16ToFloat32, matmulBf16 } from './bf16.js';
// Mixed precision: autocast runs the matrix products of PyTorch's CPU lower-precision list in
// bf16 (autocast_state.ts; the ops in autocast_ops.ts).
export {
  autocast,
  AutocastScope,
  isAutocastEnabled,
  type AutocastOptions,
  type AutocastDtype,
} from './autocast_state.js';
