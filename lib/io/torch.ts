// PyTorch checkpoint files: loadTorch reads what torch.save writes, saveTorch writes what
// torch.load reads.
//
// The zip format (PyTorch >= 1.6): '<archive>/data.pkl' is a pickle of the saved object whose
// tensors are calls to torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...), each
// storage a persistent id ('storage', torch.FloatStorage, key, location, numel) naming the
// record '<archive>/data/<key>' that holds its raw little-endian bytes. The legacy format
// (before 1.6) is a run of pickles (magic number, protocol version, system info, the object, the
// storage keys) followed by each storage as an int64 element count and its bytes.
//
// Loading never runs code: the pickle goes through a restricted unpickler that allows the names
// torch.load(..., weights_only=True) allows and implements each of them here. Storages of dtypes
// myelin lacks are converted (float16 → float32; int64/int16 → int32, refusing values int32
// cannot hold) and the conversions are reported; the others (float32, float64, bfloat16, int32,
// int8, uint8, bool) keep their dtype and bits, as torch.load. Tensors that
// shared a storage in PyTorch share one here, with their offsets and strides. Quantized tensors
// (qint8, quint8; per tensor or per channel) are rebuilt by torch._utils._rebuild_qtensor with
// their quantizer's scheme, scales, zero points and axis, both ways.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { allocate, type DType, isFloatingDType, type TypedArray, Uint8Elements } from '../dtype.js';
import { checkOptions, checkPath, checkString, describe as describeValue, optionKeys } from '../errors.js';
import { Parameter } from '../nn/parameter.js';
import { formatShape } from '../shape.js';
import { type Quantizer, Storage, Tensor } from '../tensor.js';
import { writeFileAtomic } from './atomic.js';
import { describe, isTuple, Pickler, type PickleHandlers, unpickle } from './pickle.js';
import { halfToFloat32 } from './safetensors.js';
import { writeZip, ZipReader } from './zip.js';

/** torch dtypes by the storage class names pickles use (torch.FloatStorage ...). */
const STORAGE_CLASSES: Record<string, string> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
  ComplexFloatStorage: 'complex64',
  ComplexDoubleStorage: 'complex128',
  QInt8Storage: 'qint8',
  QUInt8Storage: 'quint8',
  QInt32Storage: 'qint32',
  QUInt4x2Storage: 'quint4x2',
  QUInt2x4Storage: 'quint2x4',
};

/** Bytes per element and the myelin dtype each torch dtype is read as (null: not readable). */
const TORCH_DTYPES: Record<string, { size: number; as: DType | null }> = {
  float32: { size: 4, as: 'float32' },
  float64: { size: 8, as: 'float64' },
  float16: { size: 2, as: 'float32' },
  bfloat16: { size: 2, as: 'bfloat16' },
  int64: { size: 8, as: 'int32' },
  int32: { size: 4, as: 'int32' },
  int16: { size: 2, as: 'int32' },
  int8: { size: 1, as: 'int8' },
  uint8: { size: 1, as: 'uint8' },
  bool: { size: 1, as: 'bool' },
  complex32: { size: 4, as: null },
  complex64: { size: 8, as: null },
  complex128: { size: 16, as: null },
  qint8: { size: 1, as: 'qint8' },
  quint8: { size: 1, as: 'quint8' },
  qint32: { size: 4, as: null },
  quint4x2: { size: 1, as: null },
  quint2x4: { size: 1, as: null },
};

const WRITE_CLASS: Partial<Record<DType, string>> = {
  float32: 'FloatStorage',
  float64: 'DoubleStorage',
  int32: 'IntStorage',
  bool: 'BoolStorage',
  int8: 'CharStorage',
  uint8: 'ByteStorage',
  bfloat16: 'BFloat16Storage',
  qint8: 'QInt8Storage',
  quint8: 'QUInt8Storage',
};

/** The quantization schemes a quantized tensor's rebuild names (torch.per_tensor_affine ...). */
const QSCHEMES = [
  'per_tensor_affine',
  'per_channel_affine',
  'per_tensor_symmetric',
  'per_channel_symmetric',
  'per_channel_affine_float_qparams',
];

/** A name the restricted unpickler allows: GLOBAL pushes one of these, never a real object. */
class Allowed {
  constructor(readonly path: string) {}
  toString(): string {
    return this.path;
  }
}

const REBUILD = [
  '_rebuild_tensor',
  '_rebuild_tensor_v2',
  '_rebuild_tensor_v3',
  '_rebuild_parameter',
  '_rebuild_parameter_with_state',
  '_rebuild_qtensor',
  '_rebuild_sparse_tensor',
  '_rebuild_sparse_csr_tensor',
  '_rebuild_meta_tensor_no_storage',
  '_rebuild_wrapper_subclass',
  '_rebuild_device_tensor_from_numpy',
  '_rebuild_device_tensor_from_cpu_tensor',
];

/** torch.load(weights_only=True)'s allow-list: exactly these module.name pairs. */
const ALLOWED = new Map<string, Allowed>(
  [
    'collections.OrderedDict',
    'collections.Counter',
    'torch.nn.parameter.Parameter',
    'torch.serialization._get_layout',
    'torch.Size',
    'torch.Tensor',
    'torch.device',
    '_codecs.encode',
    'builtins.bytearray',
    'builtins.set',
    'builtins.complex',
    'torch._tensor._rebuild_from_type_v2',
    ...Object.keys(STORAGE_CLASSES).map((c) => `torch.${c}`),
    ...Object.keys(TORCH_DTYPES).map((d) => `torch.${d}`),
    ...REBUILD.map((f) => `torch._utils.${f}`),
    ...QSCHEMES.map((q) => `torch.${q}`),
  ].map((p) => [p, new Allowed(p)]),
);

/** One storage as the file describes it, converted to a myelin Storage once loaded. */
interface StorageRecord {
  key: string;
  torchDtype: string;
  numel: number;
  storage: Storage | null;
  /** A quantized storage's Storage with its quantizer, made by the first tensor rebuilt over it. */
  quantized?: Storage;
}

/** A dtype conversion loadTorch made: storages of a dtype myelin lacks (float16, int64...). */
export interface TorchConversion {
  /** The storage dtype in the file. */
  from: string;
  /** The myelin dtype it was read as. */
  to: DType;
  /** How many storages and elements were converted. */
  storages: number;
  /** How many elements they held. */
  elements: number;
}

/** What readTorch returns. */
export interface TorchContents {
  /** What torch.load would return, with myelin tensors (Parameters where torch had them). */
  value: unknown;
  /**
   * Storages under the loaded tensors whose dtype myelin lacks, read as float32/int32 (empty when
   * none); a per-channel quantizer's int64 zero points are the quantizer's, not counted here.
   */
  conversions: TorchConversion[];
}

/** The options of loadTorch and readTorch. */
export interface LoadTorchOptions {
  /**
   * false: refuse storages that need a dtype conversion instead of converting them (default true).
   * A per-channel quantizer's zero points (int64 in torch) are not refused: they become the
   * quantizer's int32 zero points, each checked to lie in the quantized dtype's range.
   */
  convert?: boolean;
  /** The most bytes all compressed zip entries may inflate to (default 1 GiB; torch.save writes none). */
  maxInflatedBytes?: number;
}

const OPTION_KEYS = optionKeys<LoadTorchOptions>({ convert: 'boolean', maxInflatedBytes: 'number' });

/** Reads a file written by torch.save: the object it holds and the dtype conversions made. */
export function readTorch(path: string, options: LoadTorchOptions = {}): TorchContents {
  // A number would be read as a file descriptor (0: standard input).
  checkPath('io.readTorch', path);
  checkOptions('io.readTorch', options, OPTION_KEYS);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    throw new Error(`loadTorch: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseTorch(bytes, basename(path), options);
}

/** What torch.load(path, weights_only=True) returns: state dicts, nested containers, tensors, numbers. */
export function loadTorch(path: string, options: LoadTorchOptions = {}): unknown {
  checkPath('io.loadTorch', path);
  checkOptions('io.loadTorch', options, OPTION_KEYS);
  return readTorch(path, options).value;
}

/** Parses the bytes of a torch.save file; `source` names it in errors. */
export function parseTorch(bytes: Uint8Array, source = 'torch data', options: LoadTorchOptions = {}): TorchContents {
  if (!(bytes instanceof Uint8Array))
    throw new TypeError(`io.parseTorch: bytes must be a Uint8Array (a Buffer), got ${describeValue(bytes)}`);
  checkString('io.parseTorch', 'source', source);
  checkOptions('io.parseTorch', options, OPTION_KEYS);
  const label = `loadTorch: ${source}`;
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04)
    return new TorchLoader(label, options).loadZip(bytes, source);
  if (bytes.length >= 2 && bytes[0] === 0x80) return new TorchLoader(label, options).loadLegacy(bytes);
  if (bytes.length >= 262 && Buffer.from(bytes.subarray(257, 262)).toString('latin1') === 'ustar')
    throw new Error(`${label}: the tar format of PyTorch before 0.4 is not supported`);
  throw new Error(`${label}: not a PyTorch file (neither the zip format of torch.save nor its legacy pickle format)`);
}

class TorchLoader {
  private readonly records = new Map<string, StorageRecord>();
  /**
   * The tensors rebuilt over storages read as another dtype (int64 as int32...), less those a
   * quantizer took as its zero points: those are the quantizer's, not a tensor the caller gets.
   */
  private readonly convertedTensors = new Map<Tensor, StorageRecord>();
  private bigEndian = false;

  constructor(
    private readonly label: string,
    private readonly options: LoadTorchOptions,
  ) {}

  private fail(message: string): never {
    throw new Error(`${this.label}: ${message}`);
  }

  loadZip(bytes: Uint8Array, source: string): TorchContents {
    const zip = new ZipReader(bytes, 'loadTorch', source, { maxInflatedBytes: this.options.maxInflatedBytes });
    const first = zip.entries.keys().next().value;
    if (first === undefined) this.fail('the zip archive is empty');
    // As PyTorch's reader: the archive's folder is the first entry's top-level name.
    const slash = first.indexOf('/');
    if (slash < 0) this.fail(`entry '${first}' is not inside an archive folder`);
    const prefix = first.slice(0, slash + 1);
    const record = (name: string) => zip.entries.get(prefix + name);
    const pkl = record('data.pkl');
    if (!pkl) this.fail(`no ${prefix}data.pkl in the archive`);
    const order = record('byteorder');
    if (order) {
      const text = Buffer.from(zip.read(order)).toString('latin1');
      if (text !== 'little' && text !== 'big') this.fail(`byteorder record says '${text.slice(0, 20)}'`);
      this.bigEndian = text === 'big';
    }
    const loadData = (rec: StorageRecord) => {
      const entry = record(`data/${rec.key}`);
      if (!entry) this.fail(`storage '${rec.key}' has no record ${prefix}data/${rec.key}`);
      const expected = rec.numel * TORCH_DTYPES[rec.torchDtype].size;
      if (entry.size !== expected)
        this.fail(
          `storage '${rec.key}' holds ${entry.size} bytes, but ${rec.numel} ${rec.torchDtype} elements need ${expected}`,
        );
      return zip.read(entry);
    };
    const { value } = unpickle(zip.read(pkl), this.handlers(loadData), this.label);
    return this.contents(value);
  }

  loadLegacy(bytes: Uint8Array): TorchContents {
    // Plain-data pickles first: magic number, protocol version, system info.
    const plain = this.handlers(() => this.fail('a storage in the header pickles'));
    let at = 0;
    const next = (h: PickleHandlers) => {
      const r = unpickle(bytes, h, this.label, at);
      at = r.end;
      return r.value;
    };
    const magic = next(plain);
    if (magic !== 0x1950a86a20f9469cfc6cn) this.fail('the legacy format starts with a wrong magic number');
    const protocol = next(plain);
    if (protocol !== 1001) this.fail(`legacy protocol version ${String(protocol)} is not supported (1001 is)`);
    const info = next(plain) as Record<string, unknown> | null;
    if (info === null || typeof info !== 'object') this.fail('the legacy system-info pickle is not a dict');
    if (info.little_endian === false) this.bigEndian = true;
    // The object's pickle names its storages, whose bytes follow the key list: pass over it once
    // recording the storages, read them, then unpickle it again for real.
    const objectStart = at;
    const pending = new Map<string, StorageRecord>();
    at = unpickle(
      bytes,
      this.handlers(() => new Uint8Array(0), pending),
      this.label,
      objectStart,
    ).end;
    const keys = next(plain);
    if (!Array.isArray(keys) || keys.some((k) => typeof k !== 'string'))
      this.fail('the legacy storage key list is not a list of strings');
    const data = new Map<string, Uint8Array>();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (const key of keys as string[]) {
      const rec = pending.get(key);
      if (!rec) this.fail(`the legacy key list names storage '${key}', which the object does not use`);
      if (at + 8 > bytes.length) this.fail(`storage '${key}' is truncated`);
      const numel = view.getBigInt64(at, !this.bigEndian);
      if (numel !== BigInt(rec.numel))
        this.fail(`storage '${key}' holds ${numel} elements, the object says ${rec.numel}`);
      const n = rec.numel * TORCH_DTYPES[rec.torchDtype].size;
      if (at + 8 + n > bytes.length) this.fail(`storage '${key}' is truncated (${n} bytes needed)`);
      data.set(key, bytes.subarray(at + 8, at + 8 + n));
      at += 8 + n;
    }
    const loadData = (rec: StorageRecord) => {
      const d = data.get(rec.key);
      if (!d) this.fail(`storage '${rec.key}' is not in the legacy key list`);
      return d;
    };
    const { value } = unpickle(bytes, this.handlers(loadData), this.label, objectStart);
    return this.contents(value);
  }

  /**
   * What the file holds, once no storage is left bare in it: torch.save of `tensor.storage()`
   * (or an untyped storage) has no tensor over it, and myelin's storage record is not a value
   * a caller can use.
   */
  private contents(value: unknown): TorchContents {
    const seen = new Set<object>();
    const visit = (x: unknown, where: string): void => {
      if (x === null || typeof x !== 'object' || x instanceof Tensor || seen.has(x)) return;
      seen.add(x);
      if (isStorageRecord(x))
        this.fail(
          `${where} (obj being what torch.save saved) is a bare storage (tensor.storage()), which myelin cannot load: save the tensor instead`,
        );
      if (Array.isArray(x)) x.forEach((v, i) => visit(v, `${where}[${i}]`));
      else if (x instanceof Map) for (const [k, v] of x) visit(v, `${where}[${JSON.stringify(String(k))}]`);
      else if (!ArrayBuffer.isView(x)) for (const [k, v] of Object.entries(x)) visit(v, `${where}.${k}`);
    };
    visit(value, 'obj');
    return { value, conversions: this.conversionsMade() };
  }

  /** The restricted unpickler's handlers: storages come from `loadData`. */
  private handlers(loadData: (rec: StorageRecord) => Uint8Array, records = this.records): PickleHandlers {
    return {
      global: (pickledModule, name) => {
        // Protocol 2 writes Python 3's builtins under their Python 2 name, as torch maps back.
        const module = pickledModule === '__builtin__' ? 'builtins' : pickledModule;
        const allowed = ALLOWED.get(`${module}.${name}`);
        if (!allowed)
          this.fail(
            `refusing GLOBAL ${module}.${name}: not on the weights-only allow-list ` +
              '(loading never imports or runs what a file names)',
          );
        return allowed;
      },
      reduce: (func, args) => this.reduce(func, args),
      newobj: (cls, args) => {
        if (cls instanceof Allowed && cls.path === 'torch.nn.parameter.Parameter') return this.parameter(args);
        return this.fail(`refusing NEWOBJ of ${describe(cls)}: only torch.nn.Parameter may be created`);
      },
      build: (inst, state) => {
        // OrderedDict state (a state dict's _metadata) and a Parameter's state carry nothing
        // myelin uses; anything else is refused as torch refuses it.
        const plainObject = inst !== null && typeof inst === 'object' && !Array.isArray(inst) && !(inst instanceof Set);
        if (!(plainObject || inst instanceof Parameter))
          this.fail(`refusing BUILD of ${describe(inst)}: only dicts and Parameters may be built`);
        if (inst instanceof Tensor && !(inst instanceof Parameter)) this.fail('refusing BUILD of a Tensor');
        if (state !== null && (typeof state !== 'object' || Array.isArray(state)) && !isTuple(state))
          this.fail(`refusing BUILD with state ${describe(state)}`);
        return inst;
      },
      persistentLoad: (pid) => this.persistentLoad(pid, records, loadData),
    };
  }

  private persistentLoad(
    pid: unknown,
    records: Map<string, StorageRecord>,
    loadData: (rec: StorageRecord) => Uint8Array,
  ): StorageRecord {
    if (!isTuple(pid) || pid[0] !== 'storage')
      this.fail(`refusing persistent id ${describe(pid)}: only ('storage', ...) is allowed`);
    const [, cls, key, location, numel, viewMetadata] = pid;
    if (!(cls instanceof Allowed) || !cls.path.startsWith('torch.') || !(cls.path.slice(6) in STORAGE_CLASSES))
      this.fail(`storage type ${describe(cls)} is not a torch storage class`);
    if (typeof key !== 'string' || typeof location !== 'string')
      this.fail(`storage id (${describe(key)}, ${describe(location)}) is not a key and a location`);
    if (typeof numel !== 'number' || !Number.isSafeInteger(numel) || numel < 0)
      this.fail(`storage '${key}' has an invalid element count ${describe(numel)}`);
    if (viewMetadata !== undefined && viewMetadata !== null)
      this.fail(`storage '${key}' is a storage view (PyTorch before 0.4), which is not supported`);
    const torchDtype = STORAGE_CLASSES[(cls as Allowed).path.slice(6)];
    let rec = records.get(key as string);
    if (!rec) {
      rec = { key: key as string, torchDtype, numel: numel as number, storage: null };
      records.set(key as string, rec);
    } else if (rec.torchDtype !== torchDtype || rec.numel !== numel) {
      this.fail(`storage '${key}' is named twice with different types or sizes`);
    }
    if (!rec.storage) {
      const data = loadData(rec);
      if (data.length) rec.storage = new Storage(this.convert(rec, data));
    }
    return rec;
  }

  private reduce(func: unknown, args: readonly unknown[]): unknown {
    if (!(func instanceof Allowed)) return this.fail(`refusing REDUCE of ${describe(func)}: not an allowed function`);
    switch (func.path) {
      case 'collections.OrderedDict':
      case 'collections.Counter':
        return this.dictFrom(func.path, args);
      case 'torch.Size':
        if (args.length !== 1 || !isTuple(args[0])) this.fail('torch.Size takes one tuple');
        return args[0];
      case 'torch.device':
        if (typeof args[0] !== 'string' || (args.length === 2 && typeof args[1] !== 'number') || args.length > 2)
          this.fail(`torch.device${describe(args)}`);
        return args.length === 2 ? `${args[0]}:${args[1]}` : args[0];
      case '_codecs.encode':
        if (typeof args[0] !== 'string' || (args[1] !== 'latin1' && args[1] !== 'latin-1'))
          this.fail('_codecs.encode takes a string and latin1');
        return Uint8Array.from(args[0] as string, (c) => c.charCodeAt(0));
      case 'builtins.bytearray':
        return args.length === 0 ? new Uint8Array(0) : this.reduce(ALLOWED.get('_codecs.encode'), args);
      case 'builtins.set':
        if (args.length > 1 || (args.length === 1 && !Array.isArray(args[0]))) this.fail('set takes one list');
        return new Set((args[0] as unknown[] | undefined) ?? []);
      case 'torch._utils._rebuild_tensor':
        return this.tensor(args, 4);
      case 'torch._utils._rebuild_tensor_v2':
        return this.tensor(args, 6);
      case 'torch._utils._rebuild_tensor_v3':
        return this.tensor(args, 7);
      case 'torch._utils._rebuild_parameter':
      case 'torch._utils._rebuild_parameter_with_state':
        return this.parameter(args);
      case 'torch._utils._rebuild_sparse_tensor':
      case 'torch._utils._rebuild_sparse_csr_tensor':
      case 'torch.serialization._get_layout':
        return this.fail('sparse tensors are not supported (myelin has dense tensors only)');
      case 'torch._utils._rebuild_qtensor':
        return this.qtensor(args);
      default:
        return this.fail(`${func.path} is not supported by myelin's loader (it names tensor kinds myelin lacks)`);
    }
  }

  private dictFrom(what: string, args: readonly unknown[]): object {
    const out: Record<string, unknown> = {};
    const put = (k: unknown, v: unknown) => {
      if (typeof k !== 'string' && typeof k !== 'number') this.fail(`${what} keys must be str or int`);
      Object.defineProperty(out, String(k), { value: v, enumerable: true, writable: true, configurable: true });
    };
    if (args.length === 0) return out;
    const [src] = args;
    if (args.length === 1 && Array.isArray(src)) {
      for (const pair of src) {
        if (!isTuple(pair) || pair.length !== 2) this.fail(`${what} takes (key, value) pairs`);
        put(pair[0], pair[1]);
      }
      return out;
    }
    if (args.length === 1 && src !== null && typeof src === 'object' && !Array.isArray(src) && !(src instanceof Set)) {
      for (const [k, v] of Object.entries(src)) put(k, v);
      return out;
    }
    return this.fail(`${what} takes a dict or a list of pairs, got ${describe(src)}`);
  }

  /**
   * _rebuild_tensor(storage, offset, size, stride[, requires_grad, hooks[, dtype], metadata]);
   * with a quantizer, the tensor of _rebuild_qtensor (whose storage must then be quantized).
   */
  private tensor(args: readonly unknown[], minArgs: number, quantizer: Quantizer | null = null): Tensor {
    if (args.length < minArgs) this.fail(`a tensor rebuild takes ${minArgs} arguments, got ${args.length}`);
    const [rec, offset, size, stride, requiresGrad, hooks] = args as unknown[];
    if (!isStorageRecord(rec)) this.fail(`a tensor's storage is ${describe(rec)}`);
    const quantizedStorage = rec.torchDtype === 'qint8' || rec.torchDtype === 'quint8';
    if (quantizedStorage && quantizer === null)
      this.fail(
        `a plain tensor rebuild over the ${rec.torchDtype} storage '${rec.key}' (quantized tensors rebuild with _rebuild_qtensor)`,
      );
    const ints = (x: unknown, what: string): number[] => {
      if (!isTuple(x) || x.length > 64 || x.some((v) => typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0))
        this.fail(`a tensor's ${what} ${describe(x)} is not a tuple of non-negative integers`);
      return [...(x as number[])];
    };
    const shape = ints(size, 'size');
    const strides = ints(stride, 'stride');
    if (strides.length !== shape.length)
      this.fail(`size ${formatShape(shape)} and stride ${formatShape(strides)} differ in length`);
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0)
      this.fail(`a tensor's storage offset ${describe(offset)} is not a non-negative integer`);
    if (hooks !== undefined && hooks !== null && (typeof hooks !== 'object' || Object.keys(hooks).length))
      this.fail('tensors with backward hooks are not supported');
    if (minArgs === 7) {
      const dtype = args[6];
      if (
        !(dtype instanceof Allowed) ||
        TORCH_DTYPES[dtype.path.slice(6)] === undefined ||
        dtype.path.slice(6) !== rec.torchDtype
      )
        this.fail(`_rebuild_tensor_v3 with dtype ${describe(dtype)} over a ${rec.torchDtype} storage is not supported`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (n > 0) {
      const last = offset + shape.reduce((acc, s, i) => acc + (s - 1) * strides[i], 0);
      if (last >= rec.numel)
        this.fail(
          `a tensor of size ${formatShape(shape)}, stride ${formatShape(strides)} at offset ${offset} reaches element ` +
            `${last} of storage '${rec.key}', which has ${rec.numel}`,
        );
    }
    const as = TORCH_DTYPES[rec.torchDtype].as as DType;
    const storage = quantizer
      ? this.quantizedStorage(rec, as, quantizer)
      : (rec.storage ?? new Storage(allocate(as, 0), as));
    // No bytes for a non-empty storage (its size was checked above): the legacy format's
    // recording pass, whose tensors are discarded; a Tensor must lie inside its storage.
    if (rec.storage === null && n > 0) return new Tensor(storage, [0]);
    const t = new Tensor(storage, shape, strides, n > 0 ? offset : 0);
    if (rec.storage !== null && rec.torchDtype !== as) this.convertedTensors.set(t, rec);
    if (requiresGrad === true && isFloatingDType(as)) t.requiresGrad = true;
    return t;
  }

  private parameter(args: readonly unknown[]): Parameter {
    const [data, requiresGrad] = args;
    if (!(data instanceof Tensor)) this.fail(`a Parameter's data is ${describe(data)}`);
    if (requiresGrad !== undefined && typeof requiresGrad !== 'boolean') this.fail('requires_grad must be a bool');
    const t = data as Tensor;
    return new Parameter(t.detach(), requiresGrad !== false && isFloatingDType(t.dtype));
  }

  /** _rebuild_qtensor(storage, offset, size, stride, quantizer_params, requires_grad, hooks). */
  private qtensor(args: readonly unknown[]): Tensor {
    if (args.length < 7) this.fail(`_rebuild_qtensor takes 7 arguments, got ${args.length}`);
    const [rec, , size, , params] = args;
    if (!isStorageRecord(rec)) this.fail(`a quantized tensor's storage is ${describe(rec)}`);
    if (rec.torchDtype !== 'qint8' && rec.torchDtype !== 'quint8')
      this.fail(`quantized ${rec.torchDtype} tensors are not supported (myelin has qint8 and quint8)`);
    const dtype = rec.torchDtype;
    if (!isTuple(params) || params.length < 3) this.fail(`a quantized tensor's parameters are ${describe(params)}`);
    const scheme = params[0] instanceof Allowed ? params[0].path.slice(6) : '';
    const [lo, hi] = dtype === 'qint8' ? [-128, 127] : [0, 255];
    const checkScales = (scales: number[], zeros: number[]): void => {
      for (const v of scales)
        if (!Number.isFinite(v) || v <= 0) this.fail(`a quantized tensor's scale ${describe(v)} is not finite and > 0`);
      for (const v of zeros)
        if (!Number.isInteger(v) || v < lo || v > hi)
          this.fail(`a ${dtype} tensor's zero point ${describe(v)} is outside [${lo}, ${hi}]`);
    };
    let quantizer: Quantizer;
    if (scheme === 'per_tensor_affine' && params.length === 3) {
      const [, scale, zero] = params as unknown[];
      if (typeof scale !== 'number' || typeof zero !== 'number')
        this.fail(`a per-tensor quantizer takes a scale and a zero point, got ${describe(params)}`);
      checkScales([scale as number], [zero as number]);
      quantizer = {
        scheme: 'per_tensor_affine',
        scales: Float64Array.of(scale as number),
        zeroPoints: Int32Array.of(zero as number),
        axis: -1,
      };
    } else if (scheme === 'per_channel_affine' && params.length === 4) {
      const [, scales, zeros, axis] = params as unknown[];
      const shape = isTuple(size) ? (size as number[]) : [];
      if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < 0 || axis >= shape.length)
        this.fail(`a per-channel quantizer's axis ${describe(axis)} is not a dim of size ${describe(size)}`);
      const list = (t: unknown, what: string, want: DType): number[] => {
        if (!(t instanceof Tensor) || t.ndim !== 1 || t.dtype !== want || t.shape[0] !== shape[axis as number])
          this.fail(
            `a per-channel quantizer's ${what} must be ${shape[axis as number]} ${want} values, got ${describe(t)}`,
          );
        return Array.from((t as Tensor).toTypedArray() as ArrayLike<number>);
      };
      const s = list(scales, 'scales', 'float64');
      const z = list(zeros, 'zero points', 'int32');
      this.convertedTensors.delete(zeros as Tensor); // torch's int64 zero points, range-checked below
      checkScales(s, z);
      quantizer = {
        scheme: 'per_channel_affine',
        scales: Float64Array.from(s),
        zeroPoints: Int32Array.from(z),
        axis: axis as number,
      };
    } else {
      return this.fail(
        `quantization scheme ${describe(params[0])} is not supported (myelin has per_tensor_affine and per_channel_affine with integer zero points)`,
      );
    }
    return this.tensor([rec, args[1], size, args[3], false, args[6]], 4, quantizer);
  }

  /** The quantized Storage over a qint8/quint8 record's bytes, one per record (its quantizer must then agree). */
  private quantizedStorage(rec: StorageRecord, as: DType, q: Quantizer): Storage {
    const have = rec.quantized?.quantizer;
    if (have) {
      const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
        a.length === b.length && Array.prototype.every.call(a, (v: number, i: number) => v === b[i]);
      if (have.axis !== q.axis || !same(have.scales, q.scales) || !same(have.zeroPoints, q.zeroPoints))
        this.fail(`quantized tensors share the storage '${rec.key}' with different scales or zero points`);
      return rec.quantized!;
    }
    const data = rec.storage?.data ?? (as === 'qint8' ? new Int8Array(0) : new Uint8Array(0));
    rec.quantized = new Storage(data, as, q);
    return rec.quantized;
  }

  /** The conversions of the storages under the tensors loaded, each storage once; refused with convert: false. */
  private conversionsMade(): TorchConversion[] {
    const byDtype = new Map<string, TorchConversion>();
    for (const rec of new Set(this.convertedTensors.values())) {
      const to = TORCH_DTYPES[rec.torchDtype].as as DType;
      if (this.options.convert === false)
        this.fail(`storage '${rec.key}' is ${rec.torchDtype}, which would be converted to ${to} (convert: false)`);
      const c = byDtype.get(rec.torchDtype) ?? { from: rec.torchDtype, to, storages: 0, elements: 0 };
      c.storages++;
      c.elements += rec.numel;
      byDtype.set(rec.torchDtype, c);
    }
    return [...byDtype.values()];
  }

  /** The storage's bytes as myelin's typed array, converting dtypes myelin lacks. */
  private convert(rec: StorageRecord, bytes: Uint8Array): TypedArray {
    const info = TORCH_DTYPES[rec.torchDtype];
    if (!info.as) this.fail(`storage '${rec.key}' is ${rec.torchDtype}, which myelin cannot hold`);
    const raw = new Uint8Array(bytes); // an aligned copy, in host (little-endian) order below
    if (this.bigEndian && info.size > 1) {
      for (let i = 0; i < raw.length; i += info.size) raw.subarray(i, i + info.size).reverse();
    }
    const buf = raw.buffer;
    switch (rec.torchDtype) {
      case 'float32':
        return new Float32Array(buf);
      case 'int32':
        return new Int32Array(buf);
      case 'bool':
        for (let i = 0; i < raw.length; i++)
          if (raw[i] > 1) this.fail(`storage '${rec.key}': bool byte ${raw[i]} at ${i}`);
        return raw;
      case 'float64':
        return new Float64Array(buf);
      case 'float16':
        return halfToFloat32(new Uint16Array(buf));
      case 'bfloat16':
        return new Uint16Array(buf);
      case 'int16':
        return Int32Array.from(new Int16Array(buf));
      case 'int8':
        return new Int8Array(buf);
      case 'qint8':
        return new Int8Array(buf);
      case 'quint8':
        return raw;
      case 'uint8':
        return new Uint8Elements(buf);
      case 'int64': {
        const src = new BigInt64Array(buf);
        const out = new Int32Array(src.length);
        for (let i = 0; i < src.length; i++) {
          const v = src[i];
          if (v < -2147483648n || v > 2147483647n)
            this.fail(`storage '${rec.key}': int64 value ${v} at index ${i} does not fit in int32`);
          out[i] = Number(v);
        }
        return out;
      }
      default:
        return this.fail(`storage '${rec.key}' is ${rec.torchDtype}`);
    }
  }
}

function isStorageRecord(x: unknown): x is StorageRecord {
  return x !== null && typeof x === 'object' && 'torchDtype' in x && 'key' in x && 'numel' in x;
}

// ---- saving ----

/** The bytes of a torch.save file (zip format) holding `obj`; `archive` names its folder. */
export function serializeTorch(obj: unknown, archive = 'archive'): Uint8Array[] {
  checkString('io.serializeTorch', 'archive', archive);
  const p = new Pickler();
  const storages = new Map<Storage, string>();
  const files: { name: string; data: Uint8Array }[] = [];
  const fail = (where: string, message: string): never => {
    throw new TypeError(`saveTorch: ${where || 'the object'}: ${message}`);
  };
  const ints = (xs: readonly number[]) => {
    if (xs.length > 3) p.mark();
    for (const x of xs) p.int(x);
    p.tuple(xs.length);
  };
  const orderedDict = () => {
    p.global('collections', 'OrderedDict');
    p.tuple(0);
    p.reduce();
  };
  const storageKey = (t: Tensor): { key: string; numel: number; offset: number; strides: readonly number[] } => {
    if (t.strides.some((s) => s < 0)) {
      // torch has no negative strides: such a view is written as a copy of its own.
      const copy = new Tensor(new Storage(t.toTypedArray(), t.dtype, t.storage.quantizer), t.shape);
      return storageKey(copy);
    }
    let key = storages.get(t.storage);
    if (key === undefined) {
      key = String(files.length); // one key a data file (a quantizer's zero points have one too)
      storages.set(t.storage, key);
      const d = t.storage.data;
      files.push({ name: `${archive}/data/${key}`, data: new Uint8Array(d.buffer, d.byteOffset, d.byteLength) });
    }
    return { key, numel: t.storage.data.length, offset: t.offset, strides: t.strides };
  };
  /** The persistent id of a storage record: ('storage', torch.<cls>, key, 'cpu', numel). */
  const storageId = (cls: string, key: string, numel: number) => {
    p.mark();
    p.string('storage');
    p.global('torch', cls);
    p.string(key);
    p.string('cpu');
    p.int(numel);
    p.tuple(5);
    p.persid();
  };
  /** A 1-D int64 tensor of its own (a per-channel quantizer's zero points, int64 in torch). */
  const int64Tensor = (values: Int32Array) => {
    const key = String(files.length);
    files.push({ name: `${archive}/data/${key}`, data: new Uint8Array(BigInt64Array.from(values, BigInt).buffer) });
    rebuild('LongStorage', key, values.length, 0, [values.length], [1], null, false);
  };
  /**
   * torch._utils._rebuild_tensor_v2(storage, offset, size, stride, requires_grad, OrderedDict()),
   * or with a quantizer _rebuild_qtensor, whose quantizer parameters come before requires_grad.
   */
  const rebuild = (
    cls: string,
    key: string,
    numel: number,
    offset: number,
    shape: readonly number[],
    strides: readonly number[],
    quantizer: Quantizer | null,
    requiresGrad: boolean,
  ) => {
    p.global('torch._utils', quantizer ? '_rebuild_qtensor' : '_rebuild_tensor_v2');
    p.mark();
    storageId(cls, key, numel);
    p.int(offset);
    ints(shape);
    ints(strides);
    if (quantizer) quantizerParams(quantizer);
    p.bool(requiresGrad);
    orderedDict();
    p.tuple(quantizer ? 7 : 6);
    p.reduce();
  };
  /** torch's quantizer parameters: (torch.per_tensor_affine, scale, zero_point) or (torch.per_channel_affine, scales, zero_points, axis). */
  const quantizerParams = (q: Quantizer) => {
    if (q.axis < 0) {
      p.global('torch', 'per_tensor_affine');
      p.float(q.scales[0]);
      p.int(q.zeroPoints[0]);
      p.tuple(3);
      return;
    }
    p.mark();
    p.global('torch', 'per_channel_affine');
    tensor(new Tensor(new Storage(Float64Array.from(q.scales)), [q.scales.length]));
    int64Tensor(q.zeroPoints);
    p.int(q.axis);
    p.tuple(4);
  };
  const tensor = (t: Tensor) => {
    const cls = WRITE_CLASS[t.dtype];
    if (cls === undefined) throw new TypeError(`saveTorch/serializeTorch: ${t.dtype} tensors cannot be written yet`);
    if (t instanceof Parameter) p.global('torch._utils', '_rebuild_parameter');
    const { key, numel, offset, strides } = storageKey(t);
    const requiresGrad = t.requiresGrad && t.isLeaf && !(t instanceof Parameter);
    rebuild(cls, key, numel, t.numel() > 0 ? offset : 0, t.shape, strides, t.storage.quantizer, requiresGrad);
    if (t instanceof Parameter) {
      p.bool(t.requiresGrad);
      orderedDict();
      p.tuple(3);
      p.reduce();
    }
  };
  const value = (v: unknown, where: string) => {
    if (v === null || v === undefined) return p.none();
    if (typeof v === 'boolean') return p.bool(v);
    if (typeof v === 'bigint') return p.int(v);
    if (typeof v === 'number') return Number.isInteger(v) && !Object.is(v, -0) ? p.int(v) : p.float(v);
    if (typeof v === 'string') return p.string(v);
    if (typeof v !== 'object') return fail(where, `cannot save a ${typeof v}`);
    if (p.get(v)) return; // shared (even self-containing) lists and dicts stay shared, as pickle keeps them
    if (v instanceof Tensor) tensor(v);
    else if (Array.isArray(v)) {
      p.emptyList();
      p.put(v);
      if (v.length) {
        p.mark();
        v.forEach((x, i) => value(x, `${where}[${i}]`));
        p.appends();
      }
    } else if (v instanceof Map || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null) {
      const entries: [unknown, unknown][] = v instanceof Map ? [...v.entries()] : Object.entries(v);
      p.emptyDict();
      p.put(v);
      if (entries.length) {
        p.mark();
        for (const [k, x] of entries) {
          if (typeof k !== 'string' && typeof k !== 'number')
            fail(where, `dict keys must be strings or numbers, got ${typeof k}`);
          value(k, where);
          value(x, where ? `${where}.${String(k)}` : String(k));
        }
        p.setitems();
      }
    } else {
      fail(
        where,
        `cannot save a ${(v as object).constructor?.name ?? 'value'} (save Tensors, arrays, objects, Maps, numbers, strings)`,
      );
    }
    if (v instanceof Tensor) p.put(v);
  };
  p.proto();
  value(obj, '');
  p.stop();
  return writeZip([
    { name: `${archive}/data.pkl`, data: p.bytes() },
    { name: `${archive}/byteorder`, data: Buffer.from('little') },
    ...files,
    { name: `${archive}/version`, data: Buffer.from('3\n') },
  ]);
}

/** Writes `obj` (a state dict, nested objects/arrays of tensors and numbers) as torch.save does, atomically. */
export function saveTorch(obj: unknown, path: string): void {
  checkPath('io.saveTorch', path);
  writeFileAtomic(path, serializeTorch(obj));
}
