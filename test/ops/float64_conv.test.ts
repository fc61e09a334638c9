// float64 convolutions, pooling and resampling: values, indices and the gradients of every input
// against torch 1.13's float64 results (scripts/gen_fixtures_float64_conv.py) under every ISA at
// 1 and 2 threads; the dtype rules (operands of one dtype, as torch); a small CNN after
// .double() against the same CNN in float32.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { gradcheck, randn, type Tensor } from '../../lib/index.js';
import { decodeFloat64, type EncodedFloat64, expectCloseFloat64, loadFixture } from '../helpers/fixtures.js';
import { supportedIsas, withIsa, withThreads } from '../helpers/native.js';

interface Case {
  op: string;
  note: string;
  args: (EncodedFloat64 | null)[];
  kwargs: Record<string, any>;
  out: EncodedFloat64;
  indices?: EncodedFloat64;
  gradOut: EncodedFloat64;
  grads: (EncodedFloat64 | null)[];
}

const fx = loadFixture<{ cases: Case[] }>('float64_conv');
const F = m.nn.functional;

/** torch's keyword arguments as myelin's options: snake_case to camelCase. */
function options(kwargs: Record<string, any>, drop: string[]): Record<string, any> {
  const o: Record<string, any> = {};
  for (const [k, v] of Object.entries(kwargs)) {
    if (drop.includes(k)) continue;
    o[k.replace(/_(\w)/g, (_, c: string) => c.toUpperCase())] = v;
  }
  return o;
}

/** The op's output (and indices, for max pooling) from the case's tensors. */
function apply(c: Case, [x, w, b]: (Tensor | null)[]): [Tensor, Tensor | null] {
  const k = c.kwargs;
  const t = x as Tensor;
  switch (c.op) {
    case 'conv2d':
      return [m.conv2d(t, w as Tensor, b, options(k, [])), null];
    case 'conv1d':
      return [m.conv1d(t, w as Tensor, b, options(k, [])), null];
    case 'conv_transpose2d':
      return [m.convTranspose2d(t, w as Tensor, b, options(k, [])), null];
    case 'conv_transpose1d':
      return [m.convTranspose1d(t, w as Tensor, b, options(k, [])), null];
    case 'max_pool2d':
      return F.maxPool2dWithIndices(t, k.kernel_size, options(k, ['kernel_size', 'return_indices']));
    case 'avg_pool2d':
      return [F.avgPool2d(t, k.kernel_size, options(k, ['kernel_size'])), null];
    case 'adaptive_avg_pool2d':
      return [F.adaptiveAvgPool2d(t, k.output_size), null];
    case 'interpolate':
      return [F.interpolate(t, options(k, [])), null];
  }
  throw new Error(`no op ${c.op}`);
}

describe('float64 convolution, pooling and resampling (torch 1.13)', () => {
  for (const c of fx.cases) {
    const label = `${c.op} ${c.args.map((a) => (a ? `[${a.shape}]` : 'null')).join(', ')} (${c.note})`;
    it(`${label}: values and gradients on every ISA, 1 and 2 threads`, () => {
      for (const isa of supportedIsas) {
        for (const threads of [1, 2]) {
          withIsa(isa, () =>
            withThreads(threads, () => {
              const what = `${isa}/${threads} ${label}`;
              const args = c.args.map((e) => (e ? decodeFloat64(e).requiresGrad_(true) : null));
              const [y, idx] = apply(c, args);
              expectCloseFloat64(y, c.out, `${what} output`);
              if (c.indices)
                expect(Array.from((idx as Tensor).toTypedArray()), `${what} indices`).toEqual(c.indices.data);
              y.backward(decodeFloat64(c.gradOut));
              args.forEach((a, i) => {
                if (a) expectCloseFloat64(a.grad as Tensor, c.grads[i] as EncodedFloat64, `${what} grad ${i}`);
              });
            }),
          );
        }
      }
    });
  }
});

describe('float64 convolution: dtypes and gradcheck at tight tolerances', () => {
  it('operands of mixed dtypes are an error, as in torch; no float32 computation behind it', () => {
    const x = randn([1, 2, 5, 5], { dtype: 'float64' });
    const w = randn([3, 2, 3, 3]);
    expect(() => m.conv2d(x, w)).toThrow(/conv2d: input \(float64\), weight \(float32\) must have the same dtype/);
    expect(() => m.conv2d(x, w.double(), randn([3]))).toThrow(
      /conv2d: input \(float64\), weight \(float64\) and bias \(float32\) must have the same dtype/,
    );
    expect(() => m.convTranspose2d(x.float(), randn([2, 3, 3, 3], { dtype: 'float64' }))).toThrow(
      /convTranspose2d: input \(float32\), weight \(float64\) must have the same dtype/,
    );
    expect(m.conv2d(x, w.double()).dtype).toBe('float64');
  });

  it('conv2d and convTranspose2d pass gradcheck (eps 1e-6, atol 1e-8, rtol 1e-7)', () => {
    const opts = { eps: 1e-6, atol: 1e-8, rtol: 1e-7 };
    const r = (...shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
    const conv = (x: Tensor, w: Tensor, b: Tensor) => m.conv2d(x, w, b, { stride: 2, padding: 1, groups: 2 });
    expect(gradcheck(conv, [r(2, 4, 5, 6), r(4, 2, 3, 3), r(4)], opts)).toBe(true);
    const tconv = (x: Tensor, w: Tensor) => m.convTranspose2d(x, w, null, { stride: 2, outputPadding: 1 });
    expect(gradcheck(tconv, [r(1, 3, 3, 4), r(3, 2, 3, 2)], opts)).toBe(true);
  });
});

describe('a CNN after .double()', () => {
  // SimpleCNN's stack (test/helpers/models.ts) without its BatchNorms, on small planes.
  const cnn = () =>
    new m.nn.Sequential(
      new m.nn.Conv2d(3, 8, 3, { padding: 1 }),
      new m.nn.ReLU(),
      new m.nn.MaxPool2d(2),
      new m.nn.Conv2d(8, 16, 3, { padding: 1 }),
      new m.nn.ReLU(),
      new m.nn.MaxPool2d(2),
      new m.nn.Conv2d(16, 32, 3, { padding: 1 }),
      new m.nn.ReLU(),
      new m.nn.AdaptiveAvgPool2d([1, 1]),
      new m.nn.Flatten(),
      new m.nn.Linear(32, 10),
    );

  it('computes forward and backward in float64, close to the same model in float32', () => {
    m.manualSeed(3);
    const model = cnn();
    const x = randn([4, 3, 12, 12]);
    const target = randn([4, 10]);
    const loss32 = F.mseLoss(model.call(x) as Tensor, target);
    loss32.backward();
    const grads32 = [...model.parameters()].map((p) => p.grad as Tensor);

    model.double(); // converts the float32 gradients too: cleared before the float64 pass
    model.zeroGrad();
    const loss64 = F.mseLoss(model.call(x.double()) as Tensor, target.double());
    expect(loss64.dtype).toBe('float64');
    loss64.backward();
    // float32 carries about 7 digits through the stack: the two agree to float32's rounding.
    expect(Math.abs(loss64.item() - loss32.item())).toBeLessThan(1e-5 * (1 + Math.abs(loss64.item())));
    [...model.parameters()].forEach((p, i) => {
      const g = p.grad as Tensor;
      expect(g.dtype, `grad ${i}`).toBe('float64');
      const want = grads32[i].toTypedArray();
      const got = g.toTypedArray();
      let scale = 0;
      for (const v of want) scale = Math.max(scale, Math.abs(v));
      for (let j = 0; j < want.length; j++)
        expect(Math.abs(got[j] - want[j]), `grad ${i}[${j}]`).toBeLessThan(1e-4 * scale);
    });
  });

  it('passes gradcheck in float64 through every layer', () => {
    m.manualSeed(4);
    const model = cnn().double();
    const x = randn([2, 3, 8, 8], { dtype: 'float64', requiresGrad: true });
    expect(gradcheck((t: Tensor) => model.call(t) as Tensor, [x], { eps: 1e-6, atol: 1e-7, rtol: 1e-6 })).toBe(true);
  });
});

describe('the spatial modules after .double()', () => {
  it('padding, transposed convolution, upsampling, fold and unfold run in float64 with gradcheck', () => {
    m.manualSeed(5);
    const model = new m.nn.Sequential(
      new m.nn.ReflectionPad2d(1),
      new m.nn.Conv2d(2, 3, 3),
      new m.nn.ReplicationPad2d([1, 0, 0, 1]),
      new m.nn.ConvTranspose2d(3, 2, 2, { stride: 2 }),
      new m.nn.Upsample({ scaleFactor: 0.5, mode: 'bilinear' }),
      new m.nn.ZeroPad2d(1),
      new m.nn.AvgPool2d(2),
      new m.nn.Unfold(2),
      new m.nn.Fold(3, 2),
    ).double();
    const x = randn([1, 2, 4, 4], { dtype: 'float64', requiresGrad: true });
    const y = model.call(x) as Tensor;
    expect(y.dtype).toBe('float64');
    expect(y.shape).toEqual([1, 2, 3, 3]);
    expect(gradcheck((t: Tensor) => model.call(t) as Tensor, [x], { eps: 1e-6, atol: 1e-8, rtol: 1e-7 })).toBe(true);
  });
});
