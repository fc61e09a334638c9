// Quantized tensors in torch.save files: what PyTorch wrote (scripts/gen_fixtures_torch_quantized.py)
// read with their integers, scales, zero points, axis, strides and shared storages; saveTorch's
// file read back the same (and by torch.load: scripts/check_save_torch.py); a quantized model's
// state dict through a file; the quantizers myelin lacks refused.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { loadTorch, readTorch, saveTorch } from '../../lib/io/torch.js';

const fixtures = new URL('../fixtures/torch/', import.meta.url);
const fixturePath = (name: string) => new URL(name, fixtures).pathname;
interface Described {
  dtype: string;
  shape: number[];
  strides?: number[];
  offset?: number;
  intRepr?: number[];
  qscheme?: string;
  scales?: number[];
  zeroPoints?: number[];
  axis?: number;
  values?: number[];
}
const expected = JSON.parse(readFileSync(fixturePath('quantized.json'), 'utf8')).tensors as Record<string, Described>;
const dir = mkdtempSync(join(tmpdir(), 'myelin-torch-quantized-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectLike(t: m.Tensor, want: Described, what: string): void {
  expect(t.dtype, what).toBe(want.dtype);
  expect(t.shape, what).toEqual(want.shape);
  if (want.intRepr === undefined) {
    expect(Array.from(t.toTypedArray() as Float32Array), what).toEqual(want.values!.map((v) => Math.fround(v)));
    return;
  }
  expect(t.strides, what).toEqual(want.strides);
  expect(t.offset, what).toBe(want.offset);
  expect(t.intRepr().reshape([-1]).tolist(), what).toEqual(want.intRepr);
  expect(m.qscheme(t), what).toBe(want.qscheme);
  if (want.axis === -1) {
    expect([t.qScale()], what).toEqual(want.scales);
    expect([t.qZeroPoint()], what).toEqual(want.zeroPoints);
  } else {
    expect(t.qPerChannelScales().tolist(), what).toEqual(want.scales);
    expect(t.qPerChannelZeroPoints().tolist(), what).toEqual(want.zeroPoints);
    expect(t.qPerChannelAxis(), what).toBe(want.axis);
  }
}

describe('loadTorch: quantized tensors', () => {
  it("reads PyTorch's quantized tensors: integers, scales, zero points, axis and views", () => {
    const { value, conversions } = readTorch(fixturePath('quantized.pt'));
    const got = value as Record<string, m.Tensor>;
    expect(Object.keys(got)).toEqual(Object.keys(expected));
    for (const [name, want] of Object.entries(expected)) expectLike(got[name], want, name);
    // The transposed view shares its storage, as in PyTorch.
    expect(got.per_tensor_quint8_t.storage).toBe(got.per_tensor_quint8.storage);
    // The per-channel zero points are int64 in the file, but the quantizer's: no tensor was converted.
    expect(conversions).toEqual([]);
  });

  it("reads them with convert: false (a quantizer's int64 zero points are no conversion), not an int64 tensor", () => {
    const got = loadTorch(fixturePath('quantized.pt'), { convert: false }) as Record<string, m.Tensor>;
    for (const [name, want] of Object.entries(expected)) expectLike(got[name], want, name);
    // Beside an int64 tensor: that one is still converted, and refused with convert: false.
    const beside = readTorch(fixturePath('quantized_int64.pt'));
    expectLike((beside.value as Record<string, m.Tensor>).q, expected.per_channel_qint8, 'q');
    expect(beside.conversions).toEqual([{ from: 'int64', to: 'int32', storages: 1, elements: 3 }]);
    expect(() => loadTorch(fixturePath('quantized_int64.pt'), { convert: false })).toThrow(
      /loadTorch: quantized_int64.pt: storage '\d+' is int64, which would be converted to int32 \(convert: false\)/,
    );
  });

  it('writes them as torch.save does, and reads its own file back', () => {
    const got = loadTorch(fixturePath('quantized.pt')) as Record<string, m.Tensor>;
    const file = join(dir, 'resaved.pt');
    saveTorch(got, file);
    const again = loadTorch(file) as Record<string, m.Tensor>;
    for (const [name, want] of Object.entries(expected)) expectLike(again[name], want, `${name} (resaved)`);
    expect(again.per_tensor_quint8_t.storage).toBe(again.per_tensor_quint8.storage);
  });

  it("carries a quantized model's state dict through a file", () => {
    const model = new m.nn.Sequential(new m.nn.Linear(6, 5), new m.nn.ReLU(), new m.nn.LSTM(5, 4));
    const q = m.quantization.quantizeDynamic(model);
    const file = join(dir, 'qmodel.pt');
    saveTorch(q.stateDict(), file);
    const fresh = m.quantization.quantizeDynamic(
      new m.nn.Sequential(new m.nn.Linear(6, 5), new m.nn.ReLU(), new m.nn.LSTM(5, 4)),
    );
    const x = m.randn([3, 2, 6]);
    const out = (mod: m.nn.Module) => {
      const y = mod.call(x) as [m.Tensor, unknown];
      return y[0].tolist();
    };
    expect(out(fresh)).not.toEqual(out(q));
    fresh.loadStateDict(loadTorch(file) as Record<string, m.Tensor>);
    expect(out(fresh)).toEqual(out(q));
  });

  it('refuses the quantized kinds myelin lacks, naming the function', () => {
    expect(() => loadTorch(fixturePath('quantized_qint32.pt'))).toThrow(/loadTorch: quantized_qint32.pt: .*qint32/);
    // Float zero points (per_channel_affine_float_qparams, pickled as per_channel_affine).
    expect(() => loadTorch(fixturePath('quantized_float_qparams.pt'))).toThrow(
      /loadTorch: quantized_float_qparams.pt: a per-channel quantizer's scales must be 2 float64 values/,
    );
  });
});
