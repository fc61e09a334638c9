// Reduced precision: bfloat16 conversions with PyTorch's bits and matrix products with bf16
// multiplications and fp32 sums (bf16.ts).
export { bfloat16FromFloat32, bfloat16ToFloat32, matmulBf16 } from './bf16.js';
