// Python's pickle format, restricted to what PyTorch's weights-only unpickler accepts
// (torch/_weights_only_unpickler.py): the opcodes of protocol 2 that build plain data, and the
// four that reach outside it (GLOBAL, REDUCE, NEWOBJ, BUILD) handed to the caller, which allows
// only a fixed list of names and implements each itself. Nothing here looks a name up or runs
// code named by the data. Every read is bounds-checked, so truncated input is an error, and the
// stack, memo and containers grow at most by one entry per input byte.
//
// Values: None → null, bool → boolean, int → number (bigint past 2^53), float → number,
// str → string, list → array, tuple → frozen array, dict → object (keys as strings),
// empty set → Set.

export interface PickleHandlers {
  /** The object a GLOBAL names; must throw for anything not allowed. */
  global(module: string, name: string): unknown;
  /** REDUCE: func(...args) for a func that global() returned. */
  reduce(func: unknown, args: readonly unknown[]): unknown;
  /** NEWOBJ: cls.__new__(cls, ...args). */
  newobj(cls: unknown, args: readonly unknown[]): unknown;
  /** BUILD: sets state on inst (returns the object that replaces it). */
  build(inst: unknown, state: unknown): unknown;
  /** BINPERSID: the object a persistent id stands for. */
  persistentLoad(pid: unknown): unknown;
}

/** Thrown for malformed or refused pickles; the message names the opcode and its offset. */
export class UnpicklingError extends Error {
  override name = 'UnpicklingError';
}

const OP = {
  MARK: 0x28, // (
  STOP: 0x2e, // .
  BINFLOAT: 0x47, // G
  BININT: 0x4a, // J
  BININT1: 0x4b, // K
  BININT2: 0x4d, // M
  NONE: 0x4e, // N
  BINPERSID: 0x51, // Q
  REDUCE: 0x52, // R
  SHORT_BINSTRING: 0x55, // U
  BINUNICODE: 0x58, // X
  EMPTY_LIST: 0x5d, // ]
  APPEND: 0x61, // a
  BUILD: 0x62, // b
  GLOBAL: 0x63, // c
  APPENDS: 0x65, // e
  BINGET: 0x68, // h
  LONG_BINGET: 0x6a, // j
  BINPUT: 0x71, // q
  LONG_BINPUT: 0x72, // r
  SETITEM: 0x73, // s
  TUPLE: 0x74, // t
  SETITEMS: 0x75, // u
  EMPTY_DICT: 0x7d, // }
  EMPTY_TUPLE: 0x29, // )
  PROTO: 0x80,
  NEWOBJ: 0x81,
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  LONG1: 0x8a,
  EMPTY_SET: 0x8f,
} as const;

const NAMES = new Map<number, string>(Object.entries(OP).map(([k, v]) => [v, k]));

/** A dict key as a JS property name: str as is, int/float/bool/None as Python prints them. */
function dictKey(k: unknown): string | null {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  if (k === null) return 'None';
  return null;
}

export function isTuple(x: unknown): x is readonly unknown[] {
  return Array.isArray(x) && Object.isFrozen(x);
}

/**
 * Unpickles one pickle starting at bytes[start]; returns the value and the offset after STOP.
 * `label` prefixes error messages (e.g. 'loadTorch: model.pt').
 */
export function unpickle(
  bytes: Uint8Array,
  handlers: PickleHandlers,
  label: string,
  start = 0,
): { value: unknown; end: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let pos = start;
  let opAt = start;
  let opName = '';
  const fail = (message: string): never => {
    throw new UnpicklingError(`${label}: ${message} (${opName || 'pickle'} at byte ${opAt})`);
  };
  const need = (n: number) => {
    if (pos + n > bytes.length) fail(`the pickle is truncated: ${n} more bytes needed, ${bytes.length - pos} left`);
  };
  const readLine = (): string => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) fail('the pickle is truncated: no end of line');
    const s = new TextDecoder('latin1').decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  let stack: unknown[] = [];
  const metastack: unknown[][] = [];
  const memo = new Map<number, unknown>();
  const pop = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack.pop();
  };
  const top = (): unknown => {
    if (stack.length === 0) fail('stack underflow');
    return stack[stack.length - 1];
  };
  const popMark = (): unknown[] => {
    const items = stack;
    const outer = metastack.pop();
    if (!outer) fail('no MARK to pop to');
    stack = outer as unknown[];
    return items;
  };
  const setItem = (target: unknown, k: unknown, v: unknown) => {
    if (target === null || typeof target !== 'object' || Array.isArray(target) || target instanceof Set)
      fail(`can only set items of a dict, got ${describe(target)}`);
    const key = dictKey(k);
    if (key === null) fail(`dict keys must be str, int, float, bool or None, got ${describe(k)}`);
    if (Object.hasOwn(target as object, key as string)) fail(`dict key '${key}' appears twice`);
    // defineProperty: a key such as '__proto__' becomes an own property, never the prototype.
    Object.defineProperty(target, key as string, { value: v, enumerable: true, writable: true, configurable: true });
  };
  const appendTo = (target: unknown, items: unknown[]) => {
    if (!Array.isArray(target) || Object.isFrozen(target)) fail(`can only append to a list, got ${describe(target)}`);
    for (const item of items) (target as unknown[]).push(item);
  };

  for (;;) {
    opAt = pos;
    need(1);
    const code = bytes[pos++];
    opName = NAMES.get(code) ?? '';
    switch (code) {
      case OP.PROTO:
        need(1);
        if (bytes[pos] > 5) fail(`unsupported pickle protocol ${bytes[pos]}`);
        pos += 1;
        break;
      case OP.STOP: {
        const value = pop();
        return { value, end: pos };
      }
      case OP.GLOBAL: {
        const module = readLine();
        const name = readLine();
        stack.push(handlers.global(module, name));
        break;
      }
      case OP.REDUCE: {
        const args = pop();
        if (!isTuple(args)) fail(`REDUCE arguments must be a tuple, got ${describe(args)}`);
        const func = pop();
        stack.push(handlers.reduce(func, args as readonly unknown[]));
        break;
      }
      case OP.NEWOBJ: {
        const args = pop();
        if (!isTuple(args)) fail(`NEWOBJ arguments must be a tuple, got ${describe(args)}`);
        const cls = pop();
        stack.push(handlers.newobj(cls, args as readonly unknown[]));
        break;
      }
      case OP.BUILD: {
        const state = pop();
        const inst = pop();
        stack.push(handlers.build(inst, state));
        break;
      }
      case OP.BINPERSID:
        stack.push(handlers.persistentLoad(pop()));
        break;
      case OP.MARK:
        metastack.push(stack);
        stack = [];
        break;
      case OP.APPEND: {
        const item = pop();
        appendTo(top(), [item]);
        break;
      }
      case OP.APPENDS: {
        const items = popMark();
        appendTo(top(), items);
        break;
      }
      case OP.SETITEM: {
        const v = pop();
        const k = pop();
        setItem(top(), k, v);
        break;
      }
      case OP.SETITEMS: {
        const items = popMark();
        if (items.length % 2) fail('SETITEMS needs key/value pairs, got an odd count');
        const target = top();
        for (let i = 0; i < items.length; i += 2) setItem(target, items[i], items[i + 1]);
        break;
      }
      case OP.TUPLE: {
        const items = popMark(); // before reading `stack`, which popMark replaces
        stack.push(Object.freeze(items));
        break;
      }
      case OP.TUPLE1:
      case OP.TUPLE2:
      case OP.TUPLE3: {
        const n = code - OP.TUPLE1 + 1;
        if (stack.length < n) fail('stack underflow');
        stack.push(Object.freeze(stack.splice(stack.length - n, n)));
        break;
      }
      case OP.EMPTY_TUPLE:
        stack.push(Object.freeze([]));
        break;
      case OP.EMPTY_LIST:
        stack.push([]);
        break;
      case OP.EMPTY_DICT:
        stack.push({});
        break;
      case OP.EMPTY_SET:
        stack.push(new Set());
        break;
      case OP.NONE:
        stack.push(null);
        break;
      case OP.NEWTRUE:
        stack.push(true);
        break;
      case OP.NEWFALSE:
        stack.push(false);
        break;
      case OP.BININT:
        need(4);
        stack.push(view.getInt32(pos, true));
        pos += 4;
        break;
      case OP.BININT1:
        need(1);
        stack.push(bytes[pos]);
        pos += 1;
        break;
      case OP.BININT2:
        need(2);
        stack.push(view.getUint16(pos, true));
        pos += 2;
        break;
      case OP.BINFLOAT:
        need(8);
        stack.push(view.getFloat64(pos, false)); // big-endian, as pickle writes it
        pos += 8;
        break;
      case OP.LONG1: {
        need(1);
        const n = bytes[pos++];
        need(n);
        stack.push(decodeLong(bytes.subarray(pos, pos + n)));
        pos += n;
        break;
      }
      case OP.BINUNICODE: {
        need(4);
        const n = view.getUint32(pos, true);
        pos += 4;
        need(n);
        try {
          stack.push(utf8.decode(bytes.subarray(pos, pos + n)));
        } catch {
          fail('a string is not valid UTF-8');
        }
        pos += n;
        break;
      }
      case OP.SHORT_BINSTRING: {
        need(1);
        const n = bytes[pos++];
        need(n);
        stack.push(new TextDecoder('latin1').decode(bytes.subarray(pos, pos + n)));
        pos += n;
        break;
      }
      case OP.BINGET:
      case OP.LONG_BINGET: {
        const wide = code === OP.LONG_BINGET;
        need(wide ? 4 : 1);
        const i = wide ? view.getUint32(pos, true) : bytes[pos];
        pos += wide ? 4 : 1;
        if (!memo.has(i)) fail(`memo entry ${i} was never stored`);
        stack.push(memo.get(i));
        break;
      }
      case OP.BINPUT:
      case OP.LONG_BINPUT: {
        const wide = code === OP.LONG_BINPUT;
        need(wide ? 4 : 1);
        const i = wide ? view.getUint32(pos, true) : bytes[pos];
        pos += wide ? 4 : 1;
        memo.set(i, top());
        break;
      }
      default:
        opName = '';
        fail(
          `unsupported opcode 0x${code.toString(16).padStart(2, '0')} ('${String.fromCharCode(code)}'), which a weights-only load refuses`,
        );
    }
  }
}

/** A little-endian two's-complement integer: a number where exact, else a bigint. */
function decodeLong(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

/** A short description of a value for error messages. */
export function describe(x: unknown): string {
  if (x === null) return 'None';
  if (isTuple(x)) return `a tuple of ${x.length}`;
  if (Array.isArray(x)) return `a list of ${x.length}`;
  if (x instanceof Set) return 'a set';
  if (typeof x === 'object') return (x as object).constructor?.name === 'Object' ? 'a dict' : String(x);
  if (typeof x === 'string') return `the string '${x.length > 40 ? `${x.slice(0, 40)}...` : x}'`;
  return `${typeof x} ${String(x)}`;
}

/** Writes pickles with protocol 2 opcodes, as Python's pickler does for plain data. */
export class Pickler {
  private chunks: number[] = [];
  private memoCount = 0;
  readonly memo = new Map<unknown, number>();

  bytes(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
  op(code: number): void {
    this.chunks.push(code);
  }
  proto(): void {
    this.chunks.push(OP.PROTO, 2);
  }
  stop(): void {
    this.op(OP.STOP);
  }
  global(module: string, name: string): void {
    this.op(OP.GLOBAL);
    for (const c of Buffer.from(`${module}\n${name}\n`, 'utf8')) this.chunks.push(c);
  }
  none(): void {
    this.op(OP.NONE);
  }
  bool(v: boolean): void {
    this.op(v ? OP.NEWTRUE : OP.NEWFALSE);
  }
  int(v: number | bigint): void {
    if (typeof v === 'number' && v >= 0 && v < 256) this.chunks.push(OP.BININT1, v);
    else if (typeof v === 'number' && v >= 0 && v < 65536) this.chunks.push(OP.BININT2, v & 0xff, v >> 8);
    else if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) {
      this.op(OP.BININT);
      for (let i = 0; i < 4; i++) this.chunks.push((v >> (8 * i)) & 0xff);
    } else {
      // LONG1: little-endian two's complement, as short as keeps the sign.
      let x = BigInt(v);
      const out: number[] = [];
      for (;;) {
        const byte = Number(x & 0xffn);
        out.push(byte);
        x >>= 8n;
        if ((x === 0n && !(byte & 0x80)) || (x === -1n && byte & 0x80)) break;
      }
      this.chunks.push(OP.LONG1, out.length, ...out);
    }
  }
  float(v: number): void {
    const b = new DataView(new ArrayBuffer(8));
    b.setFloat64(0, v, false);
    this.chunks.push(OP.BINFLOAT, ...new Uint8Array(b.buffer));
  }
  string(s: string): void {
    const b = Buffer.from(s, 'utf8');
    this.op(OP.BINUNICODE);
    for (let i = 0; i < 4; i++) this.chunks.push((b.length >>> (8 * i)) & 0xff);
    for (const c of b) this.chunks.push(c);
  }
  mark(): void {
    this.op(OP.MARK);
  }
  tuple(n: number): void {
    if (n === 0) this.op(OP.EMPTY_TUPLE);
    else if (n <= 3) this.op(OP.TUPLE1 + n - 1);
    else this.op(OP.TUPLE); // after a mark()
  }
  emptyList(): void {
    this.op(OP.EMPTY_LIST);
  }
  emptyDict(): void {
    this.op(OP.EMPTY_DICT);
  }
  appends(): void {
    this.op(OP.APPENDS);
  }
  setitems(): void {
    this.op(OP.SETITEMS);
  }
  reduce(): void {
    this.op(OP.REDUCE);
  }
  persid(): void {
    this.op(OP.BINPERSID);
  }
  /** Stores the top of the stack as `key`'s memo entry. */
  put(key: unknown): void {
    const i = this.memoCount++;
    this.memo.set(key, i);
    if (i < 256) this.chunks.push(OP.BINPUT, i);
    else {
      this.op(OP.LONG_BINPUT);
      for (let b = 0; b < 4; b++) this.chunks.push((i >>> (8 * b)) & 0xff);
    }
  }
  /** Pushes `key`'s memo entry again; false when it has none. */
  get(key: unknown): boolean {
    const i = this.memo.get(key);
    if (i === undefined) return false;
    if (i < 256) this.chunks.push(OP.BINGET, i);
    else {
      this.op(OP.LONG_BINGET);
      for (let b = 0; b < 4; b++) this.chunks.push((i >>> (8 * b)) & 0xff);
    }
    return true;
  }
}
