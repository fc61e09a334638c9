// The quantized layers' weights packed once for the int8 GEMM (their column sums and
// micro-panels) against packing them on every product: the same integer sums, so the same bits,
// for nn.Linear and nn.LSTM on every ISA at the register tile's edges (M = 1, 2, mr - 1, mr + 1
// of the 4 x 16 AVX2 and 6 x 16 / 6 x 64 VNNI tiles; N and K tails); a packing made under one
// kernel table is packed again under another, and one of a replaced weight is never used.
import { afterEach, describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { setWeightPrepackingForTesting } from '../../lib/quantization/dynamic.js';
import { allSupportedIsas, withIsa, withThreads } from '../helpers/native.js';

const { nn, quantization } = m;

afterEach(() => {
  setWeightPrepackingForTesting(true);
});

/** The layer's output with packed weights and with weights packed per product, bit for bit. */
function expectSameBits(layer: m.nn.Module, run: () => m.Tensor[], what: string): void {
  const packed = run().map((t) => t.toTypedArray() as Float32Array);
  setWeightPrepackingForTesting(false);
  const perCall = run().map((t) => t.toTypedArray() as Float32Array);
  setWeightPrepackingForTesting(true);
  expect(packed.length).toBe(perCall.length);
  for (let t = 0; t < packed.length; t++) {
    expect(packed[t].length).toBe(perCall[t].length);
    for (let e = 0; e < packed[t].length; e++)
      if (!Object.is(packed[t][e], perCall[t][e]))
        expect.fail(
          `${what} (${layer.constructor.name}), output ${t} element ${e}: ${packed[t][e]} vs ${perCall[t][e]}`,
        );
  }
}

/** A quantized Linear whose weight has non-zero zero points (the row-sum correction runs too). */
function asymmetricLinear(inF: number, outF: number): m.quantization.DynamicQuantizedLinear {
  const w = m.randn([outF, inF]);
  const scales = Array.from({ length: outF }, (_, j) => 0.01 + 0.001 * j);
  const zeros = Array.from({ length: outF }, (_, j) => (j % 7) - 3);
  return new quantization.DynamicQuantizedLinear(
    quantization.quantizePerChannel(w, scales, zeros, 0, 'qint8'),
    m.randn([outF]),
  );
}

describe('pre-packed int8 weights', () => {
  for (const isa of allSupportedIsas) {
    it(`nn.Linear: the same bits as packing per product (${isa}, 1 and 2 threads)`, () => {
      m.manualSeed(7);
      const layers = [
        quantization.DynamicQuantizedLinear.fromFloat(new nn.Linear(37, 23)),
        quantization.DynamicQuantizedLinear.fromFloat(new nn.Linear(64, 16), 'per_tensor'),
        quantization.DynamicQuantizedLinear.fromFloat(new nn.Linear(9, 65)),
        asymmetricLinear(70, 33),
      ];
      withIsa(isa, () => {
        for (const threads of [1, 2])
          withThreads(threads, () => {
            for (const layer of layers)
              for (const rows of [1, 2, 3, 5, 7, 13, 64]) {
                const x = m.randn([rows, layer.inFeatures]);
                expectSameBits(layer, () => [layer.call(x) as m.Tensor], `${isa} ${threads}t ${rows} rows`);
              }
          });
      });
    });

    it(`nn.LSTM: the same bits as packing per product (${isa})`, () => {
      m.manualSeed(8);
      const lstm = new nn.LSTM(13, 21, { numLayers: 2, bidirectional: true });
      const q = quantization.DynamicQuantizedLSTM.fromFloat(lstm);
      withIsa(isa, () => {
        for (const batch of [1, 2, 3, 5]) {
          const x = m.randn([6, batch, 13]);
          const lengths = Array.from({ length: batch }, (_, b) => 6 - (b % 3));
          expectSameBits(
            q,
            () => {
              const [y, [hn, cn]] = q.call(x) as [m.Tensor, [m.Tensor, m.Tensor]];
              const [yl] = q.call(x, null, { lengths }) as [m.Tensor, unknown];
              return [y, hn, cn, yl];
            },
            `${isa} batch ${batch}`,
          );
        }
      });
    });
  }

  it('packs again under another kernel table, and gives that table its own bits', () => {
    m.manualSeed(9);
    const layer = quantization.DynamicQuantizedLinear.fromFloat(new nn.Linear(40, 30));
    const x = m.randn([5, 40]);
    for (const isa of [...allSupportedIsas, ...allSupportedIsas])
      withIsa(isa, () => expectSameBits(layer, () => [layer.call(x) as m.Tensor], `${isa} after another table`));
  });

  it('never uses the packing of a weight that loadStateDict replaced', () => {
    m.manualSeed(10);
    const make = () => new nn.Sequential(new nn.Linear(20, 18), new nn.ReLU(), new nn.Linear(18, 5));
    const a = quantization.quantizeDynamic(make());
    const b = quantization.quantizeDynamic(make());
    const x = m.randn([3, 20]);
    const before = (a.call(x) as m.Tensor).tolist();
    const want = (b.call(x) as m.Tensor).tolist();
    expect(before).not.toEqual(want);
    a.loadStateDict(b.stateDict());
    expect((a.call(x) as m.Tensor).tolist()).toEqual(want);

    const lstmA = quantization.DynamicQuantizedLSTM.fromFloat(new nn.LSTM(7, 9));
    const lstmB = quantization.DynamicQuantizedLSTM.fromFloat(new nn.LSTM(7, 9));
    const xs = m.randn([4, 2, 7]);
    const out = (q: m.nn.Module) => (q.call(xs) as [m.Tensor, unknown])[0].tolist();
    const wantLstm = out(lstmB);
    expect(out(lstmA)).not.toEqual(wantLstm);
    lstmA.loadStateDict(lstmB.stateDict());
    expect(out(lstmA)).toEqual(wantLstm);
  });

  it('keeps the state dict free of the packing', () => {
    const q = quantization.quantizeDynamic(new nn.Sequential(new nn.Linear(8, 4)));
    q.call(m.randn([2, 8]));
    const sd = q.stateDict();
    expect(Object.keys(sd)).toEqual(['0.weight', '0.bias']);
    expect(sd['0.weight'].dtype).toBe('qint8');
  });
});
