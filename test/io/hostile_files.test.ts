// Hostile files for the readers: files that never end, headers that declare more than the file
// holds, gzip streams that inflate past their declared size, safetensors headers built to blow
// up a JSON parser. Each must fail fast with a clear error, and the memory it takes is bounded
// by what the header declares (measured as the peak RSS of a child process).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMNIST } from '../../lib/data/datasets/mnist.js';
import { parseIdx, readIdx } from '../../lib/io/idx.js';
import { deserialize, readSafetensors } from '../../lib/io/safetensors.js';
import { MAX_METADATA, MAX_TENSORS, parseHeader } from '../../lib/io/safetensors_header.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const root = fileURLToPath(new URL('../../', import.meta.url));
const child = fileURLToPath(new URL('./peak_rss_child.ts', import.meta.url));

/** Runs a reader on `path` in a child process: its error message and the peak RSS it added. */
function inChild(reader: 'readIdx' | 'readSafetensors', path: string): { message: string | null; addedMiB: number } {
  const out = spawnSync(process.execPath, ['--import', './test/helpers/ts_loader.mjs', child, reader, path], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (out.status !== 0) throw new Error(`peak_rss_child failed (${out.status ?? out.signal}): ${out.stderr}`);
  return JSON.parse(out.stdout);
}

function idxHeader(code: number, shape: number[]): Buffer {
  const b = Buffer.alloc(4 + 4 * shape.length);
  b[2] = code;
  b[3] = shape.length;
  shape.forEach((s, d) => b.writeUInt32BE(s, 4 + 4 * d));
  return b;
}

describe('IDX files that never end or lie about their size', () => {
  it('/dev/zero fails at once (a zero magic number)', () => {
    const t = Date.now();
    expect(() => readIdx('/dev/zero')).toThrow(/readIdx: \/dev\/zero: bad magic number 0x00000000/);
    expect(Date.now() - t).toBeLessThan(2000);
  });

  it('the MNIST loaders on files that are /dev/zero', () => {
    const d = join(dir, 'zeros');
    mkdirSync(d);
    symlinkSync('/dev/zero', join(d, 'train-images-idx3-ubyte'));
    symlinkSync('/dev/zero', join(d, 'train-labels-idx1-ubyte'));
    expect(() => loadMNIST(d)).toThrow(/readIdx: .*train-images-idx3-ubyte: bad magic number/);
  });

  it('a pipe that sends a valid header and then never stops', async () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    // 16 unsigned bytes declared, then zeros forever.
    const writer = spawn('sh', [
      '-c',
      `{ printf '\\000\\000\\010\\001\\000\\000\\000\\020'; cat /dev/zero; } > ${fifo}`,
    ]);
    try {
      const t = Date.now();
      expect(() => readIdx(fifo)).toThrow(/shape \[16\] of ubyte needs 16 data bytes, the file has more/);
      expect(Date.now() - t).toBeLessThan(5000);
    } finally {
      writer.kill('SIGKILL');
    }
  });

  it('a header that declares more than the file holds is refused before allocating', () => {
    const path = join(dir, 'huge.idx');
    writeFileSync(path, Buffer.concat([idxHeader(0x0d, [65536, 65536, 65536]), Buffer.alloc(8)]));
    expect(() => readIdx(path)).toThrow(
      /truncated data: shape \[65536,65536,65536\] of float needs 1125899906842624 data bytes, the file has 8/,
    );
  });

  it('a gzip header that declares more than its compressed bytes can inflate to', () => {
    const gz = gzipSync(Buffer.concat([idxHeader(0x08, [0xffffffff, 0xffff]), Buffer.alloc(100)]));
    expect(() => parseIdx(gz, 'big.gz')).toThrow(/big\.gz: .*, more than \d+ gzip-compressed bytes can inflate to/);
  });

  it('a gzip stream that inflates far past its declared size stops there (bounded memory)', () => {
    // 16 declared bytes, then 256 MiB of zeros as 256 gzip members of 1 MiB each (~260 KB in all).
    const first = gzipSync(Buffer.concat([idxHeader(0x08, [16]), Buffer.alloc(16, 7)]));
    const zeros = gzipSync(Buffer.alloc(1 << 20));
    const path = join(dir, 'bomb.gz');
    writeFileSync(path, Buffer.concat([first, ...new Array(256).fill(zeros)]));
    const { message, addedMiB } = inChild('readIdx', path);
    expect(message).toMatch(
      /bomb\.gz: wrong element count: shape \[16\] of ubyte needs 16 data bytes, the gzip stream inflates to more/,
    );
    expect(addedMiB).toBeLessThan(48);
  });

  it('a gzip stream cut short, and one whose CRC is wrong', () => {
    const gz = gzipSync(Buffer.concat([idxHeader(0x08, [4]), Buffer.from([1, 2, 3, 4])]));
    expect(() => parseIdx(gz.subarray(0, gz.length - 4), 'cut.gz')).toThrow(/cut\.gz: corrupt gzip data/);
    const bad = Buffer.from(gz);
    bad[bad.length - 6] ^= 0xff; // the CRC-32 in the trailer
    expect(() => parseIdx(bad, 'crc.gz')).toThrow(/crc\.gz: corrupt gzip data/);
  });
});

describe('safetensors headers built to exhaust memory', () => {
  function file(name: string, json: string, data = Buffer.alloc(0), declared?: bigint): string {
    const h = Buffer.from(json);
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(declared ?? BigInt(h.length));
    const path = join(dir, name);
    writeFileSync(path, Buffer.concat([len, h, data]));
    return path;
  }

  it('a header length the file cannot hold allocates nothing', () => {
    const path = file('long.st', '{}', Buffer.alloc(0), 99_000_000n);
    expect(() => readSafetensors(path)).toThrow(/header length 99000000 goes past the end of the data \(10 bytes\)/);
  });

  it('more tensors or metadata entries than the limits: refused while parsing', () => {
    const fail = (msg: string): never => {
      throw new Error(msg);
    };
    const limits = { maxTensors: 100, maxMetadata: 10 };
    const tensors = Array.from({ length: 101 }, (_, i) => `"t${i}":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}`);
    expect(parseHeader(Buffer.from(`{${tensors.slice(0, 100).join(',')}}`), fail, limits).entries).toHaveLength(100);
    expect(() => parseHeader(Buffer.from(`{${tensors.join(',')}}`), fail, limits)).toThrow(
      /the header lists more than 100 tensors/,
    );
    const meta = Array.from({ length: 11 }, (_, i) => `"k${i}":"v"`);
    expect(() => parseHeader(Buffer.from(`{"__metadata__":{${meta.join(',')}}}`), fail, limits)).toThrow(
      /'__metadata__' has more than 10 entries/,
    );
    expect(MAX_TENSORS).toBe(262144);
    expect(MAX_METADATA).toBe(65536);
  });

  it('a shape of millions of dimensions, deep nesting, and unknown fields', () => {
    const ones = new Array(1_000_000).fill(1).join(',');
    expect(() => deserialize(Buffer.concat([Buffer.alloc(8), Buffer.from('')]), 'x')).toThrow(
      /header length 0 is too small/,
    );
    const build = (json: string, data = Buffer.alloc(0)) => {
      const h = Buffer.from(json);
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(h.length));
      return Buffer.concat([len, h, data]);
    };
    expect(() => deserialize(build(`{"a":{"dtype":"F32","shape":[${ones}],"data_offsets":[0,4]}}`))).toThrow(
      /tensor 'a': shape must be an array of non-negative integers \(at most 64 of them\)/,
    );
    const deep = `${'['.repeat(200)}${']'.repeat(200)}`;
    expect(() => deserialize(build(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":${deep}}}`))).toThrow(
      /nesting deeper than 128/,
    );
    // An unknown field is skipped, as the reference reader does.
    const extra = `{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"x":{"y":[1,2.5e3,"s",null,true]}}}`;
    expect(deserialize(build(extra, Buffer.from(new Float32Array([3]).buffer))).tensors.a.tolist()).toEqual([3]);
    const one = '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(() => deserialize(build(`${one} x`, Buffer.alloc(4)))).toThrow(
      /not valid UTF-8 JSON \(data after the header object/,
    );
    const twice =
      '{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}';
    expect(() => deserialize(build(twice, Buffer.alloc(4)))).toThrow(/'a' appears twice in the header/);
  });

  it('a data section shorter than the header says is refused before the tensors are allocated', () => {
    const path = file('short.st', '{"a":{"dtype":"F32","shape":[1000000000],"data_offsets":[0,4000000000]}}');
    expect(() => readSafetensors(path)).toThrow(
      /data_offsets \[0,4000000000\] are out of range \(the data section has 0 bytes\)/,
    );
  });
});
