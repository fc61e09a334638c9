// safetensors: byte-exact writing (the reference implementation's layout), round trips, the
// PyTorch-made fixtures of scripts/gen_fixtures_safetensors.py, and corrupt files.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tensor } from '../../lib/creation.js';
import { deserialize, loadSafetensors, readSafetensors, saveSafetensors, serialize } from '../../lib/io/safetensors.js';
import { Identity, Sequential } from '../../lib/nn/modules/container.js';
import { Linear } from '../../lib/nn/modules/linear.js';
import { copyRaw } from '../../lib/raw/strided.js';
import { Tensor } from '../../lib/tensor.js';
import { interopTensors } from './safetensors_interop.js';

const fixtures = new URL('../fixtures/safetensors/', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(name, fixtures));
const dir = mkdtempSync(join(tmpdir(), 'myelin-st-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A safetensors buffer from a header object and raw data bytes, for corrupt-file tests. */
function build(header: unknown, data: Uint8Array, headerText = JSON.stringify(header)): Uint8Array {
  const json = Buffer.from(headerText);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function f32le(values: number[]): Uint8Array {
  return new Uint8Array(Float32Array.from(values).buffer);
}

describe('safetensors writing', () => {
  // The byte layouts below are the reference implementation's (its serialization tests).
  it('matches the reference layout: one F32 tensor, header exactly 64 bytes', () => {
    const out = serialize({ 'attn.0': Tensor.fromData(Float32Array.from([0, 1, 2, 3, 4, 5]), [1, 2, 3]) });
    const header = '{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}';
    expect(header.length).toBe(64);
    expect(Buffer.from(out)).toEqual(
      Buffer.concat([
        Buffer.from([64, 0, 0, 0, 0, 0, 0, 0]),
        Buffer.from(header),
        Buffer.from(f32le([0, 1, 2, 3, 4, 5])),
      ]),
    );
  });

  it('pads the header with spaces to a multiple of 8', () => {
    const out = serialize({ attn0: Tensor.fromData(Float32Array.from([0, 1, 2, 3, 4, 5]), [1, 1, 2, 3]) });
    expect(out[0]).toBe(72);
    expect(Buffer.from(out.subarray(8, 80)).toString()).toBe(
      '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}       ',
    );
    expect(Buffer.from(serialize({}))).toEqual(Buffer.from([8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]));
    expect(
      Buffer.from(serialize({}, { framework: 'pt' }))
        .subarray(8)
        .toString(),
    ).toBe('{"__metadata__":{"framework":"pt"}}     ');
  });

  it('writes the same bytes as the Python reference writer (interop.safetensors)', () => {
    expect(Buffer.from(serialize(interopTensors(), { written_by: 'myelin' }))).toEqual(fixture('interop.safetensors'));
  });

  it('orders tensors by dtype (widest first) then name, keeping every tensor aligned', () => {
    const out = serialize({
      z: tensor([true]),
      b: tensor([1], { dtype: 'int32' }),
      a: tensor([1], { dtype: 'int32' }),
      y: tensor([1.5]),
    });
    const n = Number(new DataView(out.buffer).getBigUint64(0, true));
    const names = Object.keys(JSON.parse(Buffer.from(out.subarray(8, 8 + n)).toString()));
    expect(names).toEqual(['y', 'a', 'b', 'z']);
  });

  it('writes non-contiguous tensors row-major', () => {
    const t = new Tensor(Tensor.fromData(Float32Array.from([1, 2, 3, 4, 5, 6]), [2, 3]).storage, [3, 2], [1, 3], 0);
    expect(deserialize(serialize({ t })).tensors.t.tolist()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });

  it('rejects bad input', () => {
    expect(() => serialize({ x: [1, 2] as unknown as Tensor })).toThrow(/'x' must be a Tensor/);
    expect(() => serialize({ __metadata__: tensor([1]) })).toThrow(/'__metadata__' is reserved/);
    expect(() => serialize({}, { a: 1 as unknown as string })).toThrow(/metadata 'a' must be a string/);
  });
});

describe('safetensors round trip', () => {
  it('int8 and uint8 tensors as I8 and U8, keeping their dtype and bytes', () => {
    const i8 = tensor([-128, -1, 0, 127], { dtype: 'int8' });
    const u8 = tensor([0, 1, 200, 255], { dtype: 'uint8' });
    const back = deserialize(serialize({ i8, u8 })).tensors;
    expect([back.i8.dtype, back.i8.tolist()]).toEqual(['int8', [-128, -1, 0, 127]]);
    expect([back.u8.dtype, back.u8.tolist()]).toEqual(['uint8', [0, 1, 200, 255]]);
  });

  it('float32, int32 and bool tensors, metadata, scalars and empty tensors', () => {
    const tensors = {
      w: Tensor.fromData(Float32Array.from([-0, 1.5, NaN, Infinity, -1e-45, 3.4e38]), [2, 3]),
      i: tensor([[-2147483648, 2147483647]], { dtype: 'int32' }),
      m: tensor([true, false, true]),
      s: tensor(2.5),
      e: Tensor.fromData(new Float32Array(0), [3, 0]),
    };
    const path = join(dir, 'round.safetensors');
    saveSafetensors(path, tensors, { epoch: '3', note: 'héllo' });
    const { tensors: back, metadata } = readSafetensors(path);
    expect(metadata).toEqual({ epoch: '3', note: 'héllo' });
    expect(Object.keys(back).sort()).toEqual(['e', 'i', 'm', 's', 'w']);
    for (const [k, t] of Object.entries(tensors)) {
      expect(back[k].dtype).toBe(t.dtype);
      expect(back[k].shape).toEqual(t.shape);
      expect(Object.is(back[k].data[0], t.data[0])).toBe(true);
      expect([...back[k].data]).toEqual([...t.data]);
    }
    expect(loadSafetensors(path).w.shape).toEqual([2, 3]);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp-'))).toEqual([]);
  });

  it('a module state dict round-trips through a file into a fresh module', () => {
    const a = new Sequential(new Linear(3, 4), new Linear(4, 2));
    const b = new Sequential(new Linear(3, 4), new Linear(4, 2));
    const path = join(dir, 'model.safetensors');
    saveSafetensors(path, a.stateDict());
    b.loadStateDict(loadSafetensors(path));
    for (const [k, t] of Object.entries(a.stateDict())) expect([...b.stateDict()[k].data]).toEqual([...t.data]);
  });
});

describe('PyTorch-made fixtures', () => {
  it('every dtype loads with the values torch converts them to (BF16 as bfloat16)', () => {
    const expected = JSON.parse(fixture('torch_dtypes.json').toString()) as {
      metadata: Record<string, string>;
      tensors: Record<string, { shape: number[]; myelin_dtype: string; values: (number | boolean | string)[] }>;
    };
    const { tensors, metadata } = deserialize(fixture('torch_dtypes.safetensors'));
    expect(metadata).toEqual(expected.metadata);
    expect(Object.keys(tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
    const decode = (v: number | boolean | string) => (typeof v === 'string' ? Number(v.replace('inf', 'Infinity')) : v);
    for (const [name, e] of Object.entries(expected.tensors)) {
      const t = tensors[name];
      expect(t.shape, name).toEqual(e.shape);
      expect(t.dtype, name).toBe(e.myelin_dtype);
      // A bfloat16 tensor's data is its bits: compare its values.
      const data = t.dtype === 'bfloat16' ? copyRaw(t, 'float32').data : t.data;
      const got = Array.from(data as ArrayLike<number>, (v) => (t.dtype === 'bool' ? v === 1 : v));
      const want = e.values.map(decode);
      expect(got.length, name).toBe(want.length);
      got.forEach((v, i) => expect(Object.is(v, want[i]), `${name}[${i}]: ${v} vs ${want[i]}`).toBe(true));
    }
  });

  it("a torch model's state dict loads into the same myelin model and computes the same outputs", () => {
    const model = new Sequential(new Linear(4, 8), new Identity(), new Linear(8, 3));
    const sd = deserialize(fixture('torch_mlp.safetensors')).tensors;
    expect(Object.keys(sd).sort()).toEqual(['0.bias', '0.weight', '2.bias', '2.weight']);
    model.loadStateDict(sd);
    const { x, y } = JSON.parse(fixture('torch_mlp.json').toString()) as { x: number[][]; y: number[][] };
    const out = (model.call(tensor(x)) as Tensor).tolist() as number[][];
    out.forEach((row, i) => row.forEach((v, j) => expect(Math.abs(v - y[i][j])).toBeLessThan(1e-5)));
  });
});

describe('corrupt safetensors data', () => {
  const good = {
    a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
  };
  const data = f32le([1, 2, 3]);

  it('the hand-built reference file is itself valid', () => {
    expect(deserialize(build(good, data)).tensors.b.tolist()).toEqual([3]);
  });
  it('too short, or a header length past the end', () => {
    expect(() => deserialize(new Uint8Array(5), 'f.st')).toThrow(/f\.st: 5 bytes is too short/);
    const bad = build(good, data);
    new DataView(bad.buffer).setBigUint64(0, 10_000n, true);
    expect(() => deserialize(bad)).toThrow(/header length 10000 goes past the end of the data/);
    new DataView(bad.buffer).setBigUint64(0, 2n ** 63n, true);
    expect(() => deserialize(bad)).toThrow(/header length 9223372036854775808 is larger than the 100000000-byte limit/);
  });
  it('a header that is not JSON, or not an object', () => {
    expect(() => deserialize(build(null, data, '{"a": '))).toThrow(/not valid UTF-8 JSON/);
    expect(() => deserialize(build([1, 2], data))).toThrow(/must be a JSON object/);
  });
  it('offsets out of range', () => {
    const h = { ...good, b: { dtype: 'F32', shape: [1], data_offsets: [8, 16] } };
    expect(() => deserialize(build(h, data))).toThrow(
      /tensor 'b': data_offsets \[8,16\] are out of range \(the data section has 12 bytes\)/,
    );
  });
  it('overlapping offsets', () => {
    const h = {
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
    };
    expect(() => deserialize(build(h, data))).toThrow(/tensor 'b': data_offsets \[4,12\] overlap tensor 'a' \[0,8\]/);
  });
  it('gapped offsets and trailing bytes', () => {
    const gap = {
      a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
    };
    expect(() => deserialize(build(gap, data))).toThrow(
      /tensor 'b': data_offsets \[8,12\] leave a gap of 4 bytes after tensor 'a'/,
    );
    const late = { a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } };
    expect(() => deserialize(build(late, f32le([1, 2])))).toThrow(
      /tensor 'a': .* leave a gap of 4 bytes after the header/,
    );
    expect(() => deserialize(build({ a: good.a }, data))).toThrow(
      /cover 8 bytes of the 12-byte data section \(4 bytes unaccounted for\)/,
    );
  });
  it('dtype and shape that disagree with the byte count', () => {
    const h = { ...good, a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } };
    expect(() => deserialize(build(h, data))).toThrow(
      /tensor 'a': dtype F32 and shape \[3\] need 12 bytes, data_offsets \[0,8\] hold 8/,
    );
    const i64 = { ...good, a: { dtype: 'I64', shape: [2], data_offsets: [0, 8] } };
    expect(() => deserialize(build(i64, data))).toThrow(/tensor 'a': dtype I64 and shape \[2\] need 16 bytes/);
  });
  it('unknown dtypes, bad shapes and bad offsets', () => {
    expect(() =>
      deserialize(build({ ...good, a: { dtype: 'F8_E4M3', shape: [8], data_offsets: [0, 8] } }, data)),
    ).toThrow(/tensor 'a': unsupported dtype "F8_E4M3"/);
    expect(() => deserialize(build({ ...good, a: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, data))).toThrow(
      /tensor 'a': shape must be an array of non-negative integers/,
    );
    expect(() => deserialize(build({ ...good, a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, data))).toThrow(
      /tensor 'a': data_offsets must be \[begin, end\]/,
    );
    expect(() => deserialize(build({ ...good, a: 'x' }, data))).toThrow(
      /tensor 'a': expected \{dtype, shape, data_offsets\}/,
    );
  });
  it('values that do not fit: I64 beyond int32, BOOL bytes other than 0/1', () => {
    const big = new Uint8Array(new BigInt64Array([1n, 2n ** 40n]).buffer);
    expect(() => deserialize(build({ x: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, big))).toThrow(
      /tensor 'x': I64 value 1099511627776 at index 1 does not fit in int32/,
    );
    expect(() =>
      deserialize(build({ m: { dtype: 'BOOL', shape: [2], data_offsets: [0, 2] } }, Uint8Array.from([1, 7]))),
    ).toThrow(/tensor 'm': BOOL byte 7 at index 1/);
  });
  it('bad metadata', () => {
    expect(() => deserialize(build({ ...good, __metadata__: { a: 1 } }, data))).toThrow(
      /'__metadata__' entry 'a' must be a string/,
    );
  });
  it('a missing file names the path', () => {
    expect(() => loadSafetensors(join(dir, 'missing.safetensors'))).toThrow(/cannot read .*missing\.safetensors/);
  });
});
