// One rank of the collectives test: every collective and op, on float32, int32, int8, uint8 and
// bool tensors
// of several shapes, synchronous and asynchronous, each checked against a single-process
// reference computed here from every rank's inputs (which are functions of the rank).
//   argv[2]: the init method (env://, tcp://..., file://...)
import { distributed as dist, type Tensor, tensor } from '../../../lib/index.js';
import type { DType, TypedArray } from '../../../lib/dtype.js';
import { report } from '../helpers.js';

const initMethod = process.argv[2] ?? 'env://';
const world = Number(process.env.WORLD_SIZE);
const rank = Number(process.env.RANK);
dist.initProcessGroup(
  initMethod === 'env://' ? { timeout: 60_000 } : { initMethod, rank, worldSize: world, timeout: 60_000 },
);

const failures: string[] = [];
let checks = 0;

function value(r: number, i: number, dtype: DType, seed: number): number {
  if (dtype === 'float32') return Math.fround(Math.sin(i * 0.37 + r * 1.3 + seed) * 2);
  if (dtype === 'int32') return ((i * 7 + r * 3 + seed) % 7) - 3;
  // The whole 8-bit range, so that sums and products wrap.
  if (dtype === 'int8') return ((i * 37 + r * 71 + seed) % 256) - 128;
  if (dtype === 'uint8') return (i * 37 + r * 71 + seed) % 256;
  return (i + r + seed) % 3 === 0 ? 1 : 0;
}
function input(r: number, shape: number[], dtype: DType, seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === 'float32'
      ? new Float32Array(n)
      : dtype === 'int32'
        ? new Int32Array(n)
        : dtype === 'int8'
          ? new Int8Array(n)
          : new Uint8Array(n);
  for (let i = 0; i < n; i++) data[i] = value(r, i, dtype, seed);
  return tensor(data, { dtype }).reshape(shape);
}
function fold(op: string, shape: number[], dtype: DType, seed: number): Float64Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let acc = value(0, i, dtype, seed);
    for (let r = 1; r < world; r++) {
      const v = value(r, i, dtype, seed);
      if (op === 'sum' || op === 'avg') acc += v;
      else if (op === 'max') acc = Math.max(acc, v);
      else if (op === 'min') acc = Math.min(acc, v);
      else acc *= v;
    }
    // int8/uint8 wrap modulo 2^8, as torch's Gloo (acc is an exact integer: 255^3 at most).
    out[i] = op === 'avg' ? acc / world : dtype === 'int8' ? (acc << 24) >> 24 : dtype === 'uint8' ? acc & 255 : acc;
  }
  return out;
}
function check(name: string, got: Tensor, want: ArrayLike<number>, shape: number[]): void {
  checks++;
  const data = got.data as TypedArray;
  if (got.shape.join(',') !== shape.join(',') || data.length !== want.length) {
    failures.push(`${name}: shape [${got.shape}] length ${data.length}, want [${shape}] length ${want.length}`);
    return;
  }
  for (let i = 0; i < want.length; i++) {
    const tol = got.dtype === 'float32' ? 1e-5 * Math.max(1, Math.abs(want[i])) : 0;
    if (!(Math.abs(data[i] - want[i]) <= tol)) {
      failures.push(`${name}: element ${i} is ${data[i]}, the reference is ${want[i]}`);
      return;
    }
  }
}

const shapes = [[5], [3, 4], [0], [2, 1, 3], [300_001]];
const dtypes: DType[] = ['float32', 'int32', 'int8', 'uint8', 'bool'];
let seed = 0;
for (const shape of shapes) {
  for (const dtype of dtypes) {
    const tag = `${dtype}[${shape}]`;
    const reducible = dtype !== 'bool';
    if (reducible) {
      for (const op of ['sum', 'avg', 'max', 'min', 'product'] as const) {
        if (op === 'avg' && dtype !== 'float32') continue;
        seed++;
        const t = input(rank, shape, dtype, seed);
        dist.allReduce(t, { op });
        check(`allReduce ${op} ${tag}`, t, fold(op, shape, dtype, seed), shape);

        seed++;
        const inputs = Array.from({ length: world }, (_, i) => input(rank, shape, dtype, seed * 100 + i));
        const out = input(rank, shape, dtype, 999);
        dist.reduceScatter(out, inputs, { op });
        check(`reduceScatter ${op} ${tag}`, out, fold(op, shape, dtype, seed * 100 + rank), shape);

        seed++;
        const dst = (seed + 1) % world;
        const red = input(rank, shape, dtype, seed);
        dist.reduce(red, dst, { op });
        const want = rank === dst ? fold(op, shape, dtype, seed) : (input(rank, shape, dtype, seed).data as TypedArray);
        check(`reduce ${op} to ${dst} ${tag}`, red, want, shape);
      }
    }
    for (let src = 0; src < world; src++) {
      seed++;
      const t = input(rank, shape, dtype, seed);
      dist.broadcast(t, src);
      check(`broadcast from ${src} ${tag}`, t, input(src, shape, dtype, seed).data as TypedArray, shape);
    }
    seed++;
    const list = Array.from({ length: world }, () => input(rank, shape, dtype, 999));
    dist.allGather(list, input(rank, shape, dtype, seed));
    list.forEach((t, r) => check(`allGather [${r}] ${tag}`, t, input(r, shape, dtype, seed).data as TypedArray, shape));

    seed++;
    const root = world - 1;
    const gathered = rank === root ? Array.from({ length: world }, () => input(rank, shape, dtype, 999)) : null;
    dist.gather(input(rank, shape, dtype, seed), { gatherList: gathered, dst: root });
    gathered?.forEach((t, r) =>
      check(`gather [${r}] ${tag}`, t, input(r, shape, dtype, seed).data as TypedArray, shape),
    );

    seed++;
    const scattered = input(rank, shape, dtype, 999);
    const parts = rank === root ? Array.from({ length: world }, (_, r) => input(r, shape, dtype, seed)) : null;
    dist.scatter(scattered, { scatterList: parts, src: root });
    check(`scatter ${tag}`, scattered, input(rank, shape, dtype, seed).data as TypedArray, shape);
  }
}

// int8 and uint8 against torch 1.13's Gloo (torch.distributed.all_reduce, broadcast, all_gather on
// two ranks, Debian's python3-torch): sums and products wrap.
if (world === 2) {
  const golden = {
    int8: {
      in: [
        [100, -100, 127, 5],
        [101, -99, -128, 6],
      ],
      sum: [-55, 57, -1, 11],
      max: [101, -99, 127, 6],
      product: [116, -84, -128, 30],
    },
    uint8: {
      in: [
        [200, 100, 255, 5],
        [201, 101, 0, 6],
      ],
      sum: [145, 201, 255, 11],
      max: [201, 101, 255, 6],
      product: [8, 116, 0, 30],
    },
  };
  for (const dtype of ['int8', 'uint8'] as const) {
    const g = golden[dtype];
    const mine = () => tensor(g.in[rank], { dtype });
    for (const op of ['sum', 'max', 'product'] as const) {
      const t = mine();
      dist.allReduce(t, { op });
      check(`torch's allReduce ${op} ${dtype}`, t, g[op], [4]);
    }
    const b = mine();
    dist.broadcast(b, 1);
    check(`torch's broadcast ${dtype}`, b, g.in[1], [4]);
    const list = [mine(), mine()];
    dist.allGather(list, mine());
    list.forEach((t, r) => check(`torch's allGather [${r}] ${dtype}`, t, g.in[r], [4]));
  }
}

// Views: a contiguous slice at an offset into a larger storage is reduced in place, the rest untouched.
{
  const base = tensor(new Float32Array(12).fill(rank + 1)).reshape([3, 4]);
  const row = base.select(0, 1);
  dist.allReduce(row);
  const want = new Float32Array(12).fill(rank + 1);
  const total = (world * (world + 1)) / 2;
  for (let i = 4; i < 8; i++) want[i] = total;
  check('allReduce of a row view', base, want, [3, 4]);
}

// Asynchronous: several in flight at once, waited in reverse order, then one through its Promise
// while the event loop keeps running.
{
  const works: [dist.Work, Tensor, number][] = [];
  for (let k = 0; k < 4; k++) {
    seed++;
    const t = input(rank, [1000], 'float32', seed);
    works.push([dist.allReduce(t, { asyncOp: true }), t, seed]);
  }
  for (const [w, t, s] of works.reverse()) {
    w.wait();
    if (!w.isCompleted()) failures.push('async: isCompleted() false after wait()');
    check(`async allReduce ${s}`, t, fold('sum', [1000], 'float32', s), [1000]);
  }
  seed++;
  const t = input(rank, [200_000], 'float32', seed);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 1);
  // Rank 0 arrives late, so the others' futures are pending while their event loops run.
  if (rank === 0) await new Promise((r) => setTimeout(r, 300));
  const work = dist.allReduce(t, { asyncOp: true });
  const [result] = await work.getFuture();
  clearInterval(timer);
  if (result !== t) failures.push('getFuture: resolved with another tensor');
  check('allReduce through getFuture', t, fold('sum', [200_000], 'float32', seed), [200_000]);
  if (rank !== 0 && ticks < 5) failures.push(`the event loop ran only ${ticks} timer ticks during an async collective`);
  const b = dist.barrier({ asyncOp: true });
  await b.getFuture();
}

// Small allreduces take a fused path (the data travels with the header, each rank reduces
// locally) up to a limit that depends on the world size (2 MiB on 2 ranks, 4 MiB / world beyond);
// larger ones Gloo's ring. Every op and dtype at sizes on both sides of those limits.
{
  const sizes = [1, 1000, 65_536, 349_520, 349_521, 524_288, 524_289];
  for (const n of sizes) {
    for (const dtype of ['float32', 'int32'] as const) {
      for (const op of ['sum', 'avg', 'max', 'min', 'product'] as const) {
        if (op === 'avg' && dtype !== 'float32') continue;
        seed++;
        const t = input(rank, [n], dtype, seed);
        dist.allReduce(t, { op });
        check(`allReduce ${op} ${dtype}[${n}] (limits)`, t, fold(op, [n], dtype, seed), [n]);
      }
    }
  }
}

// A synchronous allreduce called while asynchronous ones are in flight runs after them, in order.
{
  const pending: [dist.Work, Tensor, number][] = [];
  for (const n of [10, 600_000]) {
    seed++;
    const t = input(rank, [n], 'float32', seed);
    pending.push([dist.allReduce(t, { asyncOp: true }), t, seed]);
  }
  seed++;
  const s = input(rank, [10], 'float32', seed);
  dist.allReduce(s, { op: 'max' });
  check('sync allReduce behind async ones', s, fold('max', [10], 'float32', seed), [10]);
  for (const [w, t, sd] of pending) {
    w.wait();
    const shape = [...t.shape];
    check(`async allReduce ${sd} before a sync one`, t, fold('sum', shape, 'float32', sd), shape);
  }
}

// A mismatch between a small (fused) and a large (ring) allreduce, and between a small allreduce
// and a broadcast: every rank fails, no tensor is written, the group stays usable.
{
  const shape = rank === 1 ? [8] : [600_000];
  const t = input(rank, shape, 'float32', 5);
  try {
    dist.allReduce(t);
    failures.push('small/large allReduce mismatch: no error');
  } catch (e) {
    const m = (e as Error).message;
    if (!/allReduce: the ranks disagree/.test(m) || !m.includes('[8]') || !m.includes('[600000]')) {
      failures.push(`small/large allReduce mismatch: unexpected error ${m}`);
    }
  }
  check('a tensor after a small/large mismatch', t, input(rank, shape, 'float32', 5).data as TypedArray, shape);
  const u = input(rank, [5], 'float32', 6);
  try {
    if (rank === 0) dist.allReduce(u);
    else dist.broadcast(u, 0);
    failures.push('allReduce/broadcast mismatch: no error');
  } catch (e) {
    const m = (e as Error).message;
    const mine = rank === 0 ? 'allReduce' : 'broadcast';
    if (
      !m.startsWith(`${mine}: the ranks disagree`) ||
      !m.includes('allReduce (sum) of float32 [5]') ||
      !m.includes('broadcast from rank 0 of float32 [5]')
    ) {
      failures.push(`allReduce/broadcast mismatch: unexpected error ${m}`);
    }
  }
  check('a tensor after an allReduce/broadcast mismatch', u, input(rank, [5], 'float32', 6).data as TypedArray, [5]);
}

// A rank whose tensor disagrees: every rank fails with the same clear error, and the group stays usable.
{
  const shape = rank === 1 ? [3, 2] : [2, 3];
  try {
    dist.allReduce(input(rank, shape, 'float32', 1));
    failures.push('shape mismatch: no error');
  } catch (e) {
    const m = (e as Error).message;
    if (!/allReduce: the ranks disagree/.test(m) || !m.includes('[3, 2]') || !m.includes('[2, 3]')) {
      failures.push(`shape mismatch: unexpected error ${m}`);
    }
  }
  try {
    dist.broadcast(input(rank, [4], rank === 0 ? 'int32' : 'float32', 1), 0);
    failures.push('dtype mismatch: no error');
  } catch (e) {
    const m = (e as Error).message;
    if (!/broadcast: the ranks disagree/.test(m) || !m.includes('int32') || !m.includes('float32')) {
      failures.push(`dtype mismatch: unexpected error ${m}`);
    }
  }
  seed++;
  const t = input(rank, [7], 'float32', seed);
  dist.allReduce(t);
  check('allReduce after a mismatch', t, fold('sum', [7], 'float32', seed), [7]);
}

report({ rank, world, checks, failures, size: dist.getWorldSize(), initialized: dist.isInitialized() });
dist.destroyProcessGroup();
