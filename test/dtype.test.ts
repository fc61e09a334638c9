// Element types: their typed arrays, recognition and promotion (bool < int32 < float32 <
// float64, as torch), the default dtype, and float64 through creation, casts, printing and files.
import { afterEach, describe, expect, it } from 'vitest';
import { allocate, dtypeOf, isDType, promoteTypes } from '../lib/dtype.js';
import {
  arange,
  autograd,
  eye,
  finfo,
  full,
  getDefaultDtype,
  gradcheck,
  linspace,
  ones,
  rand,
  randn,
  setDefaultDtype,
  type Tensor,
  tensor,
  zeros,
} from '../lib/index.js';
import { deserialize, parseTorch, serialize, serializeTorch } from '../lib/io/index.js';

describe('dtypes', () => {
  it('allocate the typed array of each dtype, zero-filled, and read the dtype back', () => {
    for (const [dtype, Ctor] of [
      ['float32', Float32Array],
      ['float64', Float64Array],
      ['int32', Int32Array],
      ['bool', Uint8Array],
    ] as const) {
      const a = allocate(dtype, 3);
      expect(a).toBeInstanceOf(Ctor);
      expect(Array.from(a)).toEqual([0, 0, 0]);
      expect(dtypeOf(a)).toBe(dtype);
    }
  });

  it('recognise only their four names', () => {
    expect(['float32', 'float64', 'int32', 'bool'].every(isDType)).toBe(true);
    for (const x of ['float16', 'Float32', 'int', 'toString', '', undefined, null, 32]) expect(isDType(x)).toBe(false);
  });

  it('promote as torch: float64 over float32 over int32 over bool', () => {
    const order = ['bool', 'int32', 'float32', 'float64'] as const;
    for (const a of order)
      for (const b of order) expect(promoteTypes(a, b)).toBe(order[Math.max(order.indexOf(a), order.indexOf(b))]);
  });
});

describe('float64', () => {
  afterEach(() => setDefaultDtype('float32'));

  it('is stored in a Float64Array and keeps every bit of a double', () => {
    const x = tensor([1 / 3, 1e-300, -2.5], { dtype: 'float64' });
    expect(x.dtype).toBe('float64');
    expect(x.storage.data).toBeInstanceOf(Float64Array);
    expect(x.tolist()).toEqual([1 / 3, 1e-300, -2.5]);
    expect(tensor([1 / 3]).item()).toBe(Math.fround(1 / 3));
  });

  it('double() and to() convert both ways, rounding to nearest into float32', () => {
    const x = tensor([0.1, -7, 3.5]);
    const d = x.double();
    expect(d.dtype).toBe('float64');
    expect(d.tolist()).toEqual(x.tolist()); // float32 values are exact in float64
    expect(d.double()).toBe(d);
    const back = tensor([1 / 3, 2 ** -30 + 1], { dtype: 'float64' }).to('float32');
    expect(back.dtype).toBe('float32');
    expect(back.tolist()).toEqual([Math.fround(1 / 3), 1]);
    expect(tensor([2.7, -2.7], { dtype: 'float64' }).int().tolist()).toEqual([2, -2]);
    expect(tensor([2, 0], { dtype: 'int32' }).to('float64').dtype).toBe('float64');
    expect(x.to(d).dtype).toBe('float64');
  });

  it('a float that int32 cannot hold is an error in int() and to(), never a wrapped or zero int', () => {
    expect(tensor([2147483647.9, -2147483648.5], { dtype: 'float64' }).int().tolist()).toEqual([
      2147483647, -2147483648,
    ]);
    expect(() => tensor([1, 3e9]).int()).toThrow(
      'to: value 3000000000 (element 1) is out of range for int32 [-2^31, 2^31 - 1]',
    );
    expect(() => tensor([NaN]).to('int32')).toThrow(/to: value NaN \(element 0\) is out of range for int32/);
    expect(() => tensor([-Infinity], { dtype: 'float64' }).int()).toThrow(/value -Infinity/);
    // A strided view is checked in its own order, and only its elements.
    const m = tensor([
      [1, NaN],
      [2, 3],
    ]);
    expect(m.select(1, 0).int().tolist()).toEqual([1, 2]);
    expect(() => m.T.reshape([4]).int()).toThrow(/value NaN \(element 2\)/);
    expect(() => m.T.select(0, 1).int()).toThrow(/value NaN \(element 0\)/);
  });

  it('double() is differentiable: the gradient reaches the float32 input in float32', () => {
    const x = tensor([1, 2, 3]).requiresGrad_();
    const d = x.double();
    expect(d.requiresGrad).toBe(true);
    const [g] = autograd.grad(d.reshape([3, 1]).T.flip(1), [x], {
      gradOutputs: [tensor([[0.5, 0.25, 2]], { dtype: 'float64' })],
    });
    expect(g!.dtype).toBe('float32');
    expect(g!.tolist()).toEqual([2, 0.25, 0.5]);
    expect(gradcheck((t: Tensor) => t.double().T.float(), [randn([3, 2]).requiresGrad_()])).toBe(true);
  });

  it("float64 leaves require grad; gradcheck takes PyTorch's tight float64 tolerances", () => {
    const x = randn([2, 3], { dtype: 'float64' }).requiresGrad_();
    expect(x.requiresGrad).toBe(true);
    expect(gradcheck((t: Tensor) => t.permute([1, 0]).reshape([6]), [x])).toBe(true);
    expect(() => tensor([1], { dtype: 'int32' }).requiresGrad_()).toThrow(/floating point tensors/);
  });

  it('setDefaultDtype makes floating creation float64, as torch.set_default_dtype', () => {
    expect(getDefaultDtype()).toBe('float32');
    setDefaultDtype('float64');
    expect(getDefaultDtype()).toBe('float64');
    for (const t of [
      tensor([0.1, 2]),
      tensor(1.5),
      tensor(new Float32Array([1])),
      zeros([2]),
      ones([2]),
      full([2], 0.5),
      eye(2),
      arange(0, 1, 0.25),
      linspace(0, 1, 3),
      randn([2]),
      rand([2]),
    ])
      expect(t.dtype).toBe('float64');
    expect(tensor([0.1]).item()).toBe(0.1);
    // Integers and booleans keep their dtypes.
    expect(arange(3).dtype).toBe('int32');
    expect(tensor([true]).dtype).toBe('bool');
    expect(full([1], true).dtype).toBe('bool');
    expect(finfo().dtype).toBe('float64');
    setDefaultDtype('float32');
    expect(tensor([0.1]).dtype).toBe('float32');
    expect(() => setDefaultDtype('int32' as never)).toThrow(/setDefaultDtype: only floating dtypes/);
    expect(() => setDefaultDtype('float16' as never)).toThrow(/setDefaultDtype/);
  });

  it('rand in float64 draws 53 bits, randn doubles', () => {
    const u = rand([64], { dtype: 'float64' }).tolist() as number[];
    expect(u.some((v) => v !== Math.fround(v))).toBe(true);
    const n = randn([64], { dtype: 'float64' }).tolist() as number[];
    expect(n.some((v) => v !== Math.fround(v))).toBe(true);
  });

  it('promotes as torch: float32 with float64 gives float64; a JS number never widens a tensor', () => {
    const f = tensor([1, 2]);
    const d = tensor([1, 2], { dtype: 'float64' });
    const i = tensor([1, 2], { dtype: 'int32' });
    expect(promoteTypes('float32', 'float64')).toBe('float64');
    expect(promoteTypes('int32', 'float64')).toBe('float64');
    expect(promoteTypes('bool', 'float64')).toBe('float64');
    expect(f.eq(d).dtype).toBe('bool');
    expect(f.eq(d).tolist()).toEqual([true, true]);
    expect(i.eq(d).tolist()).toEqual([true, true]);
    expect(f.add(d).dtype).toBe('float64');
    expect(i.add(d).dtype).toBe('float64');
    expect(tensor([true, false]).mul(d).dtype).toBe('float64');
    // A number is a weak scalar: it keeps the tensor's dtype, taken at full precision in float64.
    expect(f.mul(0.1).dtype).toBe('float32');
    expect(d.mul(0.1).tolist()).toEqual([0.1, 0.2]);
    expect(i.mul(0.5).dtype).toBe('float32');
    // An op with no float64 path (an op declared without dtypes: float32 only) refuses rather
    // than computing in float32.
    const twice = autograd.defineOp({
      name: 'twice',
      forward: (_ctx, x: Tensor) => x.mul(2),
      backward: (_ctx, g) => [g.mul(2)],
    });
    expect(() => twice(d)).toThrow(/twice: float64 tensors are not supported yet/);
  });

  it('prints as torch: dtype=float64 unless it is the default', () => {
    expect(String(tensor([1.5, 2], { dtype: 'float64' }))).toBe('tensor([1.5000, 2.0000], dtype=float64)');
    setDefaultDtype('float64');
    expect(String(tensor([1.5, 2]))).toBe('tensor([1.5000, 2.0000])');
    expect(String(tensor([1.5, 2], { dtype: 'float32' }))).toBe('tensor([1.5000, 2.0000], dtype=float32)');
  });

  it("finfo('float64') has torch's fields", () => {
    const f = finfo('float64');
    expect([f.bits, f.eps, f.max, f.smallestNormal, f.resolution]).toEqual([
      64,
      Number.EPSILON,
      Number.MAX_VALUE,
      2 ** -1022,
      1e-15,
    ]);
  });

  it('round-trips through safetensors as F64, bit for bit', () => {
    const x = tensor([1 / 3, -1e-310, Number.NaN, Infinity], { dtype: 'float64' });
    const back = deserialize(serialize({ x })).tensors.x;
    expect(back.dtype).toBe('float64');
    expect(Array.from(back.data)).toEqual(Array.from(x.data));
    const header = new TextDecoder().decode(serialize({ x }).subarray(8, 80));
    expect(header).toContain('"dtype":"F64"');
  });

  it('round-trips through torch.save files as DoubleStorage, with no conversion', () => {
    const x = tensor([1 / 3, -1e-310, 2 ** 60], { dtype: 'float64' });
    const parts = serializeTorch({ x });
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    const { value, conversions } = parseTorch(bytes) as unknown as {
      value: Record<string, Tensor>;
      conversions: unknown[];
    };
    expect(conversions).toEqual([]);
    expect(value.x.dtype).toBe('float64');
    expect(value.x.tolist()).toEqual(x.tolist());
  });
});
