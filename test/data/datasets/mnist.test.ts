// Fashion-MNIST and MNIST loaders: the embedded slice, Debian's package when installed (the test
// runs with and without it), a user directory, normalisation, and malformed directories.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataLoader } from '../../../lib/data/dataloader.js';
import {
  DEBIAN_FASHION_MNIST_DIR,
  EMBEDDED_FASHION_MNIST_DIR,
  FASHION_MNIST_CLASSES,
  loadFashionMNIST,
  loadMNIST,
  resolveFashionMNIST,
} from '../../../lib/data/datasets/mnist.js';
import { readIdx, writeIdx } from '../../../lib/io/idx.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-mnist-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const debianInstalled = existsSync(join(DEBIAN_FASHION_MNIST_DIR, 't10k-images-idx3-ubyte.gz'));

/** Writes a tiny MNIST-format split (n images of h x w, pixel = (i + k) % 256, label = i % 10). */
function writeSplit(
  root: string,
  split: 'train' | 't10k',
  n: number,
  opts: { gzip?: boolean; labels?: number; h?: number } = {},
): void {
  mkdirSync(root, { recursive: true });
  const h = opts.h ?? 28;
  const px = Uint8Array.from({ length: n * h * 28 }, (_, k) => (Math.floor(k / (h * 28)) * 17 + (k % (h * 28))) % 256);
  const labels = Uint8Array.from({ length: opts.labels ?? n }, (_, i) => i % 10);
  const gz = opts.gzip ? '.gz' : '';
  writeIdx(join(root, `${split}-images-idx3-ubyte${gz}`), { shape: [n, h, 28], data: px }, { gzip: opts.gzip });
  writeIdx(
    join(root, `${split}-labels-idx1-ubyte${gz}`),
    { shape: [labels.length], data: labels },
    { gzip: opts.gzip },
  );
}

describe('Fashion-MNIST, embedded slice', () => {
  const train = loadFashionMNIST({ source: 'embedded' });
  const test = loadFashionMNIST({ source: 'embedded', train: false });

  it('has 4000 training and 1000 test images of [1, 28, 28] with int32 labels', () => {
    expect(train.source).toBe('embedded');
    expect(train.directory).toBe(EMBEDDED_FASHION_MNIST_DIR);
    expect(train.length).toBe(4000);
    expect(test.length).toBe(1000);
    expect(train.images.shape).toEqual([4000, 1, 28, 28]);
    expect(test.images.shape).toEqual([1000, 1, 28, 28]);
    expect(train.images.dtype).toBe('float32');
    expect(train.labels.dtype).toBe('int32');
    expect(train.classes).toEqual(FASHION_MNIST_CLASSES);
  });

  it('labels cover the 10 classes, roughly balanced; pixels lie in [0, 1] on the 1/255 grid', () => {
    for (const ds of [train, test]) {
      const counts = new Array(10).fill(0);
      for (const y of ds.labels.data) counts[y]++;
      expect(Math.min(...counts)).toBeGreaterThan(ds.length / 10 / 2);
      const x = ds.images.data as Float32Array;
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < x.length; i++) {
        lo = Math.min(lo, x[i]);
        hi = Math.max(hi, x[i]);
      }
      expect(lo).toBe(0);
      expect(hi).toBe(1);
      expect(x[12345]).toBe(Math.fround(Math.round(x[12345] * 255) / 255));
    }
  });

  it('normalises with the dataset mean/std or given values', () => {
    const raw = loadFashionMNIST({ source: 'embedded', train: false, limit: 10 });
    const norm = loadFashionMNIST({ source: 'embedded', train: false, limit: 10, normalize: true });
    const custom = loadFashionMNIST({
      source: 'embedded',
      train: false,
      limit: 10,
      normalize: { mean: 0.5, std: 0.5 },
    });
    expect(norm.length).toBe(10);
    const i = 400;
    const v = raw.images.data[i];
    expect(norm.images.data[i]).toBe(Math.fround(Math.fround(v - Math.fround(0.286)) / Math.fround(0.353)));
    expect(custom.images.data[i]).toBeCloseTo(2 * v - 1, 6);
    expect(() => loadFashionMNIST({ source: 'embedded', limit: 1, normalize: { mean: 0, std: 0 } })).toThrow(
      /positive std/,
    );
  });

  it('feeds a DataLoader', () => {
    const [x, y] = new DataLoader(test, { batchSize: 64 })[Symbol.iterator]().next().value!;
    expect(x.shape).toEqual([64, 1, 28, 28]);
    expect(y.shape).toEqual([64]);
  });
});

describe('Fashion-MNIST source resolution', () => {
  it(`uses Debian's package when installed (installed here: ${debianInstalled}), else the embedded slice`, () => {
    const ds = loadFashionMNIST({ train: false });
    if (debianInstalled) {
      expect(ds.source).toBe('debian');
      expect(ds.length).toBe(10000);
      // The slice is the head of the full set.
      const slice = loadFashionMNIST({ source: 'embedded', train: false });
      expect([...ds.labels.data.subarray(0, 1000)]).toEqual([...slice.labels.data]);
      expect([...ds.images.data.subarray(0, 784 * 3)]).toEqual([...slice.images.data.subarray(0, 784 * 3)]);
    } else {
      expect(ds.source).toBe('embedded');
      expect(ds.length).toBe(1000);
      expect(() => loadFashionMNIST({ source: 'debian' })).toThrow(/dataset-fashion-mnist is not installed/);
    }
  });

  it('resolution order, with and without a Debian directory', () => {
    const fakeDebian = join(dir, 'fake-debian');
    writeSplit(fakeDebian, 't10k', 3, { gzip: true });
    const absent = join(dir, 'no-debian');
    expect(resolveFashionMNIST({ train: false }, fakeDebian)).toEqual(['debian', fakeDebian]);
    expect(resolveFashionMNIST({ train: false }, absent)).toEqual(['embedded', EMBEDDED_FASHION_MNIST_DIR]);
    // Only the test split is in the fake directory: the training split falls back.
    expect(resolveFashionMNIST({ train: true }, fakeDebian)).toEqual(['embedded', EMBEDDED_FASHION_MNIST_DIR]);
    expect(resolveFashionMNIST({ root: '/some/dir' }, fakeDebian)).toEqual(['user', '/some/dir']);
    expect(resolveFashionMNIST({ source: 'embedded' }, fakeDebian)).toEqual(['embedded', EMBEDDED_FASHION_MNIST_DIR]);
    expect(() => resolveFashionMNIST({ source: 'debian' }, absent)).toThrow(/dataset-fashion-mnist is not installed/);
    expect(() => resolveFashionMNIST({ source: 'user' })).toThrow(/source 'user' needs root/);
    expect(() => resolveFashionMNIST({ source: 'web' as never })).toThrow(
      /source must be 'auto', 'user', 'debian' or 'embedded', got web/,
    );
  });

  it('a root directory wins over everything, plain or gzip files', () => {
    const root = join(dir, 'user');
    writeSplit(root, 'train', 12);
    writeSplit(root, 't10k', 5, { gzip: true });
    const ds = loadFashionMNIST({ root });
    expect(ds.source).toBe('user');
    expect(ds.length).toBe(12);
    expect(ds.getItem(3)[1].item()).toBe(3);
    expect(ds.getItem(1)[0].data[0]).toBe(Math.fround(17 / 255));
    expect(loadFashionMNIST({ root, train: false }).length).toBe(5);
    expect(loadMNIST(root, { train: false }).length).toBe(5);
    expect(loadMNIST(root).classes[3]).toBe('3');
  });

  it('the embedded files are gzip IDX and small (the package tarball stays lean)', () => {
    const files = [
      'train-images-idx3-ubyte.gz',
      'train-labels-idx1-ubyte.gz',
      't10k-images-idx3-ubyte.gz',
      't10k-labels-idx1-ubyte.gz',
    ];
    for (const f of files) expect(readIdx(join(EMBEDDED_FASHION_MNIST_DIR, f)).dtype).toBe('ubyte');
    const bytes = files.reduce((n, f) => n + statSync(join(EMBEDDED_FASHION_MNIST_DIR, f)).size, 0);
    expect(bytes).toBeLessThan(3_000_000);
  });
});

describe('malformed MNIST directories', () => {
  it('missing files name the directory and the file', () => {
    expect(() => loadMNIST(join(dir, 'nothing-here'))).toThrow(
      /loadMNIST: no train-images-idx3-ubyte\[\.gz\] file in .*nothing-here/,
    );
    expect(() => loadFashionMNIST({ root: join(dir, 'nothing-here'), train: false })).toThrow(
      /no t10k-images-idx3-ubyte/,
    );
  });
  it('image and label counts that differ', () => {
    const root = join(dir, 'mismatch');
    writeSplit(root, 'train', 6, { labels: 5 });
    expect(() => loadMNIST(root)).toThrow(/6 images but 5 labels/);
  });
  it('labels out of range', () => {
    const root = join(dir, 'badlabel');
    writeSplit(root, 'train', 2);
    writeIdx(join(root, 'train-labels-idx1-ubyte'), { shape: [2], data: Uint8Array.from([1, 12]) });
    expect(() => loadMNIST(root)).toThrow(/label 12 at index 1 is out of range \(10 classes\)/);
  });
  it('wrong dtype or rank', () => {
    const root = join(dir, 'badtype');
    writeSplit(root, 'train', 2);
    writeIdx(join(root, 'train-images-idx3-ubyte'), { shape: [2, 784], data: new Float32Array(2 * 784) });
    expect(() => loadMNIST(root)).toThrow(/expected unsigned bytes of shape \[N, rows, cols\], got float \[2,784\]/);
  });
  it('truncated files report the IDX error with the path', () => {
    const root = join(dir, 'truncated');
    writeSplit(root, 'train', 3);
    const path = join(root, 'train-images-idx3-ubyte');
    writeFileSync(path, readFileSync(path).subarray(0, 16 + 2 * 784 + 5));
    expect(() => loadMNIST(root)).toThrow(
      /train-images-idx3-ubyte: truncated data: shape \[3,28,28\] of ubyte needs 2352 data bytes, the file has 1573/,
    );
  });
});
