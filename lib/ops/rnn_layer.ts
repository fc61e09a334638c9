// One recurrent layer in one direction, as one recorded op: given the input projection of every
// time step (xproj = x W_ihᵀ + b_ih, computed by the caller as one GEMM over [T*B, I]) it runs the
// recurrence: per step one GEMM for h W_hhᵀ (+ b_hh) and one fused native kernel for the gate
// non-linearities and the state update (native rnnCell: LSTM, GRU; the Elman RNN uses the native
// tanh/relu). The backward is written out (BPTT): per step the fused gate-gradient kernel and one
// GEMM for the gradient into the previous state; dW_hh for all steps is one GEMM at the end.
// First-order gradients only.
//
// Output: one tensor [T + S, B, H]: rows 0..T-1 are the per-step outputs (zero at padded steps),
// row T the final h, row T+1 the final c (LSTM). With `lengths`, steps t >= lengths[b] leave
// sequence b's state unchanged (reverse direction: its state starts at h0 on step lengths[b]-1),
// so padding never reaches the final states.
// Gate layouts are PyTorch's: LSTM i,f,g,o; GRU r,z,n (n = tanh(x_n + r * (h W_hn + b_hn))).
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { BinaryOp, native, RnnCellOp, UnaryOp } from '../native.js';
import { Storage, Tensor } from '../tensor.js';
import { contiguousRaw } from '../raw/elementwise.js';

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

/** A contiguous copy of a tensor's elements as a fresh Float32Array. */
function floats(t: Tensor): Float32Array {
  const c = contiguousRaw(t);
  return f32(c).slice(c.offset, c.offset + c.numel());
}

interface Saved {
  T: number;
  B: number;
  H: number;
  G: number;
  act: Float32Array; // activated gates [T,B,G] (RNN: the new h)
  hprev: Float32Array; // state entering step t [T,B,H]
  cprev: Float32Array | null; // LSTM: cell entering step t
  extra: Float32Array | null; // LSTM: tanh(c_t); GRU: h W_hn + b_hn
}

/** Copies row r of `from` (rows of n from fromOff) into `to` (from toOff). */
function copyRow(to: Float32Array, toOff: number, from: Float32Array, fromOff: number, r: number, n: number): void {
  to.set(from.subarray(fromOff + r * n, fromOff + (r + 1) * n), toOff + r * n);
}

const recurrentOp = defineOp({
  name: 'recurrentLayer',
  forward(
    // st is set whenever an input needs a gradient: the only case in which the backward runs.
    ctx: OpContext<{ cfg: LayerConfig; hasC: boolean; hasBias: boolean; st: Saved }>,
    xproj: Tensor,
    h0: Tensor,
    c0: Tensor | null,
    whh: Tensor,
    bhh: Tensor | null,
    cfg: LayerConfig,
  ) {
    const [T, B, G] = xproj.shape;
    const H = h0.shape[1];
    const { mode, reverse, lengths } = cfg;
    const xc = contiguousRaw(xproj);
    const xp = f32(xc);
    const xo = xc.offset;
    const wc = contiguousRaw(whh);
    const w = f32(wc);
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
    const gh = new Float32Array(B * G); // h W_hhᵀ + b_hh (GRU), or the whole pre-activation
    const hNew = new Float32Array(B * H);
    const cNew = c ? new Float32Array(B * H) : null;
    // LSTM/RNN: x_t + b_hh for every step at once (GRU needs h W_hn + b_hn apart).
    let xb = xp;
    let xbo = xo;
    if (b && mode !== 'gru') {
      xb = new Float32Array(T * B * G);
      xbo = 0;
      native.binary(BinaryOp.add, [T * B, G], xb, 0, [G, 1], xp, xo, [G, 1], b, 0, [0, 1]);
    }
    for (let s = 0; s < T; s++) {
      const t = reverse ? T - 1 - s : s;
      const xbase = t * B * G; // into xproj
      const abase = keep ? xbase : 0; // into act
      const hbase = t * B * H; // into out, hprev, cprev
      const ebase = keep ? hbase : 0; // into extra
      if (hprev) hprev.set(h, hbase);
      if (cprev) cprev.set(c!, hbase);
      if (mode === 'gru') {
        if (b) for (let r = 0; r < B; r++) gh.set(b, r * G);
        native.gemm(false, true, B, G, H, 1, h, 0, H, w, wc.offset, H, b ? 1 : 0, gh, 0, G);
        native.rnnCell(RnnCellOp.gruForward, B, H, xp, xo + xbase, gh, 0, h, 0, act, abase, hNew, 0);
        for (let r = 0; r < B; r++) extra!.set(gh.subarray(r * G + 2 * H, r * G + 3 * H), ebase + r * H);
      } else {
        gh.set(xb.subarray(xbo + xbase, xbo + xbase + B * G));
        native.gemm(false, true, B, G, H, 1, h, 0, H, w, wc.offset, H, 1, gh, 0, G);
        if (mode === 'lstm') {
          native.rnnCell(RnnCellOp.lstmForward, B, H, gh, 0, c!, 0, act, abase, cNew!, 0, extra!, ebase, hNew, 0);
        } else {
          native.unary(mode === 'tanh' ? UnaryOp.tanh : UnaryOp.relu, [B, G], act, abase, [G, 1], gh, 0, [G, 1]);
          hNew.set(act.subarray(abase, abase + B * H));
        }
      }
      // The new state; steps past a sequence's length leave its state as it is (output 0).
      if (!lengths) {
        h.set(hNew);
        if (c) c.set(cNew!);
        out.set(hNew, hbase);
      } else {
        for (let r = 0; r < B; r++) {
          if (t >= lengths[r]) continue;
          copyRow(h, 0, hNew, 0, r, H);
          if (c) copyRow(c, 0, cNew!, 0, r, H);
          copyRow(out, hbase, hNew, 0, r, H);
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
    const { mode, reverse, lengths } = ctx.cfg;
    const { T, B, H, G, act, hprev, cprev, extra } = ctx.st;
    const gc = contiguousRaw(grad);
    const gd = f32(gc);
    const go = gc.offset;
    const dh = gd.slice(go + T * B * H, go + (T + 1) * B * H);
    const dc = ctx.hasC ? gd.slice(go + (T + 1) * B * H, go + (T + 2) * B * H) : null;
    const dgx = new Float32Array(T * B * G);
    const dgh = mode === 'gru' ? new Float32Array(T * B * G) : dgx;
    const dht = new Float32Array(B * H); // total gradient of h_t
    const dhNext = new Float32Array(B * H); // gradient of h_{t-1}
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      const abase = t * B * G;
      const hbase = t * B * H;
      for (let i = 0; i < B * H; i++) dht[i] = dh[i] + gd[go + hbase + i];
      // Rows [r0, r0 + n) of this step through the fused kernel (dhNext: the direct part).
      const cell = (r0: number, n: number) => {
        const ra = abase + r0 * G;
        const rh = r0 * H;
        if (mode === 'lstm') {
          native.rnnCell(
            RnnCellOp.lstmBackward,
            n,
            H,
            act,
            ra,
            extra!,
            hbase + rh,
            cprev!,
            hbase + rh,
            dht,
            rh,
            dc!,
            rh,
            dgx,
            ra,
          );
          dhNext.fill(0, rh, rh + n * H);
        } else if (mode === 'gru') {
          native.rnnCell(
            RnnCellOp.gruBackward,
            n,
            H,
            act,
            ra,
            extra!,
            hbase + rh,
            hprev,
            hbase + rh,
            dht,
            rh,
            dgx,
            ra,
            dgh,
            ra,
            dhNext,
            rh,
          );
        } else {
          for (let i = 0; i < n * H; i++) {
            const y = act[ra + i];
            dgx[ra + i] = mode === 'tanh' ? dht[rh + i] * (1 - y * y) : y > 0 ? dht[rh + i] : 0;
          }
          dhNext.fill(0, rh, rh + n * H);
        }
      };
      if (!lengths) cell(0, B);
      else {
        for (let r = 0; r < B; r++) {
          if (t < lengths[r]) cell(r, 1);
          else copyRow(dhNext, 0, dh, 0, r, H); // state passed through unchanged; dc too
        }
      }
      // dh_{t-1} = direct part + dgh_t W_hh (rows of padded steps are zero in dgh).
      native.gemm(false, false, B, H, G, 1, dgh, abase, G, f32(wc), wc.offset, H, 1, dhNext, 0, H);
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
export function recurrentLayer(
  xproj: Tensor,
  h0: Tensor,
  c0: Tensor | null,
  whh: Tensor,
  bhh: Tensor | null,
  cfg: LayerConfig,
): Tensor {
  return recurrentOp(xproj, h0, c0, whh, bhh, cfg);
}
