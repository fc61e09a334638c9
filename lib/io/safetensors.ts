// The safetensors format (huggingface/safetensors): an 8-byte little-endian header length N,
// N bytes of JSON ({"name": {"dtype", "shape", "data_offsets": [begin, end]}, ...,
// "__metadata__": {string: string}}), padded with spaces so the data starts 8-byte aligned, then
// the data section: each tensor's little-endian bytes, row-major, back to back with no gaps.
// Written byte for byte as the reference implementation writes: tensors ordered by dtype (widest
// first, which keeps every tensor aligned) then by name, '__metadata__' first in the JSON.
// myelin writes F32, F64, I32, BOOL, I8, U8 and BF16 (bfloat16 tensors, their bits as they are);
// it reads F32, F64, BF16, I32, I8, U8 and BOOL as they are, F16 as float32 (exactly), and I64,
// I16, U16, U32 as int32 (refusing values int32 cannot hold).
import { checkPath, checkString } from '../errors.js';
import { endianness } from 'node:os';
import type { DType, TypedArray } from '../dtype.js';
import { formatShape, numel } from '../shape.js';
import { Tensor } from '../tensor.js';
import { writeFileAtomic } from './atomic.js';
import { allocatePayload, atEnd, type ByteSource, FileSource, MemorySource, readUpTo } from './byte_source.js';
import { parseHeader } from './safetensors_header.js';

/** The dtypes of the safetensors format, by its names (myelin reads each as float32, float64, bfloat16, int32, int8, uint8 or bool). */
export type SafetensorsDType =
  | 'F64'
  | 'F32'
  | 'F16'
  | 'BF16'
  | 'I64'
  | 'I32'
  | 'I16'
  | 'I8'
  | 'U8'
  | 'U16'
  | 'U32'
  | 'BOOL';
/** A safetensors file's `__metadata__`: string keys to string values. */
export type Metadata = Record<string, string>;

/** What loadSafetensors returns. */
export interface SafetensorsContents {
  /** The tensors by name. */
  tensors: Record<string, Tensor>;
  /** The file's metadata (empty when it has none). */
  metadata: Metadata;
}

const ELEMENT_SIZE: Record<SafetensorsDType, number> = {
  F64: 8,
  I64: 8,
  F32: 4,
  I32: 4,
  U32: 4,
  F16: 2,
  BF16: 2,
  I16: 2,
  U16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/** The reference implementation's dtype order (its enum order, by alignment); it writes the highest first. */
const DTYPE_RANK: Record<SafetensorsDType, number> = {
  BOOL: 0,
  U8: 1,
  I8: 2,
  I16: 5,
  U16: 6,
  F16: 7,
  BF16: 8,
  I32: 9,
  U32: 10,
  F32: 11,
  F64: 12,
  I64: 13,
};

// Quantized tensors have no safetensors dtype (their scales would be lost): save intRepr() and the scales.
const WRITE_DTYPE: Partial<Record<DType, SafetensorsDType>> = {
  float32: 'F32',
  float64: 'F64',
  int32: 'I32',
  bool: 'BOOL',
  int8: 'I8',
  uint8: 'U8',
  bfloat16: 'BF16',
};

/** The reference implementation refuses headers above 100 MB. */
const MAX_HEADER = 100_000_000;

function checkHost(op: string): void {
  if (endianness() !== 'LE') throw new Error(`${op}: safetensors support needs a little-endian host`);
}

function validName(op: string, name: string): void {
  if (name === '__metadata__') throw new RangeError(`${op}: '__metadata__' is reserved and cannot name a tensor`);
}

/** The bytes of a safetensors file holding `tensors` (and string `metadata`). */
export function serialize(tensors: Record<string, Tensor>, metadata?: Metadata): Uint8Array {
  const parts = serializeParts('serialize', tensors, metadata);
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function serializeParts(op: string, tensors: Record<string, Tensor>, metadata?: Metadata): Uint8Array[] {
  checkHost(op);
  if (tensors === null || typeof tensors !== 'object')
    throw new TypeError(`${op}: expected a record of tensors, got ${String(tensors)}`);
  const entries = Object.entries(tensors).map(([name, t]) => {
    validName(op, name);
    if (!(t instanceof Tensor))
      throw new TypeError(`${op}: '${name}' must be a Tensor, got ${t === null ? 'null' : typeof t}`);
    const dtype = WRITE_DTYPE[t.dtype];
    if (dtype === undefined)
      throw new TypeError(
        `${op}: '${name}' is ${t.dtype}, which safetensors cannot hold; save intRepr() and its scales`,
      );
    return { name, key: Buffer.from(name, 'utf8'), t, dtype };
  });
  // Names compare by their UTF-8 bytes, as Rust's str ordering does.
  entries.sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || Buffer.compare(a.key, b.key));

  // Built by hand so the JSON lists entries in data order (a JS object puts integer-like keys first).
  const header: string[] = [];
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object')
      throw new TypeError(`${op}: metadata must be a record of strings`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`${op}: metadata '${k}' must be a string, got ${typeof v}`);
    }
    if (Object.keys(metadata).length) header.push(`"__metadata__":${JSON.stringify(metadata)}`);
  }
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const { name, t, dtype } of entries) {
    const data = t.data; // contiguous view or a row-major copy
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    header.push(
      `${JSON.stringify(name)}:${JSON.stringify({ dtype, shape: [...t.shape], data_offsets: [offset, offset + bytes.length] })}`,
    );
    chunks.push(bytes);
    offset += bytes.length;
  }
  const json = Buffer.from(`{${header.join(',')}}`, 'utf8');
  // Pad with spaces so that 8 + N is a multiple of 8, as the reference writer does.
  const padded = Math.ceil((8 + json.length) / 8) * 8 - 8;
  const head = new Uint8Array(8 + padded).fill(0x20);
  new DataView(head.buffer).setBigUint64(0, BigInt(padded), true);
  head.set(json, 8);
  return [head, ...chunks];
}

/**
 * Reads a safetensors stream: the header length, the header, then each tensor's bytes in order.
 * Errors name `op` (the function the user called) and `source`.
 */
function readFrom(src: ByteSource, source: string, op: string): SafetensorsContents {
  const fail = (msg: string): never => {
    throw new Error(`${op}: ${source}: ${msg}`);
  };
  const lengthBytes = readUpTo(src, 8);
  if (lengthBytes.length < 8) fail(`${lengthBytes.length} bytes is too short (the header length alone takes 8)`);
  const n64 = new DataView(lengthBytes.buffer).getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER)) fail(`header length ${n64} is larger than the ${MAX_HEADER}-byte limit`);
  const n = Number(n64);
  // Checked before the header is read, so a length the file cannot hold allocates nothing.
  if (n > src.maxRemaining())
    fail(`header length ${n} goes past the end of the data (${8 + src.maxRemaining()} bytes)`);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  const headerBytes = readUpTo(src, n);
  if (headerBytes.length < n)
    fail(`header length ${n} goes past the end of the data (${8 + headerBytes.length} bytes)`);
  const { entries: parsed, metadata } = parseHeader(headerBytes, fail);
  const dataLength = src.maxRemaining();

  const entries: Entry[] = [];
  for (const { name, dtype, shape, begin, end } of parsed) {
    if (!(dtype in ELEMENT_SIZE)) {
      fail(
        `tensor '${name}': unsupported dtype ${JSON.stringify(dtype)} (myelin reads ${Object.keys(ELEMENT_SIZE).join(', ')})`,
      );
    }
    if (end > dataLength)
      fail(
        `tensor '${name}': data_offsets [${begin},${end}] are out of range (the data section has ${dataLength} bytes)`,
      );
    const dt = dtype as SafetensorsDType;
    const need = numel(shape) * ELEMENT_SIZE[dt];
    if (need !== end - begin) {
      fail(
        `tensor '${name}': dtype ${dt} and shape ${formatShape(shape)} need ${need} bytes, data_offsets [${begin},${end}] hold ${end - begin}`,
      );
    }
    entries.push({ name, dtype: dt, shape, begin, end });
  }

  // The data section must be covered exactly: no overlaps, no gaps, nothing left over.
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Entry | null = null;
  for (const e of byOffset) {
    if (e.begin < pos)
      fail(
        `tensor '${e.name}': data_offsets [${e.begin},${e.end}] overlap tensor '${prev!.name}' [${prev!.begin},${prev!.end}]`,
      );
    if (e.begin > pos)
      fail(
        `tensor '${e.name}': data_offsets [${e.begin},${e.end}] leave a gap of ${e.begin - pos} bytes after ${prev ? `tensor '${prev.name}'` : 'the header'}`,
      );
    pos = e.end;
    prev = e;
  }
  if (src.exact && pos !== dataLength)
    fail(
      `the tensors cover ${pos} bytes of the ${dataLength}-byte data section (${dataLength - pos} bytes unaccounted for)`,
    );

  // Each tensor's bytes are read straight into a buffer of its own, in file order: nothing
  // holds the whole data section at once.
  const arrays = new Map<Entry, TypedArray>();
  for (const e of byOffset) {
    const raw = allocatePayload(`${op}: ${source}`, e.end - e.begin);
    const got = src.readInto(raw);
    if (got < raw.length)
      fail(
        `tensor '${e.name}': data_offsets [${e.begin},${e.end}] are out of range (the data ends at ${e.begin + got})`,
      );
    arrays.set(e, convert(e, raw, fail));
  }
  if (!src.exact && !atEnd(src)) fail(`the tensors cover ${pos} bytes of a longer data section`);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) tensors[e.name] = Tensor.fromData(arrays.get(e)!, e.shape, NAMED_DTYPE[e.dtype]);
  return { tensors, metadata };
}

/** Parses safetensors bytes. `source` labels error messages (e.g. the file name). */
export function deserialize(bytes: Uint8Array, source = 'safetensors data'): SafetensorsContents {
  checkHost('deserialize');
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`deserialize: expected a Uint8Array, got ${typeof bytes}`);
  checkString('io.deserialize', 'source', source);
  return readFrom(new MemorySource(bytes), source, 'deserialize');
}

interface Entry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
}

/** A typed array over `raw`'s own buffer (raw is a fresh, aligned allocation). */
function view<T>(Ctor: new (b: ArrayBuffer) => T, raw: Uint8Array): T {
  return new Ctor(raw.buffer as ArrayBuffer);
}

/** The file's dtypes whose array alone does not say the dtype: BF16's bits and U8's bytes (a plain Uint8Array is bool). */
const NAMED_DTYPE: Partial<Record<SafetensorsDType, { dtype: DType }>> = {
  BF16: { dtype: 'bfloat16' },
  U8: { dtype: 'uint8' },
};

function convert(e: Entry, raw: Uint8Array, fail: (msg: string) => never): TypedArray {
  const n = numel(e.shape);
  const toInt32 = (src: ArrayLike<number | bigint>): Int32Array => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const v = src[i];
      const num = typeof v === 'bigint' ? Number(v) : v;
      if (num < -2147483648 || num > 2147483647)
        fail(`tensor '${e.name}': ${e.dtype} value ${v} at index ${i} does not fit in int32`);
      out[i] = num;
    }
    return out;
  };
  switch (e.dtype) {
    case 'F32':
      return view(Float32Array, raw);
    case 'I32':
      return view(Int32Array, raw);
    case 'BOOL': {
      for (let i = 0; i < n; i++)
        if (raw[i] > 1) fail(`tensor '${e.name}': BOOL byte ${raw[i]} at index ${i} is neither 0 nor 1`);
      return raw;
    }
    case 'F64':
      return view(Float64Array, raw);
    case 'F16':
      return halfToFloat32(view(Uint16Array, raw));
    case 'BF16':
      return view(Uint16Array, raw);
    case 'I64':
      return toInt32(view(BigInt64Array, raw));
    case 'U32':
      return toInt32(view(Uint32Array, raw));
    case 'I16':
      return Int32Array.from(view(Int16Array, raw));
    case 'U16':
      return Int32Array.from(view(Uint16Array, raw));
    case 'I8':
      return view(Int8Array, raw);
    case 'U8':
      return raw;
  }
}

/** IEEE half bit patterns to float32 values (exact: a half widens losslessly). */
export function halfToFloat32(src: Uint16Array): Float32Array {
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i++) {
    const h = src[i];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[i] = sign * frac * 2 ** -24;
    else if (exp === 31) out[i] = frac ? NaN : sign * Infinity;
    else out[i] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Saves tensors (e.g. a module's stateDict()) as a safetensors file, atomically. */
export function saveSafetensors(path: string, tensors: Record<string, Tensor>, metadata?: Metadata): void {
  checkPath('io.saveSafetensors', path);
  writeFileAtomic(path, serializeParts('saveSafetensors', tensors, metadata));
}

/** Reads a safetensors file: its tensors and its string metadata (reading only what the header declares). */
export function readSafetensors(path: string): SafetensorsContents {
  return readSafetensorsFor('readSafetensors', path);
}

/** Loads the tensors of a safetensors file by name (ready for module.loadStateDict). */
export function loadSafetensors(path: string): Record<string, Tensor> {
  return readSafetensorsFor('loadSafetensors', path).tensors;
}

/** readSafetensors for `op`, which its errors name (e.g. loadCheckpoint reading its file). */
export function readSafetensorsFor(op: string, path: string): SafetensorsContents {
  checkHost(op);
  if (typeof path !== 'string') throw new TypeError(`${op}: path must be a string, got ${typeof path}`);
  const file = new FileSource(path, op);
  try {
    return readFrom(file, path, op);
  } finally {
    file.close();
  }
}
