// One recurrent layer in one direction, as one recorded op: given the input projection of every
// time step (xproj = x W_ihᵀ + b_ih, computed by the caller as one GEMM over [T*B, I]) it runs the
// recurrence: per step one GEMM for h W_hhᵀ (+ b_hh) and a fused loop for the gate non-linearities
// and the state update. The backward is written out (BPTT): per step the fused gate gradients and
// one GEMM for the gradient into the previous state; dW_hh for all steps is one GEMM at the end.
// The gate non-linearities run through the native vectorised sigmoid/tanh kernels (strided over
// the gate columns); the cheap products of the state update and of the backward are TypeScript
// loops (no dedicated native cell kernel yet). First-order gradients only.
//
// Output: one tensor [T + S, B, H]: rows 0..T-1 are the per-step outputs (zero at padded steps),
// row T the final h, row T+1 the final c (LSTM). With `lengths`, steps t >= lengths[b] leave
// sequence b's state unchanged (reverse direction: its state starts at h0 on step lengths[b]-1),
// so padding never reaches the final states.
// Gate layouts are PyTorch's: LSTM i,f,g,o; GRU r,z,n (n = tanh(x_n + r * (h W_hn + b_hn))).
import { defineOp } from '../autograd/define_op.js';
import { BinaryOp, native, UnaryOp } from '../native.js';
import { Storage, Tensor } from '../tensor.js';
import { contiguousRaw } from './raw.js';

export type CellMode = 'tanh' | 'relu' | 'lstm' | 'gru';

export function gateCount(mode: CellMode): number {
  return mode === 'lstm' ? 4 : mode === 'gru' ? 3 : 1;
}

export interface LayerConfig {
  mode: CellMode;
  reverse: boolean;
  /** Per-sequence lengths (1..T), or null when every sequence has all T steps. */
  lengths: Int32Array | null;
}

function f32(t: Tensor): Float32Array {
  return t.storage.data as Float32Array;
}

/** A contiguous copy of a contiguous-able tensor's elements as a fresh Float32Array. */
function floats(t: Tensor): Float32Array {
  const c = contiguousRaw(t);
  return f32(c).slice(c.offset, c.offset + c.numel());
}

interface Saved {
  T: number; B: number; H: number; G: number;
  act: Float32Array; // activated gates [T,B,G] (RNN: the new h)
  hprev: Float32Array; // state entering step t [T,B,H]
  cprev: Float32Array | null; // LSTM: cell entering step t
  extra: Float32Array | null; // LSTM: tanh(c_t); GRU: h W_hn + b_hn
}

// LSTM state update of step t (monomorphic, so the JIT keeps it tight): c = tmp, h = o * tanh(c).
// act/tanhC hold this step's values from abase/ebase; the outputs go to out from t * B * H.
function lstmStepUpdate(
  t: number, B: number, H: number, act: Float32Array, abase: number, tanhC: Float32Array, ebase: number,
  cNew: Float32Array, c: Float32Array, h: Float32Array, out: Float32Array, lengths: Int32Array | null,
): void {
  const G = 4 * H;
  for (let r = 0; r < B; r++) {
    if (lengths !== null && t >= lengths[r]) continue;
    const ar = abase + r * G + 3 * H;
    const er = ebase + r * H;
    const hr = r * H;
    const yr = (t * B + r) * H;
    for (let j = 0; j < H; j++) {
      const hN = act[ar + j] * tanhC[er + j];
      c[hr + j] = cNew[hr + j];
      h[hr + j] = hN;
      out[yr + j] = hN;
    }
  }
}

// LSTM gate gradients of step t into dgx; dc becomes the gradient of the previous cell, dhNext
// the direct part of the previous h's gradient (padded rows pass dh through).
function lstmStepBackward(
  t: number, B: number, H: number, act: Float32Array, tanhC: Float32Array, cprev: Float32Array,
  gd: Float32Array, go: number, dh: Float32Array, dc: Float32Array, dgx: Float32Array, dhNext: Float32Array,
  lengths: Int32Array | null,
): void {
  const G = 4 * H;
  for (let r = 0; r < B; r++) {
    const hr = r * H;
    if (lengths !== null && t >= lengths[r]) {
      for (let j = 0; j < H; j++) dhNext[hr + j] = dh[hr + j];
      continue;
    }
    const ar = (t * B + r) * G;
    const er = (t * B + r) * H;
    for (let j = 0; j < H; j++) {
      const dht = dh[hr + j] + gd[go + er + j];
      const i = act[ar + j];
      const f = act[ar + H + j];
      const g = act[ar + 2 * H + j];
      const o = act[ar + 3 * H + j];
      const tc = tanhC[er + j];
      const dct = dc[hr + j] + dht * o * (1 - tc * tc);
      dgx[ar + j] = dct * g * i * (1 - i);
      dgx[ar + H + j] = dct * cprev[er + j] * f * (1 - f);
      dgx[ar + 2 * H + j] = dct * i * (1 - g * g);
      dgx[ar + 3 * H + j] = dht * tc * o * (1 - o);
      dc[hr + j] = dct * f;
      dhNext[hr + j] = 0;
    }
  }
}

const recurrentOp = defineOp({
  name: 'recurrentLayer',
  forward(ctx, xproj: Tensor, h0: Tensor, c0: Tensor | null, whh: Tensor, bhh: Tensor | null, cfg: LayerConfig) {
    const [T, B, G] = xproj.shape;
    const H = h0.shape[1];
    const { mode, reverse, lengths } = cfg;
    const xc = contiguousRaw(xproj);
    const xp = f32(xc);
    const xo = xc.offset;
    const wc = contiguousRaw(whh);
    const b = bhh ? floats(bhh) : null;
    const h = floats(h0);
    const c = c0 ? floats(c0) : null;
    const S = c ? 2 : 1;
    const out = new Float32Array((T + S) * B * H);
    // What the backward needs is kept for every step only when there will be a backward.
    const keep = ctx.needsInputGrad.some((n) => n);
    const steps = keep ? T : 1;
    const act = new Float32Array(steps * B * G);
    const hprev = keep ? new Float32Array(T * B * H) : null;
    const cprev = c && keep ? new Float32Array(T * B * H) : null;
    const extra = mode === 'lstm' || mode === 'gru' ? new Float32Array(steps * B * H) : null;
    const gh = new Float32Array(B * G); // GRU: h W_hhᵀ + b_hh
    const pre = new Float32Array(B * G); // pre-activations of a step
    const tmp = new Float32Array(B * H); // LSTM: new cell; GRU: pre-activation of n
    // x_t + b_hh for every step at once (LSTM/RNN; GRU needs b_hn apart).
    let xb = xp;
    let xbo = xo;
    if (b && mode !== 'gru') {
      xb = new Float32Array(T * B * G);
      xbo = 0;
      native.binary(BinaryOp.add, [T * B, G], xb, 0, [G, 1], xp, xo, [G, 1], b, 0, [0, 1]);
    }
    const row = [G, 1];
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const xbase = t * B * G; // into xproj
      const base = keep ? xbase : 0; // into act
      const hbase = t * B * H; // into out
      const ebase = keep ? hbase : 0; // into extra
      if (hprev) hprev.set(h, hbase);
      if (cprev) cprev.set(c!, hbase);
      if (mode === 'gru') {
        if (b) for (let r = 0; r < B; r++) gh.set(b, r * G);
        native.gemm(false, true, B, G, H, 1, h, 0, H, f32(wc), wc.offset, H, b ? 1 : 0, gh, 0, G);
        for (let r = 0; r < B; r++) for (let j = 0; j < 2 * H; j++) pre[r * G + j] = xp[xo + xbase + r * G + j] + gh[r * G + j];
        native.unary(UnaryOp.sigmoid, [B, 2 * H], act, base, row, pre, 0, row);
        for (let r = 0; r < B; r++) {
          for (let j = 0; j < H; j++) {
            const ghn = gh[r * G + 2 * H + j];
            extra![ebase + r * H + j] = ghn;
            tmp[r * H + j] = xp[xo + xbase + r * G + 2 * H + j] + act[base + r * G + j] * ghn;
          }
        }
        native.unary(UnaryOp.tanh, [B, H], act, base + 2 * H, row, tmp, 0, [H, 1]);
      } else {
        pre.set(xb.subarray(xbo + xbase, xbo + xbase + B * G));
        native.gemm(false, true, B, G, H, 1, h, 0, H, f32(wc), wc.offset, H, 1, pre, 0, G);
        if (mode === 'lstm') {
          native.unary(UnaryOp.sigmoid, [B, G], act, base, row, pre, 0, row);
          native.unary(UnaryOp.tanh, [B, H], act, base + 2 * H, row, pre, 2 * H, row);
          for (let r = 0; r < B; r++) {
            const ar = base + r * G;
            for (let j = 0; j < H; j++) tmp[r * H + j] = act[ar + H + j] * c![r * H + j] + act[ar + j] * act[ar + 2 * H + j];
          }
          native.unary(UnaryOp.tanh, [B, H], extra!, ebase, [H, 1], tmp, 0, [H, 1]);
        } else {
          native.unary(mode === 'tanh' ? UnaryOp.tanh : UnaryOp.relu, [B, G], act, base, row, pre, 0, row);
        }
      }
      // State update; steps past a sequence's length leave its state as it is.
      if (mode === 'lstm') lstmStepUpdate(t, B, H, act, base, extra!, ebase, tmp, c!, h, out, lengths);
      else for (let r = 0; r < B; r++) {
        if (lengths && t >= lengths[r]) continue;
        const ar = base + r * G;
        const hr = r * H;
        const yr = hbase + r * H;
        for (let j = 0; j < H; j++) {
          let hN: number;
          if (mode === 'gru') {
            const z = act[ar + H + j];
            hN = (1 - z) * act[ar + 2 * H + j] + z * h[hr + j];
          } else {
            hN = act[ar + j];
          }
          h[hr + j] = hN;
          out[yr + j] = hN;
        }
      }
    }
    out.set(h, T * B * H);
    if (c) out.set(c, (T + 1) * B * H);
    ctx.save(wc);
    ctx.cfg = cfg;
    ctx.hasC = c !== null;
    ctx.hasBias = b !== null;
    if (keep) ctx.st = { T, B, H, G, act, hprev: hprev!, cprev, extra } satisfies Saved;
    return new Tensor(new Storage(out), [T + S, B, H]);
  },
  backward(ctx, grad) {
    const [wc] = ctx.saved;
    const { mode, reverse, lengths } = ctx.cfg as LayerConfig;
    const { T, B, H, G, act, hprev, cprev, extra } = ctx.st as Saved;
    const gc = contiguousRaw(grad);
    const gd = f32(gc);
    const go = gc.offset;
    const dh = gd.slice(go + T * B * H, go + (T + 1) * B * H);
    const dc = ctx.hasC ? gd.slice(go + (T + 1) * B * H, go + (T + 2) * B * H) : null;
    const dgx = new Float32Array(T * B * G);
    const dgh = mode === 'gru' ? new Float32Array(T * B * G) : dgx;
    const dhNext = new Float32Array(B * H);
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      if (mode === 'lstm') lstmStepBackward(t, B, H, act, extra!, cprev!, gd, go, dh, dc!, dgx, dhNext, lengths);
      else for (let r = 0; r < B; r++) {
        const hr = r * H;
        if (lengths && t >= lengths[r]) {
          for (let j = 0; j < H; j++) dhNext[hr + j] = dh[hr + j];
          continue; // state passed through unchanged; dc too
        }
        const ar = (t * B + r) * G;
        const er = (t * B + r) * H;
        for (let j = 0; j < H; j++) {
          const dht = dh[hr + j] + gd[go + er + j];
          if (mode === 'gru') {
            const rg = act[ar + j], z = act[ar + H + j], n = act[ar + 2 * H + j];
            const dn = dht * (1 - z) * (1 - n * n);
            const dz = dht * (hprev[er + j] - n) * z * (1 - z);
            const dr = dn * extra![er + j] * rg * (1 - rg);
            dgx[ar + j] = dr; dgx[ar + H + j] = dz; dgx[ar + 2 * H + j] = dn;
            dgh[ar + j] = dr; dgh[ar + H + j] = dz; dgh[ar + 2 * H + j] = dn * rg;
            dhNext[hr + j] = dht * z;
          } else {
            const y = act[ar + j];
            dgx[ar + j] = mode === 'tanh' ? dht * (1 - y * y) : y > 0 ? dht : 0;
            dhNext[hr + j] = 0;
          }
        }
      }
      // dh_{prev} = direct part + dgh_t W_hh (rows of padded steps are zero in dgh).
      native.gemm(false, false, B, H, G, 1, dgh, t * B * G, G, f32(wc), wc.offset, H, 1, dhNext, 0, H);
      dh.set(dhNext);
    }
    const need = ctx.needsInputGrad;
    const grads: (Tensor | null)[] = [need[0] ? new Tensor(new Storage(dgx), [T, B, G]) : null];
    grads.push(need[1] ? new Tensor(new Storage(dh), [B, H]) : null);
    let k = 2;
    if (ctx.hasC) grads.push(need[k++] ? new Tensor(new Storage(dc!), [B, H]) : null);
    if (need[k]) {
      const dw = new Float32Array(G * H);
      native.gemm(true, false, G, H, T * B, 1, dgh, 0, G, hprev, 0, H, 0, dw, 0, H);
      grads.push(new Tensor(new Storage(dw), [G, H]));
    } else grads.push(null);
    k++;
    if (ctx.hasBias) {
      if (need[k]) {
        const db = new Float32Array(G);
        for (let i = 0; i < T * B; i++) for (let j = 0; j < G; j++) db[j] += dgh[i * G + j];
        grads.push(new Tensor(new Storage(db), [G]));
      } else grads.push(null);
    }
    return grads;
  },
});

/**
 * Runs one layer-direction. xproj [T, B, G*H], h0/c0 [B, H], whh [G*H, H], bhh [G*H] or null.
 * Returns [T + S, B, H] (see the file comment).
 */
export function recurrentLayer(xproj: Tensor, h0: Tensor, c0: Tensor | null, whh: Tensor, bhh: Tensor | null, cfg: LayerConfig): Tensor {
  return recurrentOp(xproj, h0, c0, whh, bhh, cfg);
}
