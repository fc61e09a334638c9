// The tensors of the interop fixtures: scripts/gen_fixtures_safetensors.py builds the same ones
// with torch (see interop_tensors() there), and the tests compare both sides' files byte for byte.
import { Tensor } from '../../lib/tensor.js';

export function interopTensors(): Record<string, Tensor> {
  const a = new Float32Array(6).map((_, i) => (i - 2.5) / 8);
  const b = Int32Array.from([-3, 0, 7, 2147483647, -2147483648]);
  const mask = Uint8Array.from([1, 0, 0, 1]);
  return {
    'layer.weight': Tensor.fromData(a, [2, 3]),
    'layer.bias': Tensor.fromData(Float32Array.from([0.5, -1, 1e-3]), [3]),
    counts: Tensor.fromData(b, [5]),
    mask: Tensor.fromData(mask, [2, 2]),
    scalar: Tensor.fromData(Float32Array.from([3.25]), []),
    empty: Tensor.fromData(new Float32Array(0), [0, 4]),
  };
}
