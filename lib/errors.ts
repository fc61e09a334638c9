// The shared argument checks of the public API. Every error names the function (as the user
// spells it: 'conv2d', 'nn.LSTM', 'optim.SGD'), what it expected and what it was given, so a
// wrong call is a message to read, never a JavaScript internals error or a silently dropped
// option. Checks live here so each function states them in one line.
import { isStorageOnlyDType, unsupportedDtype } from './dtype.js';
import { Tensor } from './tensor.js';

export function typeError(op: string, message: string): TypeError {
  return new TypeError(`${op}: ${message}`);
}

export function rangeError(op: string, message: string): RangeError {
  return new RangeError(`${op}: ${message}`);
}

/**
 * An error escaping a function, named after it when it is not already one of the package's
 * (`op: ...`): what JavaScript itself throws (an allocation V8 refuses, a property of undefined)
 * then still says which function failed. The message is prefixed in place, keeping the error's
 * class and stack.
 */
export function nameError(op: string, e: unknown): unknown {
  if (e instanceof Error && !/^[A-Za-z_$][\w$.]*: |^backward of '/.test(e.message)) e.message = `${op}: ${e.message}`;
  return e;
}

/** What a value is, for "got ..." in a message: 'a function', 'a float32 Tensor of shape [2,3]', 'NaN'. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'undefined':
      return 'undefined';
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `the bigint ${value}n`;
    case 'string':
      return value.length > 40 ? `the string '${value.slice(0, 37)}...'` : `the string '${value}'`;
    case 'symbol':
      return 'a symbol';
    case 'function':
      return value.name ? `a function (${value.name})` : 'a function';
  }
  if (value instanceof Tensor)
    return `${article(value.dtype)} ${value.dtype} Tensor of shape [${value.shape.join(',')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (ArrayBuffer.isView(value)) {
    const len = (value as { length?: number }).length;
    return `a ${value.constructor.name}${len === undefined ? '' : ` of length ${len}`}`;
  }
  const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
  if (!ctor || ctor === 'Object') return 'an object';
  return `${article(ctor)} ${ctor}`;
}

/** A value as JSON for a message ('"bicubic"', '[1,2]'), falling back to describe() for what JSON cannot show. */
export function show(value: unknown): string {
  try {
    const text = JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? `${v}n` : v));
    return text === undefined ? describe(value) : text;
  } catch {
    return describe(value);
  }
}

/** 'a' or 'an' before a word (by its first letter, good enough for type and dtype names). */
function article(word: string): string {
  return /^[aeiouAEIOU]/.test(word) ? 'an' : 'a';
}

// ---- options objects ------------------------------------------------------------------------

/**
 * What an option's value must be, checked when the value is neither undefined nor null
 * (null means "absent" throughout the API): `true` accepts anything (the function checks it
 * itself), a kind name checks the JavaScript type, a list of strings is the allowed values.
 */
export type OptionKind =
  | true
  | 'number'
  | 'integer'
  | 'boolean'
  | 'string'
  | 'function'
  | 'tensor'
  | 'object'
  | readonly string[];

/**
 * The accepted keys of an options type, each with its kind. Written as
 * `optionKeys<FooOptions>({ a: 'number', b: true })`: the compiler rejects a key the type does
 * not have and a key of the type that is missing, so the list cannot drift from the type.
 */
export type OptionKeys<T> = { readonly [K in keyof Required<T>]: OptionKind };

export function optionKeys<T>(keys: OptionKeys<T>): OptionKeys<T> {
  return keys;
}

/** Levenshtein distance with adjacent transpositions (one edit each). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** 'batch_first' -> 'batchFirst', 'Batch-First' -> 'batchfirst' (the form names are compared in). */
export function camelCase(name: string): string {
  return name.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

const folded = (name: string) => name.replace(/[_-]/g, '').toLowerCase();

/**
 * The accepted name a user most likely meant by `given`: its camelCase form (PyTorch's
 * snake_case keywords), the same letters in another case, or the closest name within a few
 * edits (a third of its length, at least one). Null when nothing is close.
 */
export function suggestName(given: string, accepted: readonly string[]): string | null {
  const camel = camelCase(given);
  if (accepted.includes(camel)) return camel;
  const f = folded(given);
  const sameLetters = accepted.find((k) => folded(k) === f);
  if (sameLetters) return sameLetters;
  let best: string | null = null;
  let bestDistance = Math.max(1, Math.floor(f.length / 3));
  for (const k of accepted) {
    const dist = editDistance(f, folded(k));
    if (dist <= bestDistance && (best === null || dist < bestDistance)) {
      best = k;
      bestDistance = dist;
    }
  }
  return best;
}

/** An object literal (or one without a prototype): a Map, an array or a class instance is no options object. */
function isPlainOptions(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindMatches(kind: OptionKind, v: unknown): boolean {
  if (kind === true) return true;
  if (typeof kind !== 'string') return typeof v === 'string' && kind.includes(v);
  switch (kind) {
    case 'number':
      return typeof v === 'number';
    case 'integer':
      return Number.isInteger(v);
    case 'boolean':
      return typeof v === 'boolean';
    case 'string':
      return typeof v === 'string';
    case 'function':
      return typeof v === 'function';
    case 'tensor':
      return v instanceof Tensor;
    case 'object':
      return typeof v === 'object';
  }
}

const KIND_TEXT: Record<string, string> = {
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  string: 'a string',
  function: 'a function',
  tensor: 'a Tensor',
  object: 'an object',
};

function kindText(kind: OptionKind): string {
  if (typeof kind === 'string') return KIND_TEXT[kind];
  return `one of ${(kind as readonly string[]).map((k) => `'${k}'`).join(', ')}`;
}

/**
 * Checks an options object: undefined (no options) or an object (not null) whose every key is one the
 * function takes, with a value of its kind. An unknown key is an error naming it, with the
 * spelling it most likely meant: `nn.LSTM: unknown option 'batch_first'; did you mean
 * 'batchFirst'?`, so a port from PyTorch never runs with an option silently dropped.
 * Returns the options (an empty object for undefined).
 */
export function checkOptions<T extends object>(op: string, options: T | undefined, keys: OptionKeys<NoInfer<T>>): T;
/** The same with only the accepted key names (each value is then the function's to check). */
export function checkOptions(op: string, options: unknown, keys: readonly string[]): void;
export function checkOptions(
  op: string,
  options: unknown,
  keyList: Record<string, OptionKind> | readonly string[],
): object {
  if (options === undefined) return {};
  if (!isPlainOptions(options)) throw new TypeError(`${op}: options must be an object, got ${describe(options)}`);
  const keys: Record<string, OptionKind> = Array.isArray(keyList)
    ? Object.fromEntries(keyList.map((k) => [k, true]))
    : (keyList as Record<string, OptionKind>);
  const accepted = Object.keys(keys);
  for (const key of Object.keys(options)) {
    const kind = keys[key];
    if (kind === undefined || !Object.hasOwn(keys, key)) {
      if (accepted.length === 0) throw new TypeError(`${op}: takes no options, got '${key}'`);
      const guess = suggestName(key, accepted);
      throw new TypeError(
        guess
          ? `${op}: unknown option '${key}'; did you mean '${guess}'?`
          : `${op}: unknown option '${key}' (it takes ${accepted.map((k) => `'${k}'`).join(', ')})`,
      );
    }
    const v = (options as Record<string, unknown>)[key];
    if (v !== undefined && v !== null && !kindMatches(kind, v)) {
      throw new TypeError(`${op}: option '${key}' must be ${kindText(kind)}, got ${describe(v)}`);
    }
  }
  return options;
}

/** The options without their undefined entries: `{ ...defaults, ...given(options) }` keeps a default that was passed as undefined. */
export function given<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The most elements one tensor can hold (the longest typed array V8 makes). */
export const MAX_ELEMENTS = 2 ** 32;

/** Checks that n elements can be allocated, before trying (V8's own RangeError names nothing). */
export function checkElementCount(op: string, n: number): number {
  if (!(n <= MAX_ELEMENTS))
    throw new RangeError(`${op}: ${n} elements is more than a tensor can hold (${MAX_ELEMENTS})`);
  return n;
}

// ---- positional arguments -------------------------------------------------------------------

/** A Tensor argument (optionally of one dtype). */
export function checkTensor(op: string, name: string, value: unknown, dtype?: string): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describe(value)}`);
  if (dtype === undefined) refuseStorageOnly(op, value);
  if (dtype !== undefined && value.dtype !== dtype)
    throw new TypeError(`${op}: ${name} must be ${article(dtype)} ${dtype} Tensor, got ${describe(value)}`);
  return value;
}

/**
 * t itself unless its dtype is storage-only (qint8, quint8): those are refused with
 * an error naming the op and the dtype, before any op reads their elements as numbers.
 */
export function refuseStorageOnly<T>(op: string, t: T): T {
  if (t instanceof Tensor && isStorageOnlyDType(t.dtype)) throw unsupportedDtype(op, t.dtype);
  return t;
}

/**
 * Refuses bfloat16 tensors among ts, for the ops that PyTorch 1.13 has no bfloat16 CPU kernel for
 * (prod, trace, mseLoss, binaryCrossEntropy, the transposed convolutions): they refuse it as torch
 * does rather than compute what torch cannot be compared with.
 */
export function refuseBfloat16(op: string, ...ts: unknown[]): void {
  if (ts.some((t) => t instanceof Tensor && t.dtype === 'bfloat16'))
    throw new TypeError(
      `${op}: bfloat16 tensors are not supported (PyTorch 1.13 has no bfloat16 CPU kernel for it either); convert with .float() first`,
    );
}

/** A Tensor of any dtype, the storage-only ones included (for the views and copies that take them). */
export function checkAnyTensor(op: string, name: string, value: unknown): Tensor {
  if (!(value instanceof Tensor)) throw new TypeError(`${op}: ${name} must be a Tensor, got ${describe(value)}`);
  return value;
}

/** A Tensor or null/undefined (an optional tensor argument). */
export function checkOptionalTensor(op: string, name: string, value: unknown): Tensor | null {
  if (value === undefined || value === null) return null;
  return checkTensor(op, name, value);
}

/** A finite number (or any number with { finite: false }). */
export function checkNumber(op: string, name: string, value: unknown, { finite = true } = {}): number {
  if (typeof value !== 'number' || (finite && !Number.isFinite(value))) {
    throw new (typeof value === 'number' ? RangeError : TypeError)(
      `${op}: ${name} must be a ${finite ? 'finite ' : ''}number, got ${describe(value)}`,
    );
  }
  return value;
}

/** An integer no smaller than `min` (default: any integer). */
export function checkInt(op: string, name: string, value: unknown, min = -Infinity): number {
  if (typeof value !== 'number') throw new TypeError(`${op}: ${name} must be an integer, got ${describe(value)}`);
  if (!Number.isInteger(value) || value < min) {
    const what = min === 0 ? 'a non-negative integer' : min === 1 ? 'a positive integer' : 'an integer';
    throw new RangeError(`${op}: ${name} must be ${what}${min > 1 ? ` >= ${min}` : ''}, got ${describe(value)}`);
  }
  return value;
}

export function checkBoolean(op: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new TypeError(`${op}: ${name} must be a boolean, got ${describe(value)}`);
  return value;
}

export function checkFunction<F extends (...args: never[]) => unknown>(op: string, name: string, value: unknown): F {
  if (typeof value !== 'function') throw new TypeError(`${op}: ${name} must be a function, got ${describe(value)}`);
  return value as F;
}

/** A string among `allowed`. */
export function checkOneOf<S extends string>(op: string, name: string, value: unknown, allowed: readonly S[]): S {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new (typeof value === 'string' ? RangeError : TypeError)(
      `${op}: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(value)}`,
    );
  }
  return value as S;
}

export function checkString(op: string, name: string, value: unknown): string {
  if (typeof value !== 'string') throw new TypeError(`${op}: ${name} must be a string, got ${describe(value)}`);
  return value;
}

/** A file path (a string). */
export function checkPath(op: string, value: unknown): string {
  if (typeof value !== 'string' || value === '')
    throw new TypeError(`${op}: path must be a file path (a non-empty string), got ${describe(value)}`);
  return value;
}

/** Any iterable but a string (a list of tensors, of indices...). */
export function checkIterable<T>(op: string, name: string, value: unknown, expected: string): Iterable<T> {
  if (
    value === null ||
    value === undefined ||
    typeof value === 'string' ||
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function'
  ) {
    throw new TypeError(`${op}: ${name} must be ${expected}, got ${describe(value)}`);
  }
  return value as Iterable<T>;
}

/**
 * An array (or Int32Array) of numbers, e.g. sizes or dims: only the JavaScript types are checked
 * here (the function checks the values, with its own message).
 */
export function checkNumbers(op: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value) && !(value instanceof Int32Array)) {
    throw new TypeError(`${op}: ${name} must be an array of integers, got ${describe(value)}`);
  }
  const list = Array.from(value as ArrayLike<unknown>);
  list.forEach((v, i) => {
    if (typeof v !== 'number') throw new TypeError(`${op}: ${name}[${i}] must be an integer, got ${describe(v)}`);
  });
  return list as number[];
}

/** A list of integers (an array or an Int32Array), e.g. a shape or a dim list. */
export function checkIntList(op: string, name: string, value: unknown, min = -Infinity): number[] {
  if (!Array.isArray(value) && !(value instanceof Int32Array)) {
    throw new TypeError(`${op}: ${name} must be an array of integers, got ${describe(value)}`);
  }
  const list = Array.from(value as ArrayLike<unknown>);
  list.forEach((v, i) => {
    checkInt(op, `${name}[${i}]`, v, min);
  });
  return list as number[];
}
