// Declarations of lib/ops/conv.ts's ops for the op harness (test/helpers/opinfo.ts).
import { conv1d, conv2d, convTranspose1d, convTranspose2d, type Tensor } from '../../../lib/index.js';
import { caseGoldens } from '../../helpers/fixtures.js';
import { declareOp, type InputSpec, type Sample } from '../../helpers/opinfo.js';

type P = Record<string, any>;
type Conv = (x: Tensor, w: Tensor, b?: Tensor | null, o?: P) => Tensor;

function conv(name: string, fn: Conv, samples: Sample<P>[]) {
  return declareOp<P>({
    name,
    // PyTorch 1.13 has no bfloat16 CPU kernel for the transposed convolutions.
    ...(name.startsWith('convTranspose') ? { bfloat16: 'refused' as const } : {}),
    op: ([x, w, b], p) => fn(x, w, b ?? null, p),
    samples,
    dtypes: { float32: 'float32', float64: 'float64' },
    // The backward records the convolutions (and the weight gradient) under createGraph.
    supportsGradGrad: true,
    isa: true,
    fixtures: caseGoldens('conv', name),
  });
}
const sample = (inputs: (number[] | InputSpec)[], args: P, layouts = false): Sample<P> => ({
  name: `${inputs.map((s) => `[${Array.isArray(s) ? s : s.shape}]`).join(', ')} ${JSON.stringify(args)}`,
  inputs: inputs.map((s) => (Array.isArray(s) ? { shape: s } : s)),
  args,
  layouts,
});

export const convOps = [
  conv('conv2d', conv2d as Conv, [
    sample([[2, 4, 5, 4], [2, 2, 2, 3], [2]], { stride: [2, 1], padding: [1, 2], dilation: [1, 2], groups: 2 }),
    // A bias-only gradient (the weight frozen).
    sample([[1, 2, 4, 4], { shape: [3, 2, 3, 3], grad: false }, [3]], { padding: 1 }),
    sample([[2, 3, 6, 5], [4, 3, 3, 3], [4]], { padding: 1, stride: [2, 1] }, true),
  ]),
  conv('conv1d', conv1d as Conv, [
    sample(
      [
        [1, 2, 6],
        [3, 2, 4],
      ],
      { padding: 'same' },
    ),
    sample([[2, 3, 9], [4, 3, 3], [4]], { padding: 1 }, true),
  ]),
  conv('convTranspose2d', convTranspose2d as Conv, [
    sample([[1, 4, 3, 2], [4, 1, 3, 3], [2]], { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
    sample([[2, 3, 4, 5], [3, 4, 3, 3], [4]], { stride: 2 }, true),
  ]),
  conv('convTranspose1d', convTranspose1d as Conv, [sample([[1, 2, 5], [2, 3, 3], [3]], { stride: 2, padding: 1 })]),
];
