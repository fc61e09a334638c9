// Dynamic quantization of Linear layers against PyTorch 1.13's quantize_dynamic
// (test/fixtures/lowp.json, scripts/gen_fixtures_lowp.py): the qint8 weights and their scales bit
// for bit, the activation's scale and zero point exactly, the output within one quantization
// step (in fact within the fp32 rounding of the output pass); the copy, the state dict round
// trip, the summary, and the errors.
import { Buffer } from 'node:buffer';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';
import { native } from '../../lib/native.js';
import { withIsa, withThreads } from '../helpers/native.js';

const { nn, quantization } = m;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

interface DynamicCase {
  inFeatures: number;
  outFeatures: number;
  perChannel: boolean;
  weight: number[];
  bias: number[] | null;
  x: number[];
  xShape: number[];
  y: number[];
  yShape: number[];
  wIntRepr: number[];
  wScales: number[];
  wZeroPoints: number[];
  actScale: number;
  actZeroPoint: number;
}
const cases = loadFixture<{ dynamicLinear: DynamicCase[] }>('lowp').dynamicLinear;
const floats = (bits: number[]) => new Float32Array(Int32Array.from(bits).buffer);

function linearOf(c: DynamicCase): InstanceType<typeof nn.Linear> {
  const lin = new nn.Linear(c.inFeatures, c.outFeatures, { bias: c.bias !== null });
  lin.weight.storage.data.set(floats(c.weight));
  if (c.bias !== null) lin.bias!.storage.data.set(floats(c.bias));
  return lin;
}

describe('quantizeDynamic against torch', () => {
  it("quantizes the weights as torch's observers do, bit for bit", () => {
    for (const c of cases) {
      const q = quantization.quantizeDynamic(new nn.Sequential(linearOf(c)), {
        scheme: c.perChannel ? 'per_channel' : 'per_tensor',
      }) as InstanceType<typeof nn.Sequential>;
      const ql = (q as unknown as Record<string, m.quantization.DynamicQuantizedLinear>)['0'];
      expect(ql).toBeInstanceOf(quantization.DynamicQuantizedLinear);
      const w = ql.weight;
      expect(w.dtype).toBe('qint8');
      expect(Array.from(w.intRepr().toTypedArray() as Int8Array)).toEqual(c.wIntRepr);
      if (c.perChannel) {
        expect(w.qPerChannelScales().tolist()).toEqual(c.wScales);
        expect(w.qPerChannelZeroPoints().tolist()).toEqual(c.wZeroPoints);
      } else {
        expect([w.qScale()]).toEqual(c.wScales);
        expect([w.qZeroPoint()]).toEqual(c.wZeroPoints);
      }
    }
  });

  it("chooses torch's activation scale and zero point (reduce_range)", () => {
    for (const c of cases) {
      const x = floats(c.x);
      const { scale, zeroPoint } = quantization.chooseActivationQParams(Math.min(...x), Math.max(...x));
      expect(scale).toBe(Math.fround(c.actScale));
      expect(zeroPoint).toBe(c.actZeroPoint);
    }
  });

  for (const isa of ['native', 'avx2', 'scalar'] as const) {
    it(`gives torch's outputs within one quantization step (${isa}, 1 and 2 threads)`, () => {
      for (const c of cases) {
        const q = quantization.quantizeDynamic(linearOf(c), { scheme: c.perChannel ? 'per_channel' : 'per_tensor' });
        const x = m.Tensor.fromData(floats(c.x), c.xShape);
        const want = floats(c.y);
        for (const threads of [1, 2]) {
          const y = withThreads(threads, () => (isa === 'native' ? q.call(x) : withIsa(isa, () => q.call(x))));
          expect(y.shape).toEqual(c.yShape);
          const got = y.data as Float32Array;
          // One step: one input element landing on the next quantization level moves an output
          // by the activation scale times that weight's magnitude (at most the row's largest).
          const ql = q as m.quantization.DynamicQuantizedLinear;
          const wdq = ql.weight.dequantize().data as Float32Array;
          for (let i = 0; i < got.length; i++) {
            const j = i % c.outFeatures;
            let wmax = 0;
            for (let k = 0; k < c.inFeatures; k++) wmax = Math.max(wmax, Math.abs(wdq[j * c.inFeatures + k]));
            const step = Math.fround(c.actScale) * wmax;
            const diff = Math.abs(got[i] - want[i]);
            expect(diff, `case ${cases.indexOf(c)} element ${i}`).toBeLessThanOrEqual(step + 1e-6 * Math.abs(want[i]));
            // In fact the int32 sums are torch's: only the fp32 roundings of the output pass
            // (scale, then bias) differ, a few ulps of the terms.
            const bias = c.bias === null ? 0 : Math.abs(floats(c.bias)[j]);
            expect(diff, `case ${cases.indexOf(c)} element ${i} (rounding)`).toBeLessThanOrEqual(
              2 ** -20 * (Math.abs(want[i]) + bias + step),
            );
          }
        }
      }
    });
  }
});

describe('DynamicQuantizedLinear on large batches', () => {
  it('writes every element of an output of 2^16 elements or more (not zero-filled first)', () => {
    // Rows 0-1 hold the whole input's minimum and maximum, so any batch that starts with them gets
    // the same activation scale and zero point: rows 0-199 alone (51,200 outputs) and rows 0-1
    // with 200-299 (26,112), both under the unfilled threshold and so zero-filled, are the
    // reference for every row of the large batch (76,800 outputs, an unfilled array).
    m.manualSeed(3);
    const q = quantization.DynamicQuantizedLinear.fromFloat(new nn.Linear(8, 256));
    const x = m.rand([300, 8]);
    const xd = x.data as Float32Array;
    xd[0] = -2;
    xd[9] = 3;
    const head = q.call(x.narrow(0, 0, 200).contiguous()).data as Float32Array;
    const tail = q.call(m.cat([x.narrow(0, 0, 2), x.narrow(0, 200, 100)], 0)).data as Float32Array;
    const want = new Float32Array(300 * 256);
    want.set(head);
    want.set(tail.subarray(2 * 256), 200 * 256);
    // NaN bytes (0xff) in freed blocks of the output's size, collected, so that malloc may hand one
    // back to the unfilled output; an element left unwritten that reads 0 instead (a fresh mapping)
    // still differs from the reference.
    for (let i = 0; i < 4; i++) Buffer.allocUnsafeSlow(4 * 300 * 256).fill(0xff);
    gc();
    const big = q.call(x).data as Float32Array;
    expect(big.length).toBe(want.length);
    let bad = -1;
    for (let i = 0; i < big.length && bad < 0; i++) if (!Object.is(big[i], want[i])) bad = i;
    expect(bad, bad < 0 ? '' : `element ${bad}: ${big[bad]}, want ${want[bad]}`).toBe(-1);
  });
});

describe('quantizeDynamic on a model', () => {
  const make = () =>
    new nn.Sequential(new nn.Linear(6, 16), new nn.ReLU(), new nn.Sequential(new nn.Linear(16, 4)), new nn.Softmax(-1));

  it('returns a copy with every Linear quantized and the original untouched', () => {
    const model = make();
    const before = model.stateDict();
    const q = quantization.quantizeDynamic(model, { types: [nn.Linear], dtype: 'qint8' });
    expect(q).not.toBe(model);
    expect(q.toString()).toBe(
      'Sequential(\n' +
        '  (0): DynamicQuantizedLinear(in_features=6, out_features=16, dtype=qint8, qscheme=per_channel_symmetric)\n' +
        '  (1): ReLU()\n' +
        '  (2): Sequential(\n' +
        '    (0): DynamicQuantizedLinear(in_features=16, out_features=4, dtype=qint8, qscheme=per_channel_symmetric)\n' +
        '  )\n' +
        '  (3): Softmax(dim=-1)\n' +
        ')',
    );
    const after = model.stateDict();
    for (const k of Object.keys(before)) expect(after[k].tolist()).toEqual(before[k].tolist());
    expect((model as unknown as Record<string, unknown>)['0']).toBeInstanceOf(nn.Linear);
    const x = m.randn([32, 6]);
    const y = q.call(x) as m.Tensor;
    const ref = model.call(x) as m.Tensor;
    expect(y.shape).toEqual([32, 4]);
    expect(m.allclose(y, ref, { atol: 0.05 })).toBe(true);
    expect(y.requiresGrad).toBe(false);
    expect(q.parameters().next().done).toBe(true);
  });

  it('round-trips its state dict into another quantized model', () => {
    const q = quantization.quantizeDynamic(make());
    const sd = q.stateDict();
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias', '2.0.weight', '2.0.bias']);
    expect(sd['0.weight'].dtype).toBe('qint8');
    const other = quantization.quantizeDynamic(make());
    const x = m.randn([5, 6]);
    expect((other.call(x) as m.Tensor).tolist()).not.toEqual((q.call(x) as m.Tensor).tolist());
    other.loadStateDict(sd);
    expect((other.call(x) as m.Tensor).tolist()).toEqual((q.call(x) as m.Tensor).tolist());
    const perTensor = quantization.quantizeDynamic(make(), { scheme: 'per_tensor' });
    expect(() => perTensor.loadStateDict(sd)).toThrow(/loadStateDict: quantization mismatch for '0.weight'/);
  });

  it('shows the int8 size in nn.summary', () => {
    const model = new nn.Sequential(new nn.Linear(784, 256), new nn.ReLU(), new nn.Linear(256, 10));
    const fp = nn.summary(model, [1, 784]);
    const q = nn.summary(quantization.quantizeDynamic(model), [1, 784]);
    expect(q.totalParams).toBe(fp.totalParams);
    expect(q.trainableParams).toBe(0);
    // int8 weights (and fp32 biases, scales and zero points) against fp32 everywhere: about a quarter.
    const weights = 784 * 256 + 256 * 10;
    expect(q.paramBytes).toBe(weights + 4 * (256 + 10) + (8 + 4) * (256 + 10));
    expect(fp.paramBytes).toBe(4 * fp.totalParams);
    expect(q.toString()).toMatch(/Params size \(MB\): 0\.21/);
    // The weights' copies packed for the GEMM (made by the summary's forward), as gemmU8S8PackB sizes them.
    const packed = [
      [256, 784],
      [10, 256],
    ].reduce(
      (a, [n, k]) =>
        a + native.gemmU8S8PackB({ n, k, b: new Int8Array(n * k), bOffset: 0, ldb: k, transB: true }).byteLength,
      0,
    );
    expect(q.packedBytes).toBe(packed);
    expect(q.totalBytes).toBe(q.inputBytes + q.forwardBackwardBytes + q.paramBytes + packed);
    expect(q.toString()).toContain(`Packed weights size (MB): ${(packed / 1e6).toFixed(2)}`);
    expect(fp.packedBytes).toBe(0);
    expect(fp.toString()).not.toContain('Packed');
  });

  it('refuses what it cannot do', () => {
    expect(() => quantization.quantizeDynamic({} as never)).toThrow(/quantizeDynamic: model must be a Module/);
    expect(() => quantization.quantizeDynamic(make(), { types: [nn.GRU as never] })).toThrow(
      /types must list nn.Linear and\/or nn.LSTM/,
    );
    expect(() => quantization.quantizeDynamic(make(), { dtype: 'float16' as never })).toThrow(/dtype must be 'qint8'/);
    expect(() => quantization.quantizeDynamic(make(), { inplace: true } as never)).toThrow(/inplace/);
    const q = quantization.quantizeDynamic(new nn.Linear(3, 2));
    expect(() => q.call(m.randn([2, 4]))).toThrow(
      /DynamicQuantizedLinear: input of shape \[2,4\] does not end in 3 features/,
    );
    expect(() => q.call(m.randn([2, 3]).double())).toThrow(/input must be float32, got float64/);
    expect(() => q.call(m.tensor([[1, Number.POSITIVE_INFINITY, 0]]))).toThrow(/NaN or an infinity/);
    expect(() => q.call(m.tensor([[1, Number.NaN, 0]]))).toThrow(/NaN or an infinity/);
    expect((q.call(m.zeros([0, 3])) as m.Tensor).shape).toEqual([0, 2]);
    const D = quantization.DynamicQuantizedLinear;
    expect(() => new D(m.randn([2, 3]))).toThrow(/DynamicQuantizedLinear: weight must be a qint8 Tensor/);
    const w = m.quantizePerTensor(m.randn([2, 3]), 0.1, 0, 'qint8');
    expect(() => new D(w, m.randn([3]))).toThrow(/bias must be \[2\], got shape \[3\]/);
    expect(() => new D(m.quantizePerChannel(m.randn([2, 3]), [1, 1, 1], [0, 0, 0], 1, 'qint8'))).toThrow(/axis 1/);
    expect(new D(w).call(m.zeros([1, 3])).tolist()).toEqual([[0, 0]]);
    // All zeros: scale 0.1 (torch's fallback for an empty range), every product 0, the bias exactly.
    const bias = (q as m.quantization.DynamicQuantizedLinear).bias!.tolist();
    expect((q.call(m.zeros([4, 3])) as m.Tensor).tolist()).toEqual([bias, bias, bias, bias]);
  });
});
