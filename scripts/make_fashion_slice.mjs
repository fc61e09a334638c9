#!/usr/bin/env node
// Writes the Fashion-MNIST slice shipped in the package (data/fashion-mnist-slice/): the first
// 4000 training and 1000 test images and labels, as gzip-compressed IDX files.
//   node scripts/make_fashion_slice.mjs [sourceDir] [outDir]
// sourceDir defaults to Debian's dataset-fashion-mnist package directory.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const sourceDir = process.argv[2] ?? '/usr/share/datasets/fashion-mnist';
const outDir = process.argv[3] ?? join(here, '..', 'data', 'fashion-mnist-slice');
const COUNTS = { train: 4000, t10k: 1000 };

/** The first `n` items of an IDX file (the first dimension cut to n). */
function sliceIdx(bytes, n) {
  const buf = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) throw new Error('expected an unsigned-byte IDX file');
  const ndim = buf[3];
  const dims = Array.from({ length: ndim }, (_, d) => view.getUint32(4 + 4 * d, false));
  if (dims[0] < n) throw new Error(`the file has ${dims[0]} items, fewer than ${n}`);
  const itemSize = dims.slice(1).reduce((a, b) => a * b, 1);
  const header = 4 + 4 * ndim;
  const out = Buffer.alloc(header + n * itemSize);
  buf.copy(out, 0, 0, header);
  out.writeUInt32BE(n, 4);
  buf.copy(out, header, header, header + n * itemSize);
  return out;
}

mkdirSync(outDir, { recursive: true });
let total = 0;
for (const [split, n] of Object.entries(COUNTS)) {
  for (const kind of ['images-idx3', 'labels-idx1']) {
    const name = `${split}-${kind}-ubyte.gz`;
    const sliced = sliceIdx(readFileSync(join(sourceDir, name)), n);
    // mtime 0 in the gzip header (node writes 0) keeps the output byte-identical across runs.
    const target = join(outDir, name);
    writeFileSync(target, gzipSync(sliced, { level: 9 }));
    const size = statSync(target).size;
    total += size;
    console.log(`${name}: ${n} items, ${size} bytes`);
  }
}
console.log(`total ${total} bytes in ${outDir}`);
