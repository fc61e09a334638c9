// loadTorch/saveTorch: files written by PyTorch (scripts/gen_fixtures_torch.py), the file torch.load
// accepted from saveTorch (scripts/check_save_torch.py), round trips, and hostile files.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { Pickler, UnpicklingError, unpickle } from '../../lib/io/pickle.js';
import { loadTorch, parseTorch, readTorch, saveTorch, serializeTorch } from '../../lib/io/torch.js';
import { writeZip } from '../../lib/io/zip.js';
import { noGrad, Tensor, tensor } from '../../lib/index.js';
import { Parameter } from '../../lib/nn/parameter.js';
import { copyRaw } from '../../lib/raw/strided.js';
import { SimpleCNN } from '../helpers/models.js';
import { torchInteropObject } from './torch_interop.js';

const fixtures = new URL('../fixtures/torch/', import.meta.url);
const fixturePath = (name: string) => new URL(name, fixtures).pathname;
const fixtureBytes = (name: string) => new Uint8Array(readFileSync(fixturePath(name)));
const expected = JSON.parse(readFileSync(fixturePath('torch.json'), 'utf8'));
const dir = mkdtempSync(join(tmpdir(), 'myelin-torch-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface ExpectedTensor {
  dtype: string;
  torchDtype: string;
  shape: number[];
  strides: number[];
  offset: number;
  storageSize: number;
  values: (number | string)[];
  parameter: boolean;
  requiresGrad: boolean;
}

const num = (v: number | string) =>
  v === 'NaN' ? Number.NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : (v as number);

/** Compares a loaded value with the generator's description of what torch held. */
function expectMatches(got: unknown, want: unknown, where = 'value'): void {
  if (want !== null && typeof want === 'object' && '$tensor' in want) {
    const w = want as unknown as ExpectedTensor;
    expect(got, where).toBeInstanceOf(Tensor);
    const t = got as Tensor;
    expect([t.dtype, t.shape, t.strides, t.offset], where).toEqual([w.dtype, w.shape, w.strides, w.offset]);
    expect(t.storage.data.length, where).toBe(w.storageSize);
    expect(t instanceof Parameter, where).toBe(w.parameter);
    expect(t.requiresGrad, where).toBe(w.requiresGrad);
    // A bfloat16 tensor's data is its bits: compare its values.
    const values = Array.from((t.dtype === 'bfloat16' ? copyRaw(t, 'float32') : t).toTypedArray() as ArrayLike<number>);
    expect(values, where).toEqual(w.values.map((v) => (w.dtype === 'float32' ? Math.fround(num(v)) : num(v))));
    if (w.dtype === 'float64') expect(t.storage.data, where).toBeInstanceOf(Float64Array);
    return;
  }
  if (want !== null && typeof want === 'object' && '$dict' in want) {
    const pairs = (want as { $dict: [unknown, unknown][] }).$dict;
    expect(Object.keys(got as object), where).toEqual(pairs.map(([k]) => (k === null ? 'None' : String(k))));
    for (const [k, v] of pairs) expectMatches((got as Record<string, unknown>)[String(k)], v, `${where}.${String(k)}`);
    return;
  }
  if (want !== null && typeof want === 'object' && '$float' in want) {
    expect(got, where).toBe(num((want as { $float: number | string }).$float));
    return;
  }
  if (want !== null && typeof want === 'object' && '$bigint' in want) {
    expect(got, where).toBe(BigInt((want as { $bigint: string }).$bigint));
    return;
  }
  if (Array.isArray(want)) {
    expect(Array.isArray(got), where).toBe(true);
    expect((got as unknown[]).length, where).toBe(want.length);
    want.forEach((w, i) => expectMatches((got as unknown[])[i], w, `${where}[${i}]`));
    return;
  }
  expect(got, where).toBe(want);
}

describe('loadTorch reads torch.save files', () => {
  it('int8 and uint8 as they are: CharStorage and ByteStorage both ways, no conversion', () => {
    const obj = { i8: tensor([-128, -1, 127], { dtype: 'int8' }), u8: tensor([0, 200, 255], { dtype: 'uint8' }) };
    const { value, conversions } = parseTorch(Buffer.concat(serializeTorch(obj)));
    const got = value as Record<string, Tensor>;
    expect([got.i8.dtype, got.i8.tolist()]).toEqual(['int8', [-128, -1, 127]]);
    expect([got.u8.dtype, got.u8.tolist()]).toEqual(['uint8', [0, 200, 255]]);
    expect(conversions).toEqual([]);
  });

  it('every storage dtype, converting those myelin lacks and saying so (bfloat16 stays bfloat16)', () => {
    const { value, conversions } = readTorch(fixturePath('dtypes.pt'));
    expectMatches(value, expected.dtypes);
    const byFrom = Object.fromEntries(conversions.map((c) => [c.from, [c.to, c.storages, c.elements]]));
    expect(byFrom).toEqual({
      float16: ['float32', 1, 8],
      int64: ['int32', 1, 5],
      int16: ['int32', 1, 3],
    });
    expect(() => loadTorch(fixturePath('dtypes.pt'), { convert: false })).toThrow(
      /storage '\d+' is (float16|int\d+), which would be converted to (float32|int32) \(convert: false\)/,
    );
  });

  for (const file of ['views', 'legacy']) {
    it(`views with offsets and strides over shared storages (${file}.pt)`, () => {
      const value = loadTorch(fixturePath(`${file}.pt`)) as Record<string, Tensor>;
      expectMatches(value, expected.views);
      const groups = expected.viewsSharing as string[][];
      const storageOf = (k: string) => value[k].storage;
      for (const g of groups) for (const k of g) expect(storageOf(k), k).toBe(storageOf(g[0]));
      for (let i = 1; i < groups.length; i++) expect(storageOf(groups[i][0])).not.toBe(storageOf(groups[0][0]));
      // A write through one view shows through the others, as in torch.
      (value.base.storage.data as Float32Array)[13] = 100;
      expect(value.row2.tolist()).toEqual([12, 100, 14, 15, 16, 17]);
      expect((value.transposed.tolist() as number[][])[1][2]).toBe(100);
    });
  }

  it('nested dicts, lists, tuples, numbers, strings and an optimizer state dict', () => {
    const value = loadTorch(fixturePath('nested.pt')) as Record<string, unknown>;
    expectMatches(value, expected.nested);
    expect(Object.isFrozen(value.shape)).toBe(true); // a tuple
    expect(Object.isFrozen(value.flags)).toBe(false); // a list
  });

  it("seed 002's SimpleCNN: PyTorch's state dict gives the same outputs in myelin", () => {
    const model = new SimpleCNN();
    const state = loadTorch(fixturePath('simple_cnn.pt')) as Record<string, Tensor>;
    expect(Object.keys(state)).toEqual(expected.simpleCnn.keys);
    // num_batches_tracked is int64 in torch: int32 here, like myelin's own buffer.
    expect(model.loadStateDict(state)).toEqual({ missingKeys: [], unexpectedKeys: [] });
    model.eval();
    const { input, output } = expected.simpleCnn;
    const x = Tensor.fromData(Float32Array.from(input.values), input.shape);
    const y = noGrad(() => model.call(x)) as Tensor;
    expect(y.shape).toEqual(output.shape);
    const got = y.data as Float32Array;
    output.values.forEach((v: number, i: number) =>
      expect(Math.abs(got[i] - v)).toBeLessThan(1e-5 * (1 + Math.abs(v))),
    );
  });

  it('refuses what myelin cannot hold, naming it', () => {
    expect(() => loadTorch(fixturePath('int64_range.pt'))).toThrow(
      /int64_range\.pt: storage '0': int64 value 2147483648 at index 1 does not fit in int32/,
    );
    expect(() => loadTorch(fixturePath('complex.pt'))).toThrow(/storage '0' is complex64, which myelin cannot hold/);
    expect(() => loadTorch(fixturePath('bare_storage.pt'))).toThrow(
      /loadTorch: bare_storage\.pt: obj\.s \(obj being what torch\.save saved\) is a bare storage \(tensor\.storage\(\)\), which myelin cannot load: save the tensor instead/,
    );
    expect(() => readTorch(fixturePath('bare_storage.pt'))).toThrow(/obj\.s .* is a bare storage/);
    expect(() => loadTorch(join(dir, 'missing.pt'))).toThrow(/loadTorch: cannot read .*missing\.pt/);
    expect(() => parseTorch(new Uint8Array([1, 2, 3]), 'junk')).toThrow(/loadTorch: junk: not a PyTorch file/);
    expect(() => loadTorch(fixturePath('views.pt'), { map_location: 'cpu' } as never)).toThrow(
      /loadTorch: unknown option 'map_location'/,
    );
  });
});

describe('saveTorch', () => {
  it('writes the bytes torch.load accepted (scripts/check_save_torch.py)', () => {
    const written = Buffer.concat(serializeTorch(torchInteropObject()));
    expect(written.equals(fixtureBytes('myelin_saved.pt'))).toBe(true);
  });

  it('round-trips through loadTorch: values, views, shared storages, Parameters, nested values', () => {
    const obj = torchInteropObject();
    const path = join(dir, 'round.pt');
    saveTorch(obj, path);
    const back = loadTorch(path) as typeof obj;
    const state = obj.state as Record<string, Tensor>;
    const got = back.state as Record<string, Tensor>;
    expect(Object.keys(got)).toEqual(Object.keys(state));
    for (const [k, t] of Object.entries(state)) {
      const g = got[k];
      expect([g.dtype, g.shape, g.strides, g.offset, g instanceof Parameter, g.requiresGrad], k).toEqual([
        t.dtype,
        t.shape,
        t.strides,
        t.offset,
        t instanceof Parameter,
        t.requiresGrad,
      ]);
      expect(g.tolist(), k).toEqual(t.tolist());
    }
    expect(got['layer.weight_t'].storage).toBe(got['layer.weight'].storage);
    expect(got.counts_tail.storage).toBe(got.counts.storage);
    expect(got.counts.storage).not.toBe(got['layer.weight'].storage);
    expect(back.meta).toEqual(obj.meta);
  });

  it('saves a module state dict that loads back into the module', () => {
    const model = new SimpleCNN();
    const path = join(dir, 'cnn.pt');
    saveTorch(model.stateDict(), path);
    const other = new SimpleCNN();
    other.loadStateDict(loadTorch(path) as Record<string, Tensor>);
    const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    const want = model.stateDict();
    for (const [k, v] of Object.entries(other.stateDict())) expect(bytes(v).equals(bytes(want[k])), k).toBe(true);
  });

  it('keeps shared and self-containing lists shared, as pickle does', () => {
    const shared = [1, 2];
    const cyclic: unknown[] = [shared];
    cyclic.push(cyclic);
    const back = parseTorch(Buffer.concat(serializeTorch({ a: shared, c: cyclic }))).value as {
      a: number[];
      c: unknown[];
    };
    expect(back.c[0]).toBe(back.a);
    expect(back.c[1]).toBe(back.c);
  });

  it('refuses what pickles cannot hold, naming where', () => {
    expect(() => serializeTorch({ a: { b: new Float32Array(2) } })).toThrow(
      /saveTorch: a\.b: cannot save a Float32Array/,
    );
    expect(() => serializeTorch(() => 1)).toThrow(/saveTorch: the object: cannot save a function/);
  });
});

// ---- hostile files ----

/** A torch zip around a hand-written pickle (and optional storage records). */
function torchZip(pickle: Uint8Array, records: Record<string, Uint8Array> = {}): Uint8Array {
  return Buffer.concat(
    writeZip([
      { name: 'archive/data.pkl', data: pickle },
      ...Object.entries(records).map(([k, data]) => ({ name: `archive/data/${k}`, data })),
      { name: 'archive/version', data: Buffer.from('3\n') },
    ]),
  );
}

/** A pickle from a script of Pickler calls. */
function pickle(build: (p: Pickler) => void): Uint8Array {
  const p = new Pickler();
  p.proto();
  build(p);
  p.stop();
  return p.bytes();
}

const raw = (...codes: (number | string)[]) =>
  Uint8Array.from(codes.flatMap((c) => (typeof c === 'string' ? [...Buffer.from(c, 'latin1')] : [c])));

/** ('storage', torch.<cls>, key, 'cpu', numel) as a persistent id, pushed as a storage. */
function storageId(p: Pickler, cls: string, key: string, numel: number) {
  p.mark();
  p.string('storage');
  p.global('torch', cls);
  p.string(key);
  p.string('cpu');
  p.int(numel);
  p.tuple(5);
  p.persid();
}

describe('loadTorch refuses hostile files', () => {
  it('globals outside the allow-list, from real torch.save files', () => {
    expect(() => loadTorch(fixturePath('evil_system.pt'))).toThrow(
      /evil_system\.pt: refusing GLOBAL posix\.system: not on the weights-only allow-list/,
    );
    expect(() => loadTorch(fixturePath('evil_eval.pt'))).toThrow(/refusing GLOBAL builtins\.eval/);
    expect(() => loadTorch(fixturePath('evil_class.pt'))).toThrow(/refusing GLOBAL __main__\.Custom/);
  });

  it('REDUCE, NEWOBJ and BUILD tricks', () => {
    const load = (build: (p: Pickler) => void) => () => parseTorch(torchZip(pickle(build)), 'evil.pt');
    // Calling something that is not an allowed global (a string standing in for a callable).
    expect(
      load((p) => {
        p.string('os.system');
        p.string('echo');
        p.tuple(1);
        p.reduce();
      }),
    ).toThrow(/refusing REDUCE of the string 'os\.system': not an allowed function/);
    // An allowed global used as the wrong kind of call.
    expect(
      load((p) => {
        p.global('torch._utils', '_rebuild_tensor_v2');
        p.mark();
        p.string('not a storage');
        p.int(0);
        p.tuple(0);
        p.tuple(0);
        p.bool(false);
        p.none();
        p.tuple(6);
        p.reduce();
      }),
    ).toThrow(/a tensor's storage is the string 'not a storage'/);
    expect(
      load((p) => {
        p.global('torch._utils', '_rebuild_tensor_v2');
        p.emptyList();
        p.reduce();
      }),
    ).toThrow(/REDUCE arguments must be a tuple, got a list of 0 \(REDUCE at byte \d+\)/);
    expect(
      load((p) => {
        p.global('collections', 'OrderedDict');
        p.tuple(0);
        p.op(0x81); // NEWOBJ
      }),
    ).toThrow(/refusing NEWOBJ of collections\.OrderedDict: only torch\.nn\.Parameter may be created/);
    expect(
      load((p) => {
        p.emptyList();
        p.emptyDict();
        p.op(0x62); // BUILD
      }),
    ).toThrow(/refusing BUILD of a list of 0/);
    // Other opcodes that reach outside plain data: INST, OBJ, STACK_GLOBAL, EXT1, REDUCE-free
    // string evaluation (STRING), and protocol 4 framing.
    for (const [code, name] of [
      [0x69, 'i'],
      [0x6f, 'o'],
      [0x93, '\x93'],
      [0x82, '\x82'],
      [0x53, 'S'],
      [0x95, '\x95'],
    ] as const) {
      expect(() => parseTorch(torchZip(raw(0x80, 2, code, '.')), 'evil.pt'), name).toThrow(
        new RegExp(`unsupported opcode 0x${code.toString(16)}.*which a weights-only load refuses`),
      );
    }
    // A persistent id that is not a storage.
    expect(
      load((p) => {
        p.string('module');
        p.tuple(1);
        p.persid();
      }),
    ).toThrow(/refusing persistent id a tuple of 1: only \('storage', \.\.\.\) is allowed/);
  });

  it('tensors reaching past their storage, and storages of the wrong size', () => {
    const tensorOver = (numel: number, size: number[], stride: number[], offset: number, bytes: number) =>
      torchZip(
        pickle((p) => {
          p.global('torch._utils', '_rebuild_tensor_v2');
          p.mark();
          storageId(p, 'FloatStorage', '0', numel);
          p.int(offset);
          for (const xs of [size, stride]) {
            for (const x of xs) p.int(x);
            p.tuple(xs.length);
          }
          p.bool(false);
          p.none();
          p.tuple(6);
          p.reduce();
        }),
        { '0': new Uint8Array(bytes) },
      );
    expect(parseTorch(tensorOver(4, [2, 2], [2, 1], 0, 16)).value).toBeInstanceOf(Tensor);
    expect(() => parseTorch(tensorOver(4, [2, 2], [2, 1], 1, 16))).toThrow(
      /a tensor of size \[2,2\], stride \[2,1\] at offset 1 reaches element 4 of storage '0', which has 4/,
    );
    expect(() => parseTorch(tensorOver(4, [3], [2], 0, 16))).toThrow(/reaches element 4/);
    expect(() => parseTorch(tensorOver(1e9, [2], [1], 0, 16))).toThrow(
      /storage '0' holds 16 bytes, but 1000000000 float32 elements need 4000000000/,
    );
  });

  it('truncated pickles and zips: a clear error at every cut, never a crash', () => {
    const whole = fixtureBytes('views.pt');
    for (let cut = 0; cut < whole.length; cut += 11) {
      expect(() => parseTorch(whole.subarray(0, cut), 'cut.pt'), `cut at ${cut}`).toThrow(/loadTorch: cut\.pt/);
    }
    const pkl = pickle((p) => {
      p.emptyDict();
      p.mark();
      p.string('a');
      p.int(1 << 20);
      p.string('b');
      p.float(0.5);
      p.setitems();
    });
    for (let cut = 0; cut < pkl.length; cut++) {
      expect(() => unpickle(pkl.subarray(0, cut), refuseAll, 'cut'), `cut at ${cut}`).toThrow(UnpicklingError);
    }
    const legacy = fixtureBytes('legacy.pt');
    for (let cut = 0; cut < legacy.length; cut += 5) {
      expect(() => parseTorch(legacy.subarray(0, cut), 'legacy.pt'), `cut at ${cut}`).toThrow(/loadTorch: legacy\.pt/);
    }
  });

  it('zip bombs: bounded inflation, overlapping entries, impossible counts', () => {
    // A deflated record that inflates far past its declared size is cut off at the declared size.
    const bomb = deflateRawSync(Buffer.alloc(16 << 20));
    const before = process.memoryUsage().arrayBuffers;
    expect(() => parseTorch(deflatedZip(bomb, 1024), 'bomb.pt')).toThrow(
      /entry 'archive\/data\.pkl' does not inflate to its declared 1024 bytes/,
    );
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(8 << 20);
    // A record declaring more than the inflation limit is refused before inflating.
    expect(() => parseTorch(deflatedZip(bomb, 16 << 20), 'bomb.pt', { maxInflatedBytes: 1 << 20 })).toThrow(
      /would inflate to 16777216 bytes, over the 1048576 bytes left of the limit for compressed entries \(a zip bomb\?\)/,
    );
    // Two entries over the same bytes (the overlapping-entry zip bomb).
    const good = fixtureBytes('views.pt');
    expect(() => parseTorch(overlapping(good), 'overlap.pt')).toThrow(
      /entries 'views\/data\.pkl' and 'views\/data\/0' overlap/,
    );
    // An entry count the central directory cannot hold.
    const patched = new Uint8Array(good);
    const eocd = patched.length - 22;
    new DataView(patched.buffer).setUint16(eocd + 10, 60000, true);
    new DataView(patched.buffer).setUint16(eocd + 8, 60000, true);
    const z64 = Buffer.from(patched).lastIndexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]));
    new DataView(patched.buffer).setBigUint64(z64 + 32, 1n << 40n, true);
    expect(() => parseTorch(patched, 'count.pt')).toThrow(/entries is more than the limit|cannot fit in a/);
    // A corrupted byte in a record fails its CRC.
    const flipped = new Uint8Array(good);
    flipped[flipped.indexOf(0x80) + 5] ^= 0xff;
    expect(() => parseTorch(flipped, 'crc.pt')).toThrow(/fails its CRC-32 check/);
  });

  it('a deflated (re-zipped) file with honest sizes still loads', () => {
    const pkl = pickle((p) => {
      p.emptyDict();
      p.mark();
      p.string('x');
      p.int(5);
      p.setitems();
    });
    expect(parseTorch(deflatedZip(deflateRawSync(pkl), pkl.length, crc32(pkl)), 'ok.pt').value).toEqual({ x: 5 });
  });
});

const refuseAll = {
  global: () => {
    throw new Error('refused');
  },
  reduce: () => null,
  newobj: () => null,
  build: () => null,
  persistentLoad: () => null,
};

/** A one-entry zip whose data.pkl is `compressed` (deflate) declaring `size` bytes. */
function deflatedZip(compressed: Uint8Array, size: number, crc = 0): Uint8Array {
  const name = Buffer.from('archive/data.pkl');
  const local = Buffer.alloc(30 + name.length);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(compressed.length, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  name.copy(local, 30);
  const central = Buffer.alloc(46 + name.length);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(compressed.length, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  name.copy(central, 46);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(1, 8);
  eocd.writeUInt16LE(1, 10);
  eocd.writeUInt32LE(central.length, 12);
  eocd.writeUInt32LE(local.length + compressed.length, 16);
  return Buffer.concat([local, compressed, central, eocd]);
}

/** The file with its first entry's sizes grown over the second entry's bytes. */
function overlapping(zip: Uint8Array): Uint8Array {
  const out = Buffer.from(zip);
  const first = out.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  const size = out.readUInt32LE(first + 20) + 100;
  out.writeUInt32LE(size, first + 20);
  out.writeUInt32LE(size, first + 24);
  return out;
}
