// Quantized tensors against PyTorch 1.13 (test/fixtures/lowp.json, scripts/gen_fixtures_lowp.py):
// quantizePerTensor / quantizePerChannel give torch's int_repr and dequantized bits; the
// accessors, views, copies, printing and conversions of the 8-bit dtypes; every other export
// refuses them with an error naming itself and the dtype.
import { describe, expect, it } from 'vitest';
import * as m from '../../lib/index.js';
import { floatsFromBits, type QuantizeCase, quantizeCases } from '../helpers/fixtures.js';
import { callables, probeRefusals } from '../helpers/refusals.js';

const cases = quantizeCases();
const bitsOf = (t: m.Tensor) => Array.from(new Int32Array((t.toTypedArray() as Float32Array).buffer));

function quantize(c: QuantizeCase): m.Tensor {
  const x = m.Tensor.fromData(floatsFromBits(c.x), c.shape);
  return c.axis === null
    ? m.quantizePerTensor(x, c.scales[0], c.zeroPoints[0], c.dtype)
    : m.quantizePerChannel(x, c.scales, c.zeroPoints, c.axis, c.dtype);
}

describe('quantizePerTensor / quantizePerChannel against torch', () => {
  it("gives torch's int_repr, dequantized bits and quantization parameters", () => {
    for (const c of cases) {
      const label = `${c.dtype} ${JSON.stringify(c.shape)} axis ${c.axis}`;
      const q = quantize(c);
      expect(q.dtype, label).toBe(c.dtype);
      expect(q.isQuantized).toBe(true);
      expect(q.shape).toEqual(c.shape);
      const ir = q.intRepr();
      expect(ir.dtype).toBe(c.dtype === 'qint8' ? 'int8' : 'uint8');
      expect(ir.isQuantized).toBe(false);
      expect(Array.from(ir.toTypedArray() as Int8Array), label).toEqual(c.intRepr);
      expect(bitsOf(q.dequantize()), label).toEqual(c.dequantized);
      expect(bitsOf(m.dequantize(q)), label).toEqual(c.dequantized);
      if (c.axis === null) {
        expect(q.qscheme()).toBe('per_tensor_affine');
        expect(q.qScale()).toBe(c.scales[0]);
        expect(q.qZeroPoint()).toBe(c.zeroPoints[0]);
        expect(() => q.qPerChannelAxis()).toThrow(/qPerChannelAxis: the tensor is quantized per tensor/);
      } else {
        expect(q.qscheme()).toBe('per_channel_affine');
        expect(q.qPerChannelAxis()).toBe(c.axis);
        expect(q.qPerChannelScales().dtype).toBe('float64');
        expect(q.qPerChannelScales().tolist()).toEqual(c.scales);
        expect(q.qPerChannelZeroPoints().tolist()).toEqual(c.zeroPoints);
        expect(() => q.qScale()).toThrow(/qScale: the tensor is quantized per channel/);
      }
    }
  });

  it('takes a negative axis, tensors of scales and zero points, and non-contiguous input', () => {
    const c = cases.find((k) => k.axis === 1 && k.shape.length === 3)!;
    const x = m.Tensor.fromData(floatsFromBits(c.x), c.shape);
    const q = m.quantizePerChannel(
      x,
      m.tensor(c.scales, { dtype: 'float64' }),
      m.tensor(c.zeroPoints, { dtype: 'int32' }),
      -2,
      c.dtype,
    );
    expect(Array.from(q.intRepr().toTypedArray() as Int8Array)).toEqual(c.intRepr);
    const t = m.quantizePerTensor(x.transpose(0, 2), 0.05, 0, 'qint8');
    const ref = m.quantizePerTensor(x.transpose(0, 2).contiguous(), 0.05, 0, 'qint8');
    expect(t.intRepr().tolist()).toEqual(ref.intRepr().tolist());
  });

  it('refuses bad arguments with errors naming the function and the values', () => {
    const x = m.randn([2, 3]);
    expect(() => m.quantizePerTensor(x, 0, 0, 'qint8')).toThrow(
      /quantizePerTensor: scale must be a finite number > 0, got 0/,
    );
    expect(() => m.quantizePerTensor(x, Number.NaN, 0, 'qint8')).toThrow(RangeError);
    expect(() => m.quantizePerTensor(x, 0.1, 128, 'qint8')).toThrow(
      /zeroPoint must be an integer in \[-128, 127\] for qint8, got 128/,
    );
    expect(() => m.quantizePerTensor(x, 0.1, -1, 'quint8')).toThrow(/\[0, 255\] for quint8/);
    expect(() => m.quantizePerTensor(x, 0.1, 0, 'int8' as never)).toThrow(/dtype must be 'qint8' or 'quint8'/);
    expect(() => m.quantizePerTensor(x.double(), 0.1, 0, 'qint8')).toThrow(/only float32 tensors can be quantized/);
    expect(() => m.quantizePerChannel(x, [0.1], [0], 1, 'qint8')).toThrow(
      /need 3 values each \(x.shape\[1\]\), got 1 and 1/,
    );
    expect(() => m.quantizePerChannel(x, [0.1, 0.1], [0, 0], 2, 'qint8')).toThrow(
      /axis must be an integer in \[-2, 1\], got 2/,
    );
    expect(() => m.quantizePerChannel(x, [0.1, -1], [0, 0], 0, 'qint8')).toThrow(
      /scales\[1\] must be a finite number > 0/,
    );
    expect(() => m.dequantize(m.tensor([1, 2], { dtype: 'int32' }))).toThrow(/dequantize: expected a quantized tensor/);
    expect(() => m.intRepr(x)).toThrow(/intRepr: expected a quantized tensor/);
  });
});

describe('the 8-bit dtypes as storage', () => {
  const q = m.quantizePerTensor(
    m.tensor([
      [0.1, -0.25, 3],
      [1, 2, -7],
    ]),
    0.05,
    3,
    'quint8',
  );

  it('views, copies and reads them', () => {
    expect(q.reshape(3, 2).dtype).toBe('quint8');
    expect(q.reshape(3, 2).storage).toBe(q.storage);
    expect(q.view(-1).qScale()).toBe(0.05);
    expect(q.clone().storage).not.toBe(q.storage);
    expect(q.clone().intRepr().tolist()).toEqual(q.intRepr().tolist());
    expect(q.contiguous()).toBe(q);
    expect(q.tolist()).toEqual([
      [Math.fround(0.1), Math.fround(-0.15), 3],
      [1, 2, Math.fround(-0.15)],
    ]);
    expect(q.reshape(6).view(6).dequantize().tolist()).toEqual(q.dequantize().reshape(6).tolist());
    const ir = q.intRepr();
    expect(ir.tolist()).toEqual([
      [5, 0, 63],
      [23, 43, 0],
    ]);
    expect(ir.reshape(3, 2).float().tolist()).toEqual([
      [5, 0],
      [63, 23],
      [43, 0],
    ]);
    expect(ir.to('int32').dtype).toBe('int32');
    expect(ir.bool().tolist()).toEqual([
      [true, false, true],
      [true, true, false],
    ]);
    expect(
      m
        .quantizePerTensor(m.tensor([-1, 1]), 1, 0, 'qint8')
        .intRepr()
        .double()
        .tolist(),
    ).toEqual([-1, 1]);
  });

  it('keeps a per-channel tensor in its shape', () => {
    const pc = m.quantizePerChannel(m.randn([2, 3]), [0.1, 0.2], [0, 1], 0, 'qint8');
    expect(pc.reshape(2, 3).qPerChannelAxis()).toBe(0);
    expect(() => pc.reshape(3, 2)).toThrow(
      /reshape of a per-channel quantized tensor: qint8 tensors are not supported yet/,
    );
  });

  it('prints them as torch does', () => {
    expect(q.toString()).toBe(
      'tensor([[ 0.1000, -0.1500,  3.0000],\n        [ 1.0000,  2.0000, -0.1500]], size=[2, 3], dtype=quint8, ' +
        'quantizationScheme=per_tensor_affine, scale=0.05, zeroPoint=3)',
    );
    expect(q.intRepr().toString()).toBe('tensor([[ 5,  0, 63],\n        [23, 43,  0]], dtype=uint8)');
    const pc = m.quantizePerChannel(m.tensor([1, -2]), [0.5, 0.25], [0, -1], 0, 'qint8');
    expect(pc.toString()).toBe(
      'tensor([ 1., -2.], size=[2], dtype=qint8, quantizationScheme=per_channel_affine, ' +
        'scale=tensor([0.5000, 0.2500], dtype=float64), zeroPoint=tensor([ 0, -1]), axis=0)',
    );
  });

  it('refuses casts to them and arithmetic promotion with them', () => {
    expect(() => m.randn([2]).to('qint8')).toThrow(/to: casts to qint8 are not supported/);
    expect(() => q.float()).toThrow(/to: quint8 tensors are not supported yet .*dequantize\(\) first/);
    expect(() => m.promoteTypes('qint8', 'float32')).toThrow(/promoteTypes: quantized dtypes do not promote/);
    expect(() => m.zeros([2], { dtype: 'qint8' })).toThrow(/zeros: qint8 tensors come from quantizePerTensor/);
  });
});

// Every export and Tensor method but the ones that view, copy, convert or quantize: given an
// quantized tensor it throws a TypeError naming itself (or the op it calls) and the dtype.
const STORAGE_OPS = new Set([
  'reshape',
  'view',
  'clone',
  'contiguous',
  'dequantize',
  'intRepr',
  'qScale',
  'qZeroPoint',
  'qPerChannelScales',
  'qPerChannelZeroPoints',
  'qPerChannelAxis',
  'qscheme',
  'formatTensor',
  'isTensor',
  'toString',
  'detach',
  'to',
  'float',
  'double',
  'bfloat16',
  'int',
  'bool',
  'cpu',
  'size',
  'dim',
  'numel',
  'isContiguous',
  'item',
  'tolist',
  'toTypedArray',
  'requiresGrad_',
  'detach_',
  'quantizePerTensor',
  'quantizePerChannel',
  '_setGradFn',
  'retainGrad',
  // no tensor argument: they return whatever they are given
  'areDeterministicAlgorithmsEnabled',
  'backendInfo',
  'getNumThreads',
  'getDefaultDtype',
  'initialSeed',
  'isAutocastEnabled',
  'isGradEnabled',
]);

describe('every other op refuses the quantized dtypes', () => {
  it('throws an error naming the dtype, never computes', () => {
    const x = m.tensor([
      [0.1, -0.25, 3],
      [1, 2, -7],
    ]);
    const makers: [string, () => m.Tensor][] = [
      ['qint8', () => m.quantizePerTensor(x, 0.05, 3, 'qint8')],
      ['quint8', () => m.quantizePerChannel(x, [0.1, 0.2], [3, 4], 0, 'quint8')],
    ];
    const fns = callables(m);
    const computed: string[] = [];
    const unnamed: string[] = [];
    for (const [dtype, make] of makers) {
      const found = probeRefusals(fns, make, STORAGE_OPS, dtype, /not supported yet|do not promote/);
      computed.push(...found.computed);
      unnamed.push(...found.unnamed);
    }
    expect(computed).toEqual([]);
    expect(unnamed).toEqual([]);
  });
});
