// Batch and layer normalisation, each one op with its backward beside it (statistics in float64,
// one pass over the data for the sums, one to write). batchNorm works on [N, C, *] for every
// rank (BatchNorm1d/2d/3d); layerNorm normalises over the trailing normalizedShape dims.
import { defineOp } from '../autograd/define_op.js';
import { formatShape } from '../shape.js';
import { Storage, Tensor } from '../tensor.js';
import { floatValues } from './activation.js';

function f32(t: Tensor): Float32Array {
  return new Float32Array(t.numel());
}

function wrap(data: Float32Array, shape: readonly number[]): Tensor {
  return new Tensor(new Storage(data), shape);
}

/** Whole-storage Float32Array of a contiguous buffer tensor (running stats are updated in place). */
function bufferView(op: string, name: string, t: Tensor, C: number): Float32Array {
  if (!(t instanceof Tensor) || t.dtype !== 'float32') throw new TypeError(`${op}: ${name} must be a float32 tensor`);
  if (t.ndim !== 1 || t.shape[0] !== C) throw new RangeError(`${op}: ${name} must have shape [${C}], got ${formatShape(t.shape)}`);
  if (!t.isContiguous()) throw new RangeError(`${op}: ${name} must be contiguous`);
  return (t.storage.data as Float32Array).subarray(t.offset, t.offset + C);
}

// ---- batchNorm --------------------------------------------------------------------------

interface BatchNormPlan {
  /** Normalise with the batch's statistics (and update the running ones when given). */
  useBatchStats: boolean;
  runningMean: Tensor | null;
  runningVar: Tensor | null;
  momentum: number;
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
}

const batchNormOp = defineOp({
  name: 'batchNorm',
  forward(ctx, x: Tensor, plan: BatchNormPlan, ...params: Tensor[]) {
    const weight = plan.hasWeight ? params[0] : null;
    const bias = plan.hasBias ? params[plan.hasWeight ? 1 : 0] : null;
    const N = x.shape[0];
    const C = x.shape[1];
    const inner = x.numel() / Math.max(1, N * C);
    const M = N * inner;
    const xv = floatValues(x);
    const mean = new Float64Array(C);
    const invstd = new Float64Array(C);
    if (plan.useBatchStats) {
      const sq = new Float64Array(C);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const base = (n * C + c) * inner;
          let s = 0;
          for (let i = 0; i < inner; i++) s += xv[base + i];
          mean[c] += s;
        }
      }
      for (let c = 0; c < C; c++) mean[c] /= M;
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const base = (n * C + c) * inner;
          const m = mean[c];
          let s = 0;
          for (let i = 0; i < inner; i++) {
            const d = xv[base + i] - m;
            s += d * d;
          }
          sq[c] += s;
        }
      }
      for (let c = 0; c < C; c++) invstd[c] = 1 / Math.sqrt(sq[c] / M + plan.eps);
      if (plan.runningMean && plan.runningVar) {
        // Running variance uses the unbiased estimate; normalisation the biased one (torch).
        const rm = bufferView('batchNorm', 'runningMean', plan.runningMean, C);
        const rv = bufferView('batchNorm', 'runningVar', plan.runningVar, C);
        const mom = plan.momentum;
        for (let c = 0; c < C; c++) {
          rm[c] = (1 - mom) * rm[c] + mom * mean[c];
          rv[c] = (1 - mom) * rv[c] + (mom * sq[c]) / (M - 1);
        }
        plan.runningMean.storage.version++;
        plan.runningVar.storage.version++;
      }
    } else {
      const rm = bufferView('batchNorm', 'runningMean', plan.runningMean!, C);
      const rv = bufferView('batchNorm', 'runningVar', plan.runningVar!, C);
      for (let c = 0; c < C; c++) {
        mean[c] = rm[c];
        invstd[c] = 1 / Math.sqrt(rv[c] + plan.eps);
      }
    }
    const w = weight ? floatValues(weight) : null;
    const b = bias ? floatValues(bias) : null;
    const out = f32(x);
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * inner;
        const scale = invstd[c] * (w ? w[c] : 1);
        const shift = (b ? b[c] : 0) - mean[c] * scale;
        for (let i = 0; i < inner; i++) out[base + i] = xv[base + i] * scale + shift;
      }
    }
    ctx.save(x, ...(weight ? [weight] : []));
    ctx.mean = mean;
    ctx.invstd = invstd;
    ctx.plan = plan;
    return wrap(out, x.shape);
  },
  backward(ctx, grad) {
    const plan = ctx.plan as BatchNormPlan;
    const [x, weight] = ctx.saved;
    const mean = ctx.mean as Float64Array;
    const invstd = ctx.invstd as Float64Array;
    const N = x.shape[0];
    const C = x.shape[1];
    const inner = x.numel() / Math.max(1, N * C);
    const M = N * inner;
    const xv = floatValues(x);
    const g = floatValues(grad);
    const w = plan.hasWeight ? floatValues(weight) : null;
    const sumG = new Float64Array(C);
    const sumGX = new Float64Array(C); // sum of g * xhat
    for (let n = 0; n < N; n++) {
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * inner;
        const m = mean[c];
        let sg = 0;
        let sgx = 0;
        for (let i = 0; i < inner; i++) {
          sg += g[base + i];
          sgx += g[base + i] * (xv[base + i] - m);
        }
        sumG[c] += sg;
        sumGX[c] += sgx * invstd[c];
      }
    }
    const [needX, ...needParams] = ctx.needsInputGrad;
    let dx: Tensor | null = null;
    if (needX) {
      const out = f32(x);
      for (let n = 0; n < N; n++) {
        for (let c = 0; c < C; c++) {
          const base = (n * C + c) * inner;
          const k = invstd[c] * (w ? w[c] : 1);
          const m = mean[c];
          if (plan.useBatchStats) {
            const gMean = sumG[c] / M;
            const gxMean = (sumGX[c] / M) * invstd[c];
            for (let i = 0; i < inner; i++) out[base + i] = k * (g[base + i] - gMean - (xv[base + i] - m) * gxMean);
          } else {
            for (let i = 0; i < inner; i++) out[base + i] = k * g[base + i];
          }
        }
      }
      dx = wrap(out, x.shape);
    }
    const grads: (Tensor | null)[] = [dx];
    let k = 0;
    if (plan.hasWeight) grads.push(needParams[k++] ? wrap(Float32Array.from(sumGX), [C]) : null);
    if (plan.hasBias) grads.push(needParams[k++] ? wrap(Float32Array.from(sumG), [C]) : null);
    return grads;
  },
});

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  /** Batch statistics (and a running-stats update) when true; running statistics when false. */
  training?: boolean;
  momentum?: number;
  eps?: number;
}

/**
 * torch.nn.functional.batch_norm over input [N, C, *]. In training the running statistics
 * (when given) are updated in place: mean and the unbiased variance, weighted by momentum.
 */
export function batchNorm(input: Tensor, runningMean: Tensor | null, runningVar: Tensor | null, options: BatchNormOptions = {}): Tensor {
  const op = 'batchNorm';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${typeof input}`);
  if (input.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 input, got ${input.dtype}`);
  if (input.ndim < 2) throw new RangeError(`${op}: input must have shape [N, C, *], got ${formatShape(input.shape)}`);
  const training = options.training ?? false;
  const momentum = options.momentum ?? 0.1;
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be non-negative, got ${eps}`);
  if (!Number.isFinite(momentum)) throw new RangeError(`${op}: momentum must be a finite number, got ${momentum}`);
  const C = input.shape[1];
  if ((runningMean === null) !== (runningVar === null)) throw new TypeError(`${op}: runningMean and runningVar must both be given or both be null`);
  if (runningMean) bufferView(op, 'runningMean', runningMean, C);
  if (runningVar) bufferView(op, 'runningVar', runningVar, C);
  if (!training && !runningMean) throw new TypeError(`${op}: running statistics are required when training is false`);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    if (!(t instanceof Tensor) || t.dtype !== 'float32') throw new TypeError(`${op}: ${name} must be a float32 tensor`);
    if (t.ndim !== 1 || t.shape[0] !== C) throw new RangeError(`${op}: ${name} of shape ${formatShape(t.shape)} does not match the ${C} channels of input ${formatShape(input.shape)}`);
  }
  if (training && input.numel() / Math.max(1, C) <= 1) {
    throw new RangeError(`${op}: expected more than 1 value per channel when training, got input of shape ${formatShape(input.shape)}`);
  }
  const plan: BatchNormPlan = {
    useBatchStats: training, runningMean, runningVar, momentum, eps, hasWeight: weight !== null, hasBias: bias !== null,
  };
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  return batchNormOp(input, plan, ...params);
}

// ---- layerNorm --------------------------------------------------------------------------

interface LayerNormPlan {
  eps: number;
  hasWeight: boolean;
  hasBias: boolean;
  /** Elements per normalised row. */
  D: number;
  /** The number of normalised (trailing) dims: the rank of weight and bias. */
  paramDims: number;
}

const layerNormOp = defineOp({
  name: 'layerNorm',
  forward(ctx, x: Tensor, plan: LayerNormPlan, ...params: Tensor[]) {
    const { D, eps } = plan;
    const rows = D === 0 ? 0 : x.numel() / D;
    const xv = floatValues(x);
    const weight = plan.hasWeight ? params[0] : null;
    const w = weight ? floatValues(weight) : null;
    const b = plan.hasBias ? floatValues(params[plan.hasWeight ? 1 : 0]) : null;
    const out = f32(x);
    const mean = new Float64Array(rows);
    const invstd = new Float64Array(rows);
    for (let r = 0; r < rows; r++) {
      const base = r * D;
      let s = 0;
      for (let j = 0; j < D; j++) s += xv[base + j];
      const m = s / D;
      let sq = 0;
      for (let j = 0; j < D; j++) {
        const d = xv[base + j] - m;
        sq += d * d;
      }
      const is = 1 / Math.sqrt(sq / D + eps);
      mean[r] = m;
      invstd[r] = is;
      for (let j = 0; j < D; j++) {
        const xhat = (xv[base + j] - m) * is;
        out[base + j] = (w ? xhat * w[j] : xhat) + (b ? b[j] : 0);
      }
    }
    ctx.save(x, ...(weight ? [weight] : []));
    ctx.mean = mean;
    ctx.invstd = invstd;
    ctx.plan = plan;
    return wrap(out, x.shape);
  },
  backward(ctx, grad) {
    const plan = ctx.plan as LayerNormPlan;
    const { D } = plan;
    const [x, first] = ctx.saved;
    const mean = ctx.mean as Float64Array;
    const invstd = ctx.invstd as Float64Array;
    const rows = mean.length;
    const xv = floatValues(x);
    const g = floatValues(grad);
    const w = plan.hasWeight ? floatValues(first) : null;
    const [needX, ...needParams] = ctx.needsInputGrad;
    const dw = new Float64Array(D);
    const db = new Float64Array(D);
    const dx = needX ? f32(x) : null;
    for (let r = 0; r < rows; r++) {
      const base = r * D;
      const m = mean[r];
      const is = invstd[r];
      let sumGW = 0;
      let sumGWX = 0;
      for (let j = 0; j < D; j++) {
        const gj = g[base + j];
        const xhat = (xv[base + j] - m) * is;
        const gw = w ? gj * w[j] : gj;
        sumGW += gw;
        sumGWX += gw * xhat;
        dw[j] += gj * xhat;
        db[j] += gj;
      }
      if (dx) {
        const a = sumGW / D;
        const bb = sumGWX / D;
        for (let j = 0; j < D; j++) {
          const xhat = (xv[base + j] - m) * is;
          const gw = w ? g[base + j] * w[j] : g[base + j];
          dx[base + j] = is * (gw - a - xhat * bb);
        }
      }
    }
    const grads: (Tensor | null)[] = [dx ? wrap(dx, x.shape) : null];
    const pshape = x.shape.slice(x.ndim - plan.paramDims);
    let k = 0;
    if (plan.hasWeight) grads.push(needParams[k++] ? wrap(Float32Array.from(dw), pshape) : null);
    if (plan.hasBias) grads.push(needParams[k++] ? wrap(Float32Array.from(db), pshape) : null);
    return grads;
  },
});

export interface LayerNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  eps?: number;
}

/** torch.nn.functional.layer_norm: normalises over the trailing dims given by normalizedShape. */
export function layerNorm(input: Tensor, normalizedShape: number | readonly number[], options: LayerNormOptions = {}): Tensor {
  const op = 'layerNorm';
  if (!(input instanceof Tensor)) throw new TypeError(`${op}: input must be a Tensor, got ${typeof input}`);
  if (input.dtype !== 'float32') throw new TypeError(`${op}: expected a float32 input, got ${input.dtype}`);
  const shape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
  if (shape.length === 0 || shape.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new RangeError(`${op}: normalizedShape must be a non-empty list of sizes, got ${formatShape(shape)}`);
  }
  const k = shape.length;
  const tail = input.shape.slice(input.ndim - k);
  if (input.ndim < k || tail.some((s, i) => s !== shape[i])) {
    throw new RangeError(`${op}: given normalizedShape ${formatShape(shape)}, expected input with shape [*, ${shape.join(', ')}], but got input of shape ${formatShape(input.shape)}`);
  }
  const eps = options.eps ?? 1e-5;
  if (!(eps >= 0)) throw new RangeError(`${op}: eps must be non-negative, got ${eps}`);
  const weight = options.weight ?? null;
  const bias = options.bias ?? null;
  for (const [name, t] of [['weight', weight], ['bias', bias]] as const) {
    if (t === null) continue;
    if (!(t instanceof Tensor) || t.dtype !== 'float32') throw new TypeError(`${op}: ${name} must be a float32 tensor`);
    if (t.ndim !== k || t.shape.some((s, i) => s !== shape[i])) throw new RangeError(`${op}: ${name} of shape ${formatShape(t.shape)} does not match normalizedShape ${formatShape(shape)}`);
  }
  const D = shape.reduce((a, b) => a * b, 1);
  const plan: LayerNormPlan = { eps, hasWeight: weight !== null, hasBias: bias !== null, D, paramDims: k };
  const params = [weight, bias].filter((t): t is Tensor => t !== null);
  return layerNormOp(input, plan, ...params);
}
