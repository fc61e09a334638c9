// IDX files (the MNIST format): a 4-byte magic number (two zero bytes, a type code, the number of
// dimensions), one big-endian uint32 per dimension, then the elements, big-endian, row-major.
// Files may be gzip-compressed; that is recognised by the gzip magic bytes, not the file name.
import { readFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';

export type IdxDType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  /** Elements in row-major order, in the host's byte order. */
  data: IdxData;
}

interface TypeInfo {
  dtype: IdxDType;
  size: number;
  make: (n: number) => IdxData;
}

const TYPES: Record<number, TypeInfo> = {
  0x08: { dtype: 'ubyte', size: 1, make: (n) => new Uint8Array(n) },
  0x09: { dtype: 'byte', size: 1, make: (n) => new Int8Array(n) },
  0x0b: { dtype: 'short', size: 2, make: (n) => new Int16Array(n) },
  0x0c: { dtype: 'int', size: 4, make: (n) => new Int32Array(n) },
  0x0d: { dtype: 'float', size: 4, make: (n) => new Float32Array(n) },
  0x0e: { dtype: 'double', size: 8, make: (n) => new Float64Array(n) },
};

const CODES: Record<IdxDType, number> = { ubyte: 0x08, byte: 0x09, short: 0x0b, int: 0x0c, float: 0x0d, double: 0x0e };

function isGzip(buf: Uint8Array): boolean {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b;
}

/** Parses an IDX file's bytes (gzip-compressed or not). `name` labels error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  let buf = bytes;
  if (isGzip(buf)) {
    try {
      buf = gunzipSync(buf);
    } catch (e) {
      throw new Error(`parseIdx: ${name}: corrupt gzip data (${(e as Error).message})`);
    }
  }
  if (buf.length < 4)
    throw new RangeError(`parseIdx: ${name}: ${buf.length} bytes is too short for an IDX header (at least 4)`);
  const magic = ((buf[0] << 24) | (buf[1] << 16) | (buf[2] << 8) | buf[3]) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  const info = TYPES[buf[2]];
  if (buf[0] !== 0 || buf[1] !== 0 || !info) {
    throw new Error(
      `parseIdx: ${name}: bad magic number ${hex} (expected 0x00000Tnn with type code T in 08,09,0b,0c,0d,0e)`,
    );
  }
  const ndim = buf[3];
  if (ndim === 0) throw new RangeError(`parseIdx: ${name}: magic number ${hex} declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) {
    throw new RangeError(
      `parseIdx: ${name}: truncated header: ${ndim} dimensions need ${headerBytes} bytes, the file has ${buf.length}`,
    );
  }
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(view.getUint32(4 + 4 * d, false));
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * info.size;
  if (buf.length < expected) {
    throw new RangeError(
      `parseIdx: ${name}: truncated data: shape [${shape.join(',')}] of ${info.dtype} needs ${count * info.size} data bytes, the file has ${buf.length - headerBytes}`,
    );
  }
  if (buf.length > expected) {
    throw new RangeError(
      `parseIdx: ${name}: wrong element count: shape [${shape.join(',')}] of ${info.dtype} needs ${count * info.size} data bytes, the file has ${buf.length - headerBytes} (${buf.length - expected} extra)`,
    );
  }
  const data = info.make(count);
  if (info.size === 1) {
    data.set(
      info.dtype === 'byte'
        ? new Int8Array(buf.buffer, buf.byteOffset + headerBytes, count)
        : buf.subarray(headerBytes, expected),
    );
  } else {
    const get = {
      short: (o: number) => view.getInt16(o, false),
      int: (o: number) => view.getInt32(o, false),
      float: (o: number) => view.getFloat32(o, false),
      double: (o: number) => view.getFloat64(o, false),
    }[info.dtype as 'short' | 'int' | 'float' | 'double'];
    for (let i = 0, o = headerBytes; i < count; i++, o += info.size) data[i] = get(o);
  }
  return { dtype: info.dtype, shape, data };
}

/** Reads an IDX file (plain or .gz). */
export function readIdx(path: string): IdxArray {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`readIdx: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseIdx(bytes, path);
}

function dtypeOfData(data: IdxData): IdxDType {
  if (data instanceof Uint8Array) return 'ubyte';
  if (data instanceof Int8Array) return 'byte';
  if (data instanceof Int16Array) return 'short';
  if (data instanceof Int32Array) return 'int';
  if (data instanceof Float32Array) return 'float';
  return 'double';
}

/** The IDX bytes of an array (gzip-compressed if asked). The dtype defaults to the data's. */
export function encodeIdx(
  array: { shape: readonly number[]; data: IdxData | ArrayLike<number>; dtype?: IdxDType },
  options: { gzip?: boolean } = {},
): Uint8Array {
  const dtype = array.dtype ?? (ArrayBuffer.isView(array.data) ? dtypeOfData(array.data as IdxData) : 'double');
  const code = CODES[dtype];
  if (code === undefined) throw new TypeError(`encodeIdx: unknown dtype ${String(dtype)}`);
  const { shape, data } = array;
  if (shape.length < 1 || shape.length > 255)
    throw new RangeError(`encodeIdx: IDX needs 1 to 255 dimensions, got ${shape.length}`);
  for (const s of shape)
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff)
      throw new RangeError(`encodeIdx: invalid shape [${shape.join(',')}]`);
  const count = shape.reduce((a, b) => a * b, 1);
  if (data.length !== count)
    throw new RangeError(`encodeIdx: shape [${shape.join(',')}] needs ${count} elements, data has ${data.length}`);
  const size = TYPES[code].size;
  const header = 4 + 4 * shape.length;
  const out = new Uint8Array(header + count * size);
  const view = new DataView(out.buffer);
  view.setUint32(0, (code << 8) | shape.length, false);
  shape.forEach((s, d) => view.setUint32(4 + 4 * d, s, false));
  const set = {
    ubyte: (o: number, v: number) => view.setUint8(o, v),
    byte: (o: number, v: number) => view.setInt8(o, v),
    short: (o: number, v: number) => view.setInt16(o, v, false),
    int: (o: number, v: number) => view.setInt32(o, v, false),
    float: (o: number, v: number) => view.setFloat32(o, v, false),
    double: (o: number, v: number) => view.setFloat64(o, v, false),
  }[dtype];
  for (let i = 0, o = header; i < count; i++, o += size) set(o, data[i]);
  return options.gzip ? gzipSync(out, { level: 9 }) : out;
}

/** Writes an IDX file (gzip-compressed if asked). */
export function writeIdx(path: string, array: Parameters<typeof encodeIdx>[0], options: { gzip?: boolean } = {}): void {
  writeFileAtomic(path, encodeIdx(array, options));
}
