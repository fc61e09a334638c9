// The dynamically quantized LSTM against PyTorch 1.13's quantize_dynamic of nn.LSTM
// (test/fixtures/lowp.json, scripts/gen_fixtures_lowp.py): layers, directions, batchFirst,
// initial states and packed (lengths) sequences, on every ISA at 1 and 2 threads; then what a
// quantized LSTM must keep of nn.LSTM (unbatched input, no bias, the state dict, the summary) and
// its errors.
import { describe, expect, it, vi } from 'vitest';
import * as m from '../../lib/index.js';
import { native } from '../../lib/native.js';
import { quantizeWeight } from '../../lib/quantization/dynamic.js';
import { loadFixture } from '../helpers/fixtures.js';
import { withIsa, withThreads } from '../helpers/native.js';

const { nn, quantization } = m;

// quantizeWeight, counted: fromFloat must quantize each weight once.
vi.mock('../../lib/quantization/dynamic.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/quantization/dynamic.js')>();
  return { ...actual, quantizeWeight: vi.fn(actual.quantizeWeight) };
});

interface LSTMCase {
  inputSize: number;
  hiddenSize: number;
  numLayers: number;
  bidirectional: boolean;
  batchFirst: boolean;
  bias: boolean;
  perChannel: boolean;
  lengths: number[] | null;
  params: Record<string, number[]>;
  x: number[];
  xShape: number[];
  hx: [number[], number[]] | null;
  y: number[];
  yShape: number[];
  hn: number[];
  cn: number[];
}
const cases = loadFixture<{ dynamicLSTM: LSTMCase[] }>('lowp').dynamicLSTM;
const floats = (bits: number[]) => new Float32Array(Int32Array.from(bits).buffer);

function floatLSTM(c: LSTMCase): InstanceType<typeof nn.LSTM> {
  const lstm = new nn.LSTM(c.inputSize, c.hiddenSize, {
    numLayers: c.numLayers,
    bidirectional: c.bidirectional,
    batchFirst: c.batchFirst,
    bias: c.bias,
  });
  const params = lstm as unknown as Record<string, m.Tensor>;
  for (const [name, bits] of Object.entries(c.params)) params[name].storage.data.set(floats(bits));
  return lstm;
}

function run(q: m.quantization.DynamicQuantizedLSTM, c: LSTMCase) {
  const x = m.Tensor.fromData(floats(c.x), c.xShape);
  const D = c.bidirectional ? 2 : 1;
  const B = c.xShape[c.batchFirst ? 0 : 1];
  const stateShape = [c.numLayers * D, B, c.hiddenSize];
  const hx = c.hx ? (c.hx.map((s) => m.Tensor.fromData(floats(s), stateShape)) as [m.Tensor, m.Tensor]) : null;
  return q.call(x, hx, c.lengths ? { lengths: c.lengths } : {});
}

function expectClose(got: m.Tensor, bits: number[], shape: number[], what: string): void {
  expect(got.shape, what).toEqual(shape);
  const g = got.contiguous().data as Float32Array;
  const w = floats(bits);
  for (let i = 0; i < w.length; i++) {
    // The int32 sums are torch's; the fp32 output pass and the cell's sigmoid and tanh differ by
    // an ulp or two. An activation landing on another quantization level would move outputs by
    // about 1e-2, far outside this.
    expect(Math.abs(g[i] - w[i]), `${what} element ${i}: ${g[i]} vs ${w[i]}`).toBeLessThanOrEqual(
      1e-6 * (1 + Math.abs(w[i])),
    );
  }
}

describe('quantizeDynamic of nn.LSTM against torch', () => {
  for (const isa of ['native', 'avx2', 'scalar'] as const) {
    it(`gives torch's output and final states (${isa}, 1 and 2 threads)`, () => {
      for (const [n, c] of cases.entries()) {
        const model = new nn.Sequential(floatLSTM(c));
        const q = quantization.quantizeDynamic(model, {
          types: [nn.LSTM],
          scheme: c.perChannel ? 'per_channel' : 'per_tensor',
        });
        const ql = (q as unknown as Record<string, m.quantization.DynamicQuantizedLSTM>)['0'];
        expect(ql).toBeInstanceOf(quantization.DynamicQuantizedLSTM);
        for (const threads of [1, 2]) {
          const go = () => run(ql, c);
          const [y, [hn, cn]] = withThreads(threads, () => (isa === 'native' ? go() : withIsa(isa, go)));
          const D = c.bidirectional ? 2 : 1;
          const B = c.xShape[c.batchFirst ? 0 : 1];
          const states = [c.numLayers * D, B, c.hiddenSize];
          expectClose(y, c.y, c.yShape, `case ${n} output`);
          expectClose(hn, c.hn, states, `case ${n} h_n`);
          expectClose(cn, c.cn, states, `case ${n} c_n`);
        }
      }
    });
  }

  it('quantizes each weight as DynamicQuantizedLinear does and keeps the biases', () => {
    const c = cases[2];
    const lstm = floatLSTM(c);
    const q = quantization.DynamicQuantizedLSTM.fromFloat(lstm);
    const params = lstm as unknown as Record<string, m.Tensor>;
    const bufs = q as unknown as Record<string, m.Tensor>;
    for (const name of Object.keys(c.params)) {
      if (name.startsWith('bias')) {
        expect(bufs[name].dtype).toBe('float32');
        expect(Array.from(bufs[name].data as Float32Array)).toEqual(Array.from(params[name].data as Float32Array));
        continue;
      }
      const lin = new nn.Linear(params[name].shape[1], params[name].shape[0]);
      lin.weight.storage.data.set(params[name].data as Float32Array);
      const want = quantization.DynamicQuantizedLinear.fromFloat(lin).weight;
      expect(bufs[name].dtype).toBe('qint8');
      expect(bufs[name].intRepr().tolist()).toEqual(want.intRepr().tolist());
      expect(bufs[name].qPerChannelScales().tolist()).toEqual(want.qPerChannelScales().tolist());
    }
  });
});

describe('DynamicQuantizedLSTM', () => {
  const c = cases[2]; // two layers, both directions, initial states

  it("quantizes each weight of the float LSTM once and draws no random numbers (the user's stream)", () => {
    const lstm = new nn.LSTM(4, 6, { numLayers: 2, bidirectional: true });
    const model = new nn.Sequential(lstm);
    const before = m.defaultGenerator.getState();
    const want = m.randn([8]).tolist();
    for (const quantize of [
      () => quantization.DynamicQuantizedLSTM.fromFloat(lstm),
      () => quantization.quantizeDynamic(model),
    ]) {
      m.defaultGenerator.setState(before);
      vi.mocked(quantizeWeight).mockClear();
      quantize();
      expect(vi.mocked(quantizeWeight)).toHaveBeenCalledTimes(8); // W_ih and W_hh of 2 layers x 2 directions
      expect(m.randn([8]).tolist()).toEqual(want);
    }
  });

  it('runs unbatched input as a batch of one', () => {
    const q = quantization.DynamicQuantizedLSTM.fromFloat(new nn.LSTM(4, 6, { numLayers: 2, bidirectional: true }));
    const x = m.randn([5, 4]);
    const h0 = m.randn([4, 6]);
    const c0 = m.randn([4, 6]);
    const [y, [hn, cn]] = q.call(x, [h0, c0]);
    const [yb, [hnb, cnb]] = q.call(x.unsqueeze(1), [h0.unsqueeze(1), c0.unsqueeze(1)]);
    expect(y.shape).toEqual([5, 12]);
    expect(hn.shape).toEqual([4, 6]);
    expect(y.tolist()).toEqual(yb.squeeze(1).tolist());
    expect(hn.tolist()).toEqual(hnb.squeeze(1).tolist());
    expect(cn.tolist()).toEqual(cnb.squeeze(1).tolist());
  });

  it('without biases equals zero biases', () => {
    const withBias = new nn.LSTM(3, 5);
    const noBias = new nn.LSTM(3, 5, { bias: false });
    const wb = withBias as unknown as Record<string, m.Tensor>;
    const nb = noBias as unknown as Record<string, m.Tensor>;
    m.noGrad(() => {
      nb.weight_ih_l0.copy_(wb.weight_ih_l0);
      nb.weight_hh_l0.copy_(wb.weight_hh_l0);
      wb.bias_ih_l0.zero_();
      wb.bias_hh_l0.zero_();
    });
    const x = m.randn([4, 2, 3]);
    const a = quantization.DynamicQuantizedLSTM.fromFloat(withBias).call(x)[0];
    const b = quantization.DynamicQuantizedLSTM.fromFloat(noBias).call(x)[0];
    expect(b.tolist()).toEqual(a.tolist());
    expect(Object.keys(quantization.DynamicQuantizedLSTM.fromFloat(noBias).stateDict())).toEqual([
      'weight_ih_l0',
      'weight_hh_l0',
    ]);
  });

  it("round-trips its state dict (nn.LSTM's keys) and records no gradient", () => {
    const q = quantization.DynamicQuantizedLSTM.fromFloat(floatLSTM(c));
    const sd = q.stateDict();
    expect(Object.keys(sd)).toEqual(Object.keys(c.params));
    const fresh = new quantization.DynamicQuantizedLSTM(c.inputSize, c.hiddenSize, {
      numLayers: c.numLayers,
      bidirectional: c.bidirectional,
    });
    const x = m.Tensor.fromData(floats(c.x), c.xShape);
    expect(fresh.call(x)[0].tolist()).not.toEqual(q.call(x)[0].tolist());
    fresh.loadStateDict(sd);
    expect(fresh.call(x)[0].tolist()).toEqual(q.call(x)[0].tolist());
    const y = q.call(m.randn([3, 2, c.inputSize], { requiresGrad: true }))[0];
    expect(y.requiresGrad).toBe(false);
  });

  it('prints and sums up as PyTorch names it', () => {
    const model = new nn.Sequential(new nn.LSTM(64, 128, { numLayers: 2, batchFirst: true }));
    const q = quantization.quantizeDynamic(model);
    expect(q.toString()).toBe('Sequential(\n  (0): DynamicQuantizedLSTM(64, 128, num_layers=2, batch_first=True)\n)');
    const fp = nn.summary(model, [2, 5, 64]);
    const qs = nn.summary(q, [2, 5, 64]);
    expect(qs.totalParams).toBe(fp.totalParams);
    expect(qs.totalMacs).toBe(fp.totalMacs);
    // int8 weights with a float64 scale and int32 zero point per row, fp32 biases.
    expect(qs.paramBytes).toBeLessThan(fp.paramBytes / 3);
    // Each of the 4 weights packed once for the GEMM, as gemmU8S8PackB sizes them.
    const pack = (n: number, k: number) =>
      native.gemmU8S8PackB({ n, k, b: new Int8Array(n * k), bOffset: 0, ldb: k, transB: true }).byteLength;
    expect(qs.packedBytes).toBe(pack(512, 64) + 3 * pack(512, 128));
    expect(fp.packedBytes).toBe(0);
  });

  it('quantizes LSTMs by default and leaves them with types: [nn.Linear]', () => {
    const model = new nn.Sequential(new nn.LSTM(3, 4), new nn.Linear(4, 2));
    const both = quantization.quantizeDynamic(model) as unknown as Record<string, unknown>;
    expect(both['0']).toBeInstanceOf(quantization.DynamicQuantizedLSTM);
    expect(both['1']).toBeInstanceOf(quantization.DynamicQuantizedLinear);
    const linearOnly = quantization.quantizeDynamic(model, { types: [nn.Linear] }) as unknown as Record<
      string,
      unknown
    >;
    expect(linearOnly['0']).toBeInstanceOf(nn.LSTM);
    expect(quantization.quantizeDynamic(new nn.LSTM(3, 4))).toBeInstanceOf(quantization.DynamicQuantizedLSTM);
  });

  it('rejects what it cannot run, naming itself', () => {
    expect(() => quantization.DynamicQuantizedLSTM.fromFloat(new nn.LSTM(4, 6, { projSize: 3 }))).toThrow(
      /DynamicQuantizedLSTM.fromFloat: an LSTM with projSize \(3\)/,
    );
    expect(() => quantization.DynamicQuantizedLSTM.fromFloat(new nn.GRU(4, 6) as never)).toThrow(
      /DynamicQuantizedLSTM.fromFloat: expected an nn.LSTM/,
    );
    expect(() => quantization.quantizeDynamic(new nn.GRU(4, 6), { types: [nn.GRU as never] })).toThrow(
      /quantizeDynamic: types must list nn.Linear and\/or nn.LSTM/,
    );
    expect(() => new quantization.DynamicQuantizedLSTM(4, 6, { projSize: 2 } as never)).toThrow(
      /DynamicQuantizedLSTM: unknown option 'projSize'/,
    );
    const q = quantization.DynamicQuantizedLSTM.fromFloat(new nn.LSTM(4, 6));
    expect(() => q.call(m.randn([3, 2, 5]))).toThrow(/DynamicQuantizedLSTM: expected input of shape/);
    expect(() => q.call(m.randn([3, 2, 4]).double())).toThrow(/DynamicQuantizedLSTM: input must be float32/);
    expect(() => q.call(m.randn([3, 2, 4]), [m.zeros([1, 3, 6]), m.zeros([1, 2, 6])])).toThrow(
      /DynamicQuantizedLSTM: expected h_0 of shape \[1,2,6\], got \[1,3,6\]/,
    );
    expect(() => q.call(m.randn([3, 2, 4]), null, { lengths: [4, 1] })).toThrow(
      /every length must be an integer in \[1, 3\]/,
    );
    expect(() => q.call(m.randn([3, 2, 4]), null, { lenghts: [1, 1] } as never)).toThrow(/unknown option 'lenghts'/);
    const inf = m.randn([3, 2, 4]);
    (inf.data as Float32Array)[5] = Number.POSITIVE_INFINITY;
    expect(() => q.call(inf)).toThrow(/DynamicQuantizedLSTM: the input holds NaN or an infinity/);
  });
});
