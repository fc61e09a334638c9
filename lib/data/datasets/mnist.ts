// MNIST and Fashion-MNIST from their IDX files. Images become float32 [N, 1, H, W] scaled to
// [0, 1] (torchvision's ToTensor: x / 255), optionally normalised ((x - mean) / std, in float32
// as torchvision's Normalize); labels become int32 [N].
//
// Fashion-MNIST is looked for, in order: the directory the caller gives (root); Debian's
// `dataset-fashion-mnist` package (/usr/share/datasets/fashion-mnist); the slice shipped in this
// package (data/fashion-mnist-slice: the first 4000 training and 1000 test images), so examples
// run with no download. `dataset.source` says which one was used.
import { checkOptions, checkString, describe, optionKeys } from '../../errors.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIdx } from '../../io/idx.js';
import { Tensor } from '../../tensor.js';
import { TensorDataset } from '../dataset.js';

/** Where Debian's `dataset-fashion-mnist` package installs the IDX files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
/** The slice shipped with the package (three levels up from lib/data/datasets or dist/data/datasets). */
export const EMBEDDED_FASHION_MNIST_DIR = fileURLToPath(new URL('../../../data/fashion-mnist-slice/', import.meta.url));

/** Fashion-MNIST's class names, by label (torchvision's `FashionMNIST.classes`). */
export const FASHION_MNIST_CLASSES = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);
/** MNIST's class names, by label: the digits. */
export const MNIST_CLASSES = Object.freeze(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
/** MNIST's training set's pixel mean and standard deviation (after scaling to [0, 1]). */
export const MNIST_MEAN_STD = Object.freeze({
  /** The pixel mean. */
  mean: 0.1307,
  /** The pixel standard deviation. */
  std: 0.3081,
});
/** Fashion-MNIST's training set's pixel mean and standard deviation (after scaling to [0, 1]). */
export const FASHION_MNIST_MEAN_STD = Object.freeze({
  /** The pixel mean. */
  mean: 0.286,
  /** The pixel standard deviation. */
  std: 0.353,
});

/** Where a dataset was read from: the caller's directory, Debian's package, or the slice shipped with myelin. */
export type DatasetSource = 'user' | 'debian' | 'embedded';

/** The options of loadMNIST (and loadFashionMNIST). */
export interface MnistOptions {
  /** The training split (default) or the test split. */
  train?: boolean;
  /** Normalise pixels: true uses the dataset's own mean/std; or give them. */
  normalize?:
    | boolean
    | {
        /** The mean subtracted. */
        mean: number;
        /** The standard deviation divided by. */
        std: number;
      };
  /** Keep only the first `limit` samples. */
  limit?: number;
}

/** The options of loadFashionMNIST. */
export interface FashionMnistOptions extends MnistOptions {
  /** A directory holding the four IDX files (plain or .gz). */
  root?: string;
  /** 'auto' (default): root if given, else Debian's package if installed, else the embedded slice. */
  source?: 'auto' | DatasetSource;
}

const MNIST_OPTIONS = optionKeys<MnistOptions>({ train: 'boolean', normalize: true, limit: 'integer' });
const FASHION_MNIST_OPTIONS = optionKeys<FashionMnistOptions>({
  ...MNIST_OPTIONS,
  root: 'string',
  source: 'string',
});

/** A TensorDataset of (image, label) pairs that remembers where it came from. */
export class ImageClassificationDataset extends TensorDataset {
  constructor(
    /** float32 [N, 1, H, W]. */
    readonly images: Tensor,
    /** int32 [N]. */
    readonly labels: Tensor,
    /** The class names, by label. */
    readonly classes: readonly string[],
    /** Where the files were read from. */
    readonly source: DatasetSource,
    /** The directory they were read from. */
    readonly directory: string,
    /** Whether this is the training split. */
    readonly train: boolean,
  ) {
    super(images, labels);
  }
}

/** The file for `split` ('train' | 't10k') and `kind` ('images-idx3' | 'labels-idx1') in dir, or null. */
function findFile(dir: string, split: string, kind: string): string | null {
  for (const name of [
    `${split}-${kind}-ubyte.gz`,
    `${split}-${kind}-ubyte`,
    `${split}-${kind.replace('-', '.')}-ubyte`,
  ]) {
    const p = join(dir, name);
    if (existsSync(p)) return p;
  }
  return null;
}

function hasSplit(dir: string, train: boolean): boolean {
  const split = train ? 'train' : 't10k';
  return findFile(dir, split, 'images-idx3') !== null && findFile(dir, split, 'labels-idx1') !== null;
}

function load(
  op: string,
  dir: string,
  options: MnistOptions,
  classes: readonly string[],
  defaults: { mean: number; std: number },
  source: DatasetSource,
): ImageClassificationDataset {
  const train = options.train ?? true;
  const split = train ? 'train' : 't10k';
  const paths = ['images-idx3', 'labels-idx1'].map((kind) => {
    const p = findFile(dir, split, kind);
    if (!p) throw new Error(`${op}: no ${split}-${kind}-ubyte[.gz] file in ${dir}`);
    return p;
  });
  const images = readIdx(paths[0]);
  const labels = readIdx(paths[1]);
  if (images.dtype !== 'ubyte' || images.shape.length !== 3) {
    throw new Error(
      `${op}: ${paths[0]}: expected unsigned bytes of shape [N, rows, cols], got ${images.dtype} [${images.shape.join(',')}]`,
    );
  }
  if (labels.dtype !== 'ubyte' || labels.shape.length !== 1) {
    throw new Error(
      `${op}: ${paths[1]}: expected unsigned bytes of shape [N], got ${labels.dtype} [${labels.shape.join(',')}]`,
    );
  }
  if (images.shape[0] !== labels.shape[0]) {
    throw new Error(
      `${op}: ${dir}: ${images.shape[0]} images but ${labels.shape[0]} labels (${paths[0]}, ${paths[1]})`,
    );
  }
  let n = images.shape[0];
  if (options.limit !== undefined) {
    if (!Number.isInteger(options.limit) || options.limit < 0)
      throw new RangeError(`${op}: limit must be a non-negative integer, got ${describe(options.limit)}`);
    n = Math.min(n, options.limit);
  }
  const [, h, w] = images.shape;
  const pixels = images.data.subarray(0, n * h * w);
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  if (options.normalize) {
    const { mean, std } = options.normalize === true ? defaults : options.normalize;
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std <= 0)
      throw new RangeError(`${op}: normalize needs a finite mean and a positive std, got mean ${mean}, std ${std}`);
    const m = Math.fround(mean);
    const s = Math.fround(std);
    for (let i = 0; i < x.length; i++) x[i] = Math.fround(x[i] - m) / s;
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label >= classes.length)
      throw new RangeError(
        `${op}: ${paths[1]}: label ${label} at index ${i} is out of range (${classes.length} classes)`,
      );
    y[i] = label;
  }
  return new ImageClassificationDataset(
    Tensor.fromData(x, [n, 1, h, w]),
    Tensor.fromData(y, [n]),
    classes,
    source,
    dir,
    train,
  );
}

/** MNIST from a directory holding its IDX files (plain or .gz). */
export function loadMNIST(dir: string, options: MnistOptions = {}): ImageClassificationDataset {
  if (typeof dir !== 'string')
    throw new TypeError(`data.loadMNIST: dir must be a directory path, got ${describe(dir)}`);
  checkOptions('data.loadMNIST', options, MNIST_OPTIONS);
  return load('loadMNIST', dir, options, MNIST_CLASSES, MNIST_MEAN_STD, 'user');
}

/**
 * Where Fashion-MNIST comes from for these options: [source, directory]. `debianDir` is a
 * parameter so tests can point it at a directory that is (or is not) there.
 */
export function resolveFashionMNIST(
  options: FashionMnistOptions = {},
  debianDir = DEBIAN_FASHION_MNIST_DIR,
): [DatasetSource, string] {
  const op = 'loadFashionMNIST';
  checkOptions('data.resolveFashionMNIST', options, FASHION_MNIST_OPTIONS);
  checkString('data.resolveFashionMNIST', 'debianDir', debianDir);
  const train = options.train ?? true;
  const source = options.source ?? 'auto';
  if (source === 'user' || (source === 'auto' && options.root !== undefined)) {
    if (typeof options.root !== 'string') throw new TypeError(`${op}: source 'user' needs root, a directory path`);
    return ['user', options.root];
  }
  if (source === 'debian' || (source === 'auto' && hasSplit(debianDir, train))) {
    if (!hasSplit(debianDir, train))
      throw new Error(
        `${op}: Debian's dataset-fashion-mnist is not installed (no files in ${debianDir}); apt-get install dataset-fashion-mnist`,
      );
    return ['debian', debianDir];
  }
  if (source === 'embedded' || source === 'auto') return ['embedded', EMBEDDED_FASHION_MNIST_DIR];
  throw new RangeError(`${op}: source must be 'auto', 'user', 'debian' or 'embedded', got ${String(source)}`);
}

/** Fashion-MNIST from root, Debian's package, or the embedded slice (see the file comment). */
export function loadFashionMNIST(options: FashionMnistOptions = {}): ImageClassificationDataset {
  checkOptions('data.loadFashionMNIST', options, FASHION_MNIST_OPTIONS);
  const [source, dir] = resolveFashionMNIST(options);
  return load('loadFashionMNIST', dir, options, FASHION_MNIST_CLASSES, FASHION_MNIST_MEAN_STD, source);
}
