// The safetensors header's JSON, parsed straight from its bytes into what the reader needs
// (name, dtype, shape, offsets; string metadata). JSON.parse would first build a generic value
// of the whole header: an 89 MB header of small objects grows to over a gigabyte of JavaScript
// objects before a single field is checked. Here every field is checked as it is read, unknown
// fields are skipped without building them, and a shape has at most MAX_RANK dimensions, so
// the memory taken stays a small multiple of the header's size.

export const MAX_RANK = 64;
/** Tensors in one file: about three times the tensor count of the largest published models, all shards together. */
export const MAX_TENSORS = 1 << 18;
/** Metadata entries in one file (writers put a handful there). */
export const MAX_METADATA = 1 << 16;

export interface HeaderEntry {
  name: string;
  dtype: string;
  shape: number[];
  begin: number;
  end: number;
}

export interface ParsedHeader {
  entries: HeaderEntry[];
  metadata: Record<string, string>;
}

const DTYPE_NAMES = new Map(
  ['F64', 'F32', 'F16', 'BF16', 'I64', 'I32', 'I16', 'I8', 'U8', 'U16', 'U32', 'BOOL'].map((d) => [d, d]),
);

const utf8 = new TextDecoder('utf-8', { fatal: true });

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;

export interface HeaderLimits {
  maxTensors: number;
  maxMetadata: number;
}

class HeaderParser {
  private pos = 0;
  constructor(
    private readonly b: Uint8Array,
    private readonly fail: (msg: string) => never,
    private readonly limits: HeaderLimits,
  ) {}

  /** A syntax error: "not valid UTF-8 JSON", with where. */
  private syntax(what: string): never {
    return this.fail(`the header is not valid UTF-8 JSON (${what} at byte ${this.pos})`);
  }

  private ws(): void {
    const b = this.b;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private peek(): number {
    this.ws();
    return this.pos < this.b.length ? this.b[this.pos] : -1;
  }

  private expect(c: number, what: string): void {
    if (this.peek() !== c) this.syntax(`expected ${what}`);
    this.pos++;
  }

  string(): string {
    if (this.peek() !== QUOTE) this.syntax('expected a string');
    const start = ++this.pos;
    const b = this.b;
    let escaped = false;
    let ascii = true;
    while (this.pos < b.length) {
      const c = b[this.pos];
      if (c === QUOTE) break;
      if (c < 0x20) this.syntax('a control character in a string');
      if (c >= 0x80) ascii = false;
      if (c === BACKSLASH) {
        escaped = true;
        this.pos++;
      }
      this.pos++;
    }
    if (this.pos >= b.length) this.syntax('an unterminated string');
    const raw = b.subarray(start, this.pos);
    this.pos++;
    let text: string;
    if (ascii && raw.length <= 256) text = String.fromCharCode.apply(null, raw as unknown as number[]);
    else {
      try {
        text = utf8.decode(raw);
      } catch {
        return this.syntax('a string that is not UTF-8');
      }
    }
    if (!escaped) return text;
    try {
      return JSON.parse(`"${text}"`) as string;
    } catch {
      return this.syntax('a bad escape in a string');
    }
  }

  /** A non-negative integer written as digits (no sign, fraction or exponent), or null if not one. */
  private natural(): number | null {
    this.ws();
    const b = this.b;
    const start = this.pos;
    let v = 0;
    while (this.pos < b.length && b[this.pos] >= 0x30 && b[this.pos] <= 0x39) v = v * 10 + (b[this.pos++] - 0x30);
    const digits = this.pos - start;
    const next = this.pos < b.length ? b[this.pos] : -1;
    if (digits === 0 || next === 0x2e || next === 0x65 || next === 0x45 || !Number.isSafeInteger(v)) {
      this.pos = start;
      return null;
    }
    if (digits > 1 && b[start] === 0x30) this.syntax('a number with a leading zero');
    return v;
  }

  /** The source text of the next value (for messages), skipped. */
  private skippedText(): string {
    this.ws();
    const start = this.pos;
    this.skipValue();
    const text = new TextDecoder().decode(this.b.subarray(start, Math.min(this.pos, start + 80)));
    return this.pos - start > 80 ? `${text}...` : text;
  }

  /** An array of naturals, or a message saying what was there instead. */
  private naturals(limit: number): number[] | string {
    this.ws();
    const start = this.pos;
    if (this.peek() !== 0x5b) return this.skippedText();
    this.pos++;
    const out: number[] = [];
    if (this.peek() === 0x5d) {
      this.pos++;
      return out;
    }
    for (;;) {
      const v = this.natural();
      if (v === null || out.length === limit) {
        this.pos = start;
        return this.skippedText();
      }
      out.push(v);
      const c = this.peek();
      this.pos++;
      if (c === 0x5d) return out;
      if (c !== COMMA) this.syntax("expected ',' or ']'");
    }
  }

  /** Skips any JSON value without building it (nesting as deep as serde_json's limit, 128). */
  skipValue(): void {
    const closers: number[] = [];
    for (;;) {
      const c = this.peek();
      if (c === 0x7b || c === 0x5b) {
        this.pos++;
        const closer = c === 0x7b ? 0x7d : 0x5d;
        if (this.peek() !== closer) {
          if (closers.length === 128) this.syntax('nesting deeper than 128');
          closers.push(closer);
          if (closer === 0x7d) {
            this.string();
            this.expect(COLON, "':'");
          }
          continue;
        }
        this.pos++;
      } else if (c === QUOTE) {
        this.string();
      } else {
        this.scalar();
      }
      // After a value: close what ends here, then stop, or go on to the next element or member.
      for (;;) {
        if (closers.length === 0) return;
        const top = closers[closers.length - 1];
        const n = this.peek();
        this.pos++;
        if (n === top) {
          closers.pop();
          continue;
        }
        if (n !== COMMA) this.syntax(`expected ',' or '${String.fromCharCode(top)}'`);
        if (top === 0x7d) {
          this.string();
          this.expect(COLON, "':'");
        }
        break;
      }
    }
  }

  /** A number, true, false or null (JSON's grammar). */
  private scalar(): void {
    const b = this.b;
    const start = this.pos;
    const digits = (): number => {
      const from = this.pos;
      while (this.pos < b.length && b[this.pos] >= 0x30 && b[this.pos] <= 0x39) this.pos++;
      return this.pos - from;
    };
    for (const word of ['true', 'false', 'null']) {
      let i = 0;
      while (i < word.length && b[start + i] === word.charCodeAt(i)) i++;
      if (i === word.length) {
        this.pos += i;
        return;
      }
    }
    if (b[this.pos] === 0x2d) this.pos++;
    const first = this.pos;
    const n = digits();
    let ok = n > 0 && !(n > 1 && b[first] === 0x30);
    if (ok && b[this.pos] === 0x2e) {
      this.pos++;
      ok = digits() > 0;
    }
    if (ok && (b[this.pos] === 0x65 || b[this.pos] === 0x45)) {
      this.pos++;
      if (b[this.pos] === 0x2b || b[this.pos] === 0x2d) this.pos++;
      ok = digits() > 0;
    }
    if (!ok) {
      this.pos = start;
      this.syntax(start >= b.length ? 'an unexpected end' : 'an unexpected token');
    }
  }

  /** Calls member(key) for each member of an object; member must consume the value. */
  object(member: (key: string) => void, what: string | { toString(): string }): void {
    if (this.peek() !== 0x7b) this.fail(`${what} must be a JSON object`);
    this.pos++;
    if (this.peek() === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      const key = this.string();
      this.expect(COLON, "':'");
      member(key);
      const c = this.peek();
      this.pos++;
      if (c === 0x7d) return;
      if (c !== COMMA) this.syntax("expected ',' or '}'");
    }
  }

  metadata(into: Record<string, string>): void {
    if (this.peek() === 0x6e) {
      this.skipValue(); // null: no metadata
      return;
    }
    if (this.peek() !== 0x7b) this.fail("'__metadata__' must be an object of strings");
    let count = 0;
    this.object((k) => {
      if (this.peek() !== QUOTE) this.fail(`'__metadata__' entry '${k}' must be a string, got ${this.skippedText()}`);
      if (++count > this.limits.maxMetadata)
        this.fail(`'__metadata__' has more than ${this.limits.maxMetadata} entries`);
      into[k] = this.string();
    }, "'__metadata__'");
  }

  entry(name: string): HeaderEntry {
    const what = { toString: () => `tensor '${name}'` }; // built only for a message
    if (this.peek() !== 0x7b) this.fail(`${what}: expected {dtype, shape, data_offsets}, got ${this.skippedText()}`);
    let dtype: string | undefined;
    let shape: number[] | undefined;
    let offsets: number[] | undefined;
    this.object((k) => {
      if (k === 'dtype') {
        if (this.peek() !== QUOTE) this.fail(`${what}: unsupported dtype ${this.skippedText()}`);
        const text = this.string();
        dtype = DTYPE_NAMES.get(text) ?? text; // one shared string per dtype, not one per tensor
      } else if (k === 'shape') {
        const s = this.naturals(MAX_RANK);
        if (typeof s === 'string')
          this.fail(`${what}: shape must be an array of non-negative integers (at most ${MAX_RANK} of them), got ${s}`);
        shape = s as number[];
      } else if (k === 'data_offsets') {
        const o = this.naturals(2);
        if (typeof o === 'string' || o.length !== 2 || o[0] > o[1])
          this.fail(
            `${what}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${typeof o === 'string' ? o : `[${o.join(',')}]`}`,
          );
        offsets = o as number[];
      } else {
        this.skipValue(); // fields the format may add; the reference reader ignores them too
      }
    }, what);
    if (dtype === undefined) this.fail(`${what}: no dtype`);
    if (shape === undefined) this.fail(`${what}: no shape`);
    if (offsets === undefined) this.fail(`${what}: no data_offsets`);
    return { name, dtype: dtype!, shape: shape!, begin: offsets![0], end: offsets![1] };
  }

  parse(): ParsedHeader {
    const entries: HeaderEntry[] = [];
    const seen = new Set<string>();
    const metadata: Record<string, string> = {};
    this.object((name) => {
      if (seen.has(name)) this.fail(`'${name}' appears twice in the header`);
      seen.add(name);
      if (name === '__metadata__') this.metadata(metadata);
      else if (entries.length === this.limits.maxTensors)
        this.fail(`the header lists more than ${this.limits.maxTensors} tensors`);
      else entries.push(this.entry(name));
    }, 'the header');
    if (this.peek() !== -1) this.syntax('data after the header object');
    return { entries, metadata };
  }
}

/** Parses a safetensors header's JSON bytes; `fail` throws with the file's name. */
export function parseHeader(
  bytes: Uint8Array,
  fail: (msg: string) => never,
  limits: HeaderLimits = { maxTensors: MAX_TENSORS, maxMetadata: MAX_METADATA },
): ParsedHeader {
  return new HeaderParser(bytes, fail, limits).parse();
}
