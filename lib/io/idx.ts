// IDX files (the MNIST format): a 4-byte magic number (two zero bytes, a type code, the number of
// dimensions), one big-endian uint32 per dimension, then the elements, big-endian, row-major.
// Files may be gzip-compressed; that is recognised by the gzip magic bytes, not the file name.
import { endianness } from 'node:os';
import { checkOptions, checkPath, checkString, describe } from '../errors.js';
import { gunzipSync, gzipSync } from 'node:zlib';
import { writeFileAtomic } from './atomic.js';
import {
  allocatePayload,
  atEnd,
  type ByteSource,
  FileSource,
  GunzipSource,
  isGzipMagic,
  MemorySource,
  readUpTo,
} from './byte_source.js';

/** The element types of the IDX format (LeCun's MNIST files), by the format's names. */
export type IdxDType = 'ubyte' | 'byte' | 'short' | 'int' | 'float' | 'double';
/** The typed array an IDX array's elements are read into, by its dtype. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** An array read from (or to write to) an IDX file. */
export interface IdxArray {
  /** The element type. */
  dtype: IdxDType;
  /** The size of each dim. */
  shape: number[];
  /** Elements in row-major order, in the host's byte order. */
  data: IdxData;
}

interface TypeInfo {
  dtype: IdxDType;
  size: number;
}

const TYPES: Record<number, TypeInfo> = {
  0x08: { dtype: 'ubyte', size: 1 },
  0x09: { dtype: 'byte', size: 1 },
  0x0b: { dtype: 'short', size: 2 },
  0x0c: { dtype: 'int', size: 4 },
  0x0d: { dtype: 'float', size: 4 },
  0x0e: { dtype: 'double', size: 8 },
};

const CODES: Record<IdxDType, number> = { ubyte: 0x08, byte: 0x09, short: 0x0b, int: 0x0c, float: 0x0d, double: 0x0e };

interface Header {
  info: TypeInfo;
  shape: number[];
  headerBytes: number;
  /** Data bytes the shape declares. */
  bytes: number;
  /** "shape [..] of T needs N data bytes", for messages. */
  what: string;
}

/** Reads and checks the magic number and the dimensions (4 + 4 * ndim bytes). */
function readHeader(src: ByteSource, fail: (msg: string) => never, label: string): Header {
  const head = readUpTo(src, 4);
  if (head.length < 4) fail(`${head.length} bytes is too short for an IDX header (at least 4)`);
  const magic = ((head[0] << 24) | (head[1] << 16) | (head[2] << 8) | head[3]) >>> 0;
  const hex = `0x${magic.toString(16).padStart(8, '0')}`;
  const info = TYPES[head[2]];
  if (head[0] !== 0 || head[1] !== 0 || !info) {
    throw new Error(`${label}: bad magic number ${hex} (expected 0x00000Tnn with type code T in 08,09,0b,0c,0d,0e)`);
  }
  const ndim = head[3];
  if (ndim === 0) fail(`magic number ${hex} declares 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  const dims = readUpTo(src, 4 * ndim);
  if (dims.length < 4 * ndim)
    fail(`truncated header: ${ndim} dimensions need ${headerBytes} bytes, the file has ${4 + dims.length}`);
  const dimView = new DataView(dims.buffer, dims.byteOffset, dims.byteLength);
  const shape: number[] = [];
  for (let d = 0; d < ndim; d++) shape.push(dimView.getUint32(4 * d, false));
  const bytes = shape.reduce((a, b) => a * b, 1) * info.size;
  return {
    info,
    shape,
    headerBytes,
    bytes,
    what: `shape [${shape.join(',')}] of ${info.dtype} needs ${bytes} data bytes`,
  };
}

/** An uncompressed IDX stream: the header, then exactly the payload it declares, then the end. */
function readPlain(src: ByteSource, fail: (msg: string) => never, label: string): IdxArray {
  const h = readHeader(src, fail, label);
  // Refused before anything is allocated: a header cannot declare more than the file holds.
  const room = src.maxRemaining();
  if (h.bytes > room) {
    fail(src.exact ? `truncated data: ${h.what}, the file has ${room}` : `${h.what}, more than can be read`);
  }
  const payload = allocatePayload(label, h.bytes);
  const got = src.readInto(payload);
  if (got < h.bytes) fail(`truncated data: ${h.what}, the file has ${got}`);
  if (!atEnd(src)) {
    const extra = src.maxRemaining() + 1;
    fail(
      src.exact
        ? `wrong element count: ${h.what}, the file has ${h.bytes + extra} (${extra} extra)`
        : `wrong element count: ${h.what}, the file has more`,
    );
  }
  return { dtype: h.info.dtype, shape: h.shape, data: fromBigEndian(h.info, payload) };
}

/**
 * A gzip-compressed IDX stream. The header is inflated alone (a streaming inflater that stops
 * after it); the declared size is checked against what the compressed bytes can inflate to;
 * then zlib inflates the whole stream (checking its CRC) with its output capped at the declared
 * size, so a stream that inflates past it is stopped there.
 */
function readGzip(compressed: Uint8Array, fail: (msg: string) => never, label: string): IdxArray {
  const inflating = new GunzipSource(new MemorySource(compressed), label);
  const h = readHeader(inflating, fail, label);
  const total = h.headerBytes + h.bytes;
  const room = h.headerBytes + inflating.maxRemaining();
  if (total > room)
    fail(`${h.what}, more than ${compressed.length} gzip-compressed bytes can inflate to (at most ${room})`);
  let out: Uint8Array;
  try {
    out = gunzipSync(compressed, { maxOutputLength: Math.max(total, 1) });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      return fail(`wrong element count: ${h.what}, the gzip stream inflates to more`);
    return fail(`corrupt gzip data (${(e as Error).message})`);
  }
  if (out.length < total) fail(`truncated data: ${h.what}, the file has ${Math.max(0, out.length - h.headerBytes)}`);
  // A copy into a buffer of its own, aligned for the element type (zlib's may be pooled).
  const payload = allocatePayload(label, h.bytes);
  payload.set(out.subarray(h.headerBytes, total));
  return { dtype: h.info.dtype, shape: h.shape, data: fromBigEndian(h.info, payload) };
}

/** The payload's elements in the host's order, in place (the payload's buffer becomes the array's). */
function fromBigEndian(info: TypeInfo, payload: Uint8Array): IdxData {
  const count = payload.length / info.size;
  const buffer = payload.buffer as ArrayBuffer;
  if (info.dtype === 'ubyte') return payload;
  if (info.dtype === 'byte') return new Int8Array(buffer, 0, count);
  if (endianness() === 'LE') {
    const s = info.size;
    for (let o = 0; o < payload.length; o += s) {
      for (let i = 0, j = s - 1; i < j; i++, j--) {
        const t = payload[o + i];
        payload[o + i] = payload[o + j];
        payload[o + j] = t;
      }
    }
  }
  const Ctor = { short: Int16Array, int: Int32Array, float: Float32Array, double: Float64Array }[
    info.dtype as 'short' | 'int' | 'float' | 'double'
  ];
  return new Ctor(buffer, 0, count);
}

function failWith(label: string): (msg: string) => never {
  return (msg: string): never => {
    throw new RangeError(`${label}: ${msg}`);
  };
}

/** Parses an IDX file's bytes (gzip-compressed or not). `name` labels error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`parseIdx: expected a Uint8Array, got ${typeof bytes}`);
  checkString('io.parseIdx', 'name', name);
  const label = `parseIdx: ${name}`;
  const fail = failWith(label);
  return isGzipMagic(bytes) ? readGzip(bytes, fail, label) : readPlain(new MemorySource(bytes), fail, label);
}

/** Compressed bytes read from a stream that is not a regular file (a FIFO): at most 1 GiB. */
const MAX_STREAMED_GZIP = 1 << 30;

/**
 * Reads an IDX file (plain or gzip). It reads only what the header declares: a header that
 * declares more than the file holds (or than its compressed bytes can inflate to) is refused
 * before anything is allocated, and a file that goes on past it, or a gzip stream that inflates
 * past it, is an error as soon as that is seen.
 */
export function readIdx(path: string): IdxArray {
  if (typeof path !== 'string') throw new TypeError(`readIdx: path must be a string, got ${typeof path}`);
  const label = `readIdx: ${path}`;
  const fail = failWith(label);
  const file = new FileSource(path, 'readIdx');
  try {
    if (!isGzipMagic(file.magic())) return readPlain(file, fail, label);
    const cap = file.exact ? file.maxRemaining() : MAX_STREAMED_GZIP;
    const compressed = readUpTo(file, cap);
    if (!file.exact && !atEnd(file)) fail(`a gzip stream of more than ${MAX_STREAMED_GZIP} bytes`);
    return readGzip(compressed, fail, label);
  } finally {
    file.close();
  }
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
  checkOptions('io.encodeIdx', options, { gzip: 'boolean' });
  if (typeof array !== 'object' || array === null || !Array.isArray(array.shape) || typeof array.data !== 'object')
    throw new TypeError(`io.encodeIdx: array must be { shape, data, dtype? }, got ${describe(array)}`);
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
  checkPath('io.writeIdx', path);
  checkOptions('io.writeIdx', options, { gzip: 'boolean' });
  writeFileAtomic(path, encodeIdx(array, options));
}
