// The object of the myelin -> PyTorch interop check: scripts/check_save_torch.py writes it with
// saveTorch (scripts/write_myelin_torch.ts) and reads it back with torch.load; the tests check
// that saveTorch still writes the bytes that check accepted (test/fixtures/torch/myelin_saved.pt).
import { Parameter } from '../../lib/nn/parameter.js';
import { Tensor } from '../../lib/tensor.js';

export function torchInteropObject(): Record<string, unknown> {
  const base = Tensor.fromData(
    Float32Array.from({ length: 12 }, (_, i) => (i - 5.5) / 4),
    [3, 4],
  );
  const ints = Tensor.fromData(Int32Array.from([-3, 0, 7, 2147483647, -2147483648, 12]), [6]);
  const view = (t: Tensor, shape: number[], strides: number[], offset: number) =>
    new Tensor(t.storage, shape, strides, offset);
  return {
    state: {
      'layer.weight': new Parameter(base),
      'layer.weight_t': view(base, [4, 3], [1, 4], 0),
      'layer.row1': view(base, [4], [1], 4),
      'layer.stepped': view(base, [2, 2], [8, 2], 1),
      'layer.frozen': new Parameter(Tensor.fromData(Float32Array.from([0.5, -1]), [2]), false),
      counts: ints,
      counts_tail: view(ints, [3], [1], 3),
      mask: Tensor.fromData(Uint8Array.from([1, 0, 0, 1]), [2, 2]),
      scalar: Tensor.fromData(Float32Array.from([3.25]), []),
      empty: Tensor.fromData(new Float32Array(0), [0, 4]),
    },
    meta: {
      epoch: 3,
      lr: 0.001,
      name: 'myelin ✓',
      flags: [true, false, null],
      big: 2 ** 40,
      huge: 2n ** 70n,
      negative: -(2 ** 33),
      inf: Number.POSITIVE_INFINITY,
      nested: [[1, [2, [3]]], { deep: { deeper: 'yes' } }],
    },
  };
}
