// IDX reading and writing: every dtype, plain and gzip, and each malformed file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx, type IdxData, type IdxDType, parseIdx, readIdx, writeIdx } from '../../lib/io/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-idx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const samples: Record<IdxDType, { code: number; data: IdxData }> = {
  ubyte: { code: 0x08, data: Uint8Array.from([0, 1, 127, 128, 254, 255]) },
  byte: { code: 0x09, data: Int8Array.from([-128, -1, 0, 1, 100, 127]) },
  short: { code: 0x0b, data: Int16Array.from([-32768, -2, 0, 3, 258, 32767]) },
  int: { code: 0x0c, data: Int32Array.from([-2147483648, -70000, 0, 1, 65536, 2147483647]) },
  float: { code: 0x0d, data: Float32Array.from([-1.5, 0, 3.1415927, 1e-30, Infinity, -0]) },
  double: { code: 0x0e, data: Float64Array.from([-1.5, 0.1, Math.PI, 1e-300, -Infinity, 2 ** 53]) },
};

/** A hand-built big-endian IDX file, independent of encodeIdx. */
function handMade(code: number, shape: number[], values: number[], size: number): Uint8Array {
  const buf = Buffer.alloc(4 + 4 * shape.length + values.length * size);
  buf[2] = code;
  buf[3] = shape.length;
  shape.forEach((s, d) => buf.writeUInt32BE(s, 4 + 4 * d));
  const o = 4 + 4 * shape.length;
  values.forEach((v, i) => {
    const at = o + i * size;
    if (code === 0x08) buf.writeUInt8(v, at);
    else if (code === 0x09) buf.writeInt8(v, at);
    else if (code === 0x0b) buf.writeInt16BE(v, at);
    else if (code === 0x0c) buf.writeInt32BE(v, at);
    else if (code === 0x0d) buf.writeFloatBE(v, at);
    else buf.writeDoubleBE(v, at);
  });
  return buf;
}

describe('IDX', () => {
  for (const [dtype, { code, data }] of Object.entries(samples) as [IdxDType, (typeof samples)[IdxDType]][]) {
    const size = data.BYTES_PER_ELEMENT;
    it(`reads a hand-made big-endian ${dtype} file`, () => {
      const arr = parseIdx(handMade(code, [2, 3], [...data], size));
      expect(arr.dtype).toBe(dtype);
      expect(arr.shape).toEqual([2, 3]);
      expect(arr.data.constructor).toBe(data.constructor);
      expect([...arr.data]).toEqual([...data]);
    });

    it(`round-trips ${dtype} through files, plain and gzip`, () => {
      for (const gzip of [false, true]) {
        const path = join(dir, `${dtype}${gzip ? '.gz' : ''}`);
        writeIdx(path, { shape: [3, 1, 2], data }, { gzip });
        const arr = readIdx(path);
        expect(arr.dtype).toBe(dtype);
        expect(arr.shape).toEqual([3, 1, 2]);
        expect(Object.is(arr.data[5], data[5])).toBe(true); // -0 stays -0
        expect([...arr.data]).toEqual([...data]);
      }
    });
  }

  it('writes exactly the bytes of the format', () => {
    expect(Buffer.from(encodeIdx({ shape: [2, 3], data: samples.short.data }))).toEqual(
      Buffer.from(handMade(0x0b, [2, 3], [...samples.short.data], 2)),
    );
  });

  it('detects gzip by content, not by name', () => {
    const path = join(dir, 'compressed-without-suffix');
    writeFileSync(path, gzipSync(handMade(0x08, [4], [9, 8, 7, 6], 1)));
    expect([...readIdx(path).data]).toEqual([9, 8, 7, 6]);
  });

  it('reads large files (a 1000x28x28 image array) quickly', () => {
    const data = new Uint8Array(1000 * 784).map((_, i) => i % 251);
    const arr = parseIdx(encodeIdx({ shape: [1000, 28, 28], data }, { gzip: true }));
    expect(arr.shape).toEqual([1000, 28, 28]);
    expect(arr.data[784 * 999 + 5]).toBe((784 * 999 + 5) % 251);
  });

  describe('malformed files', () => {
    const good = handMade(0x0c, [2, 2], [1, 2, 3, 4], 4);
    it('bad magic number', () => {
      const bad = Uint8Array.from(good);
      bad[0] = 1;
      expect(() => parseIdx(bad, 'x.idx')).toThrow(/x\.idx: bad magic number 0x01000c02/);
      const badType = Uint8Array.from(good);
      badType[2] = 0x0a;
      expect(() => parseIdx(badType)).toThrow(/bad magic number 0x00000a02/);
      // A PNG header, for instance.
      expect(() => parseIdx(Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))).toThrow(
        /bad magic number 0x89504e47/,
      );
    });
    it('zero dimensions', () => {
      expect(() => parseIdx(Uint8Array.from([0, 0, 8, 0]))).toThrow(/declares 0 dimensions/);
    });
    it('too short for a header', () => {
      expect(() => parseIdx(Uint8Array.from([0, 0]))).toThrow(/2 bytes is too short/);
      expect(() => parseIdx(good.subarray(0, 9))).toThrow(
        /truncated header: 2 dimensions need 12 bytes, the file has 9/,
      );
    });
    it('truncated data', () => {
      expect(() => parseIdx(good.subarray(0, good.length - 1), 'cut.idx')).toThrow(
        /cut\.idx: truncated data: shape \[2,2\] of int needs 16 data bytes, the file has 15/,
      );
    });
    it('wrong element count (extra data)', () => {
      const long = new Uint8Array(good.length + 4);
      long.set(good);
      expect(() => parseIdx(long)).toThrow(
        /wrong element count: shape \[2,2\] of int needs 16 data bytes, the file has 20 \(4 extra\)/,
      );
    });
    it('truncated or corrupt gzip', () => {
      const gz = gzipSync(good);
      expect(() => parseIdx(gz.subarray(0, gz.length - 6), 'a.gz')).toThrow(/a\.gz: corrupt gzip data/);
    });
    it('a missing file', () => {
      expect(() => readIdx(join(dir, 'nope'))).toThrow(/readIdx: cannot read .*nope/);
    });
    it('bad arguments to encodeIdx', () => {
      expect(() => encodeIdx({ shape: [2, 2], data: new Uint8Array(3) })).toThrow(/needs 4 elements, data has 3/);
      expect(() => encodeIdx({ shape: [], data: new Uint8Array(1) })).toThrow(/1 to 255 dimensions/);
    });
  });
});
