// Datasets, samplers and the DataLoader: order under a seed, batch shapes, dropLast, collation,
// the TensorDataset fast path, randomSplit and Subset.
import { describe, expect, it } from 'vitest';
import { tensor } from '../../lib/creation.js';
import {
  BatchSampler,
  ConcatDataset,
  DataLoader,
  Dataset,
  defaultCollate,
  RandomSampler,
  randomSplit,
  SequentialSampler,
  Subset,
  SubsetRandomSampler,
  TensorDataset,
} from '../../lib/data/index.js';
import { defaultGenerator, Generator } from '../../lib/random.js';
import { Tensor } from '../../lib/tensor.js';

/** A TensorDataset of n samples: x[i] = [i, i + 0.5, i + 0.25] as [1, 3], y[i] = i % 3 (int32). */
function numbered(n: number): TensorDataset {
  const x = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) x.set([i, i + 0.5, i + 0.25], i * 3);
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  return new TensorDataset(Tensor.fromData(x, [n, 1, 3]), Tensor.fromData(y, [n]));
}

/** The sample ids of one pass, read back from the x batches. */
function order(loader: Iterable<Tensor[]>): number[] {
  const ids: number[] = [];
  for (const [x] of loader) for (let b = 0; b < x.shape[0]; b++) ids.push(x.data[b * 3]);
  return ids;
}

class Squares extends Dataset<[number, number]> {
  constructor(readonly length: number) {
    super();
  }
  getItem(i: number): [number, number] {
    return [i, i * i + 0.5];
  }
}

describe('TensorDataset, Subset, ConcatDataset', () => {
  it('indexes rows along the first dimension (views of the same storage)', () => {
    const ds = numbered(5);
    expect(ds.length).toBe(5);
    const [x, y] = ds.getItem(3);
    expect(x.shape).toEqual([1, 3]);
    expect(x.tolist()).toEqual([[3, 3.5, 3.25]]);
    expect(y.shape).toEqual([]);
    expect(y.item()).toBe(0);
    expect(x.storage).toBe(ds.tensors[0].storage);
    expect(ds.getItem(-1)[1].item()).toBe(1);
    expect([...ds].length).toBe(5);
  });

  it('rejects mismatched tensors and bad indices', () => {
    expect(() => new TensorDataset(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(
      /tensor 0 has 3 samples .* tensor 1 has 2/,
    );
    expect(() => new TensorDataset()).toThrow(/at least one tensor/);
    expect(() => new TensorDataset(tensor(1))).toThrow(/0-d tensor/);
    expect(() => numbered(4).getItem(4)).toThrow(/index 4 is out of range for a dataset of 4 samples/);
    expect(() => numbered(4).getItem(1.5)).toThrow(/index must be an integer/);
  });

  it('Subset maps indices, ConcatDataset chains datasets', () => {
    const ds = numbered(10);
    const sub = new Subset(ds, [7, 2, -1]);
    expect(sub.length).toBe(3);
    expect(sub.getItem(0)[0].data[0]).toBe(7);
    expect(sub.getItem(2)[0].data[0]).toBe(9);
    expect(() => new Subset(ds, [10])).toThrow(/index 10 \(position 0\) is out of range/);
    const cat = new ConcatDataset([numbered(2), numbered(3)]);
    expect(cat.length).toBe(5);
    expect(cat.getItem(3)[0].data[0]).toBe(1);
  });
});

describe('samplers', () => {
  it('SequentialSampler and BatchSampler', () => {
    expect([...new SequentialSampler(4)]).toEqual([0, 1, 2, 3]);
    const bs = new BatchSampler(new SequentialSampler(7), 3);
    expect(bs.length).toBe(3);
    expect([...bs]).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
    const dropped = new BatchSampler(new SequentialSampler(7), 3, true);
    expect(dropped.length).toBe(2);
    expect([...dropped]).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(() => new BatchSampler(new SequentialSampler(7), 0)).toThrow(/batchSize must be a positive integer/);
  });

  it('RandomSampler: a permutation, reproducible under a seed, different per seed and per pass', () => {
    const g = new Generator().manualSeed(42);
    const s = new RandomSampler(100, { generator: g });
    const first = [...s];
    const second = [...s];
    expect([...first].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(second).not.toEqual(first);
    g.manualSeed(42);
    expect([...s]).toEqual(first);
    expect([...s]).toEqual(second);
    const other = [...new RandomSampler(100, { generator: new Generator().manualSeed(43) })];
    expect(other).not.toEqual(first);
  });

  it('RandomSampler with replacement and numSamples', () => {
    const s = new RandomSampler(5, { replacement: true, numSamples: 200, generator: new Generator().manualSeed(1) });
    const draws = [...s];
    expect(draws.length).toBe(200);
    expect(new Set(draws)).toEqual(new Set([0, 1, 2, 3, 4]));
    const longer = [...new RandomSampler(4, { numSamples: 10, generator: new Generator().manualSeed(1) })];
    expect(longer.length).toBe(10);
    expect(new Set(longer.slice(0, 4)).size).toBe(4);
    expect(new Set(longer.slice(4, 8)).size).toBe(4);
  });

  it('RandomSampler without a generator follows the default generator', () => {
    const s = new RandomSampler(50);
    defaultGenerator.manualSeed(7);
    const a = [...s];
    defaultGenerator.manualSeed(7);
    expect([...s]).toEqual(a);
  });

  it('SubsetRandomSampler', () => {
    const s = new SubsetRandomSampler([10, 20, 30], { generator: new Generator().manualSeed(3) });
    expect([...s].sort()).toEqual([10, 20, 30]);
    expect(s.length).toBe(3);
  });
});

describe('DataLoader', () => {
  it('batches in order with the right shapes and dtypes; length counts batches', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4 });
    expect(loader.length).toBe(3);
    const batches = [...loader];
    expect(batches.map(([x, y]) => [x.shape, y.shape])).toEqual([
      [[4, 1, 3], [4]],
      [[4, 1, 3], [4]],
      [[2, 1, 3], [2]],
    ]);
    const [x, y] = batches[1];
    expect(x.dtype).toBe('float32');
    expect(y.dtype).toBe('int32');
    expect(x.tolist()).toEqual([4, 5, 6, 7].map((i) => [[i, i + 0.5, i + 0.25]]));
    expect(y.tolist()).toEqual([1, 2, 0, 1]);
    expect(order(loader)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('dropLast drops the short batch', () => {
    const loader = new DataLoader(numbered(10), { batchSize: 4, dropLast: true });
    expect(loader.length).toBe(2);
    expect([...loader].length).toBe(2);
    expect(new DataLoader(numbered(8), { batchSize: 4, dropLast: true }).length).toBe(2);
    expect(new DataLoader(numbered(3), { batchSize: 4, dropLast: true }).length).toBe(0);
  });

  it('shuffle: reproducible under a seed, different for another seed, new order each epoch', () => {
    const ds = numbered(64);
    const run = (seed: number) => {
      const loader = new DataLoader(ds, { batchSize: 8, shuffle: true, generator: new Generator().manualSeed(seed) });
      return [order(loader), order(loader)];
    };
    const [e1, e2] = run(2024);
    expect([...e1].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(e1).not.toEqual(Array.from({ length: 64 }, (_, i) => i));
    expect(e2).not.toEqual(e1);
    expect(run(2024)).toEqual([e1, e2]);
    expect(run(2025)[0]).not.toEqual(e1);
    // Without a generator: the default generator, seeded by manualSeed.
    const loader = new DataLoader(ds, { batchSize: 8, shuffle: true });
    defaultGenerator.manualSeed(5);
    const a = order(loader);
    defaultGenerator.manualSeed(5);
    expect(order(loader)).toEqual(a);
  });

  it('labels stay with their images under shuffle', () => {
    const loader = new DataLoader(numbered(30), {
      batchSize: 7,
      shuffle: true,
      generator: new Generator().manualSeed(9),
    });
    for (const [x, y] of loader) {
      for (let b = 0; b < x.shape[0]; b++) expect(y.data[b]).toBe(x.data[b * 3] % 3);
    }
  });

  it('the TensorDataset fast path equals collating per-sample tensors', () => {
    const ds = numbered(23);
    const g = () => new Generator().manualSeed(11);
    const fast = [...new DataLoader(ds, { batchSize: 5, shuffle: true, generator: g() })];
    const slow = [
      ...new DataLoader(ds, {
        batchSize: 5,
        shuffle: true,
        generator: g(),
        collateFn: (s: Tensor[][]) => defaultCollate(s),
      }),
    ];
    expect(fast.length).toBe(slow.length);
    fast.forEach((batch, i) =>
      batch.forEach((t, j) => {
        expect(t.shape).toEqual(slow[i][j].shape);
        expect(t.dtype).toBe(slow[i][j].dtype);
        expect([...t.data]).toEqual([...slow[i][j].data]);
      }),
    );
  });

  it('gathers rows from non-contiguous and offset tensors', () => {
    // x is the transpose of a [3, 4] matrix: rows of x are columns of the storage.
    const base = Float32Array.from({ length: 12 }, (_, i) => i);
    const xt = new Tensor(Tensor.fromData(base, [3, 4]).storage, [4, 3], [1, 4], 0);
    const y = new Tensor(Tensor.fromData(Int32Array.from([9, 9, 0, 1, 2, 3]), [6]).storage, [4], [1], 2);
    const [[xb, yb]] = [...new DataLoader(new TensorDataset(xt, y), { batchSize: 4, sampler: [3, 0, 2, 1] })];
    expect(xb.tolist()).toEqual([
      [3, 7, 11],
      [0, 4, 8],
      [2, 6, 10],
      [1, 5, 9],
    ]);
    expect(yb.tolist()).toEqual([3, 0, 2, 1]);
  });

  it('Subsets of a TensorDataset (randomSplit) use the fast path with the right rows', () => {
    const [train, val] = randomSplit(numbered(20), [15, 5], { generator: new Generator().manualSeed(0) });
    const ids = order(new DataLoader(train, { batchSize: 4 }));
    expect(ids).toEqual(train.indices);
    expect(order(new DataLoader(val, { batchSize: 4 }))).toEqual(val.indices);
  });

  it('default collate: numbers (int32 / float32), booleans, tuples, objects, strings', () => {
    const loader = new DataLoader(new Squares(5), { batchSize: 5 });
    const [[i, sq]] = [...loader];
    expect(i.dtype).toBe('int32');
    expect(i.tolist()).toEqual([0, 1, 2, 3, 4]);
    expect(sq.dtype).toBe('float32');
    expect(sq.tolist()).toEqual([0.5, 1.5, 4.5, 9.5, 16.5]);
    const batch = defaultCollate([
      { image: tensor([[1, 2]]), label: 3, ok: true, name: 'a' },
      { image: tensor([[3, 4]]), label: 4, ok: false, name: 'b' },
    ]);
    expect(batch.image.shape).toEqual([2, 1, 2]);
    expect(batch.label.dtype).toBe('int32');
    expect(batch.ok.dtype).toBe('bool');
    expect(batch.ok.tolist()).toEqual([true, false]);
    expect(batch.name).toEqual(['a', 'b']);
    expect(defaultCollate([2 ** 40, 1]).dtype).toBe('float32');
  });

  it('default collate errors name the problem', () => {
    expect(() => defaultCollate([tensor([1, 2]), tensor([1, 2, 3])])).toThrow(
      /cannot stack sample 1 \(float32 \[3\]\) with sample 0 \(float32 \[2\]\)/,
    );
    expect(() => defaultCollate([[1, 2], [1]])).toThrow(/sample 1 has 1 elements, sample 0 has 2/);
    expect(() => defaultCollate([1, 'a'] as unknown[])).toThrow(/sample 1 is a string, sample 0 a number/);
    expect(() => defaultCollate([null])).toThrow(/cannot collate a null; give the DataLoader a collateFn/);
  });

  it('custom collateFn and sampler options', () => {
    const loader = new DataLoader(new Squares(6), { batchSize: 4, collateFn: (s) => s.map(([i]) => i).join(',') });
    expect([...loader]).toEqual(['0,1,2,3', '4,5']);
    const custom = new DataLoader(numbered(6), { batchSize: 2, sampler: new SequentialSampler(3) });
    expect(order(custom)).toEqual([0, 1, 2]);
    const bySampler = new DataLoader(numbered(6), { batchSampler: new BatchSampler(new SequentialSampler(6), 4) });
    expect(bySampler.length).toBe(2);
  });

  it('rejects bad options', () => {
    const ds = numbered(4);
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be a positive integer, got 0/);
    expect(() => new DataLoader(ds, { sampler: new SequentialSampler(4), shuffle: true })).toThrow(
      /mutually exclusive with shuffle/,
    );
    expect(
      () => new DataLoader(ds, { batchSampler: new BatchSampler(new SequentialSampler(4), 2), batchSize: 2 }),
    ).toThrow(/mutually exclusive/);
    expect(() => new DataLoader({} as Dataset)).toThrow(/expected a Dataset/);
    const outOfRange = new DataLoader(ds, { sampler: new SequentialSampler(5) });
    expect(() => [...outOfRange]).toThrow(/sampler index 4 is out of range for a dataset of 4 samples/);
  });
});

describe('randomSplit', () => {
  it('splits by counts into disjoint subsets covering the dataset', () => {
    const ds = numbered(10);
    const parts = randomSplit(ds, [3, 7], { generator: new Generator().manualSeed(1) });
    expect(parts.map((p) => p.length)).toEqual([3, 7]);
    const all = parts.flatMap((p) => [...p.indices]).sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 10 }, (_, i) => i));
    const again = randomSplit(ds, [3, 7], { generator: new Generator().manualSeed(1) });
    expect(again.map((p) => p.indices)).toEqual(parts.map((p) => p.indices));
    const other = randomSplit(ds, [3, 7], { generator: new Generator().manualSeed(2) });
    expect(other.map((p) => p.indices)).not.toEqual(parts.map((p) => p.indices));
  });

  it('splits by fractions, handing the remainder to the first subsets', () => {
    const parts = randomSplit(numbered(11), [0.5, 0.3, 0.2]);
    // floor: 5, 3, 2 (10); the 1 left over goes to the first subset.
    expect(parts.map((p) => p.length)).toEqual([6, 3, 2]);
    expect(randomSplit(numbered(10), [0.8, 0.2]).map((p) => p.length)).toEqual([8, 2]);
  });

  it('rejects lengths that do not fit', () => {
    expect(() => randomSplit(numbered(10), [3, 3])).toThrow(
      /summing to the dataset's length \(10\) or fractions summing to 1/,
    );
    expect(() => randomSplit(numbered(10), [0.5, 0.6])).toThrow(/fractions summing to 1/);
  });
});
