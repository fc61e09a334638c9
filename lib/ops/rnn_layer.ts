// One recurrent layer in one direction, as one recorded op: given the input projection of every
// time step (xproj = x W_ihᵀ + b_ih, computed by the caller as one GEMM over [T*B, I]) it runs the
// recurrence: per step one GEMM for h W_hhᵀ (+ b_hh) and one fused native kernel for the gate
// non-linearities and the state update (native rnnCell: LSTM, GRU; the Elman RNN uses the native
// tanh/relu). The backward is written out (BPTT): per step the fused gate-gradient kernel and one
// GEMM for the gradient into the previous state; dW_hh for all steps is one GEMM at the end.
// First-order gradients only.
//
// Output: one flat tensor, the per-step outputs [T, B, P] (zero at padded steps), then the final
// h [B, P], then the final c [B, H] (LSTM); recurrentLayer hands them out as views. P is H but
// for an LSTM with a projection (projSize): there h_t = (o_t * tanh(c_t)) W_hrᵀ, of P elements,
// is both the output and the recurrent state. With `lengths`, steps t >= lengths[b] leave
// sequence b's state unchanged (reverse direction: its state starts at h0 on step lengths[b]-1),
// so padding never reaches the final states.
// Gate layouts are PyTorch's: LSTM i,f,g,o; GRU r,z,n (n = tanh(x_n + r * (h W_hn + b_hn))).
import { defineOp, type OpContext } from '../autograd/define_op.js';
import { BinaryOp, native, RnnCellOp, UnaryOp } from '../native.js';
import { Storage, Tensor } from '../tensor.js';
import { contiguousRaw, storageF32 } from '../raw/elementwise.js';
import { narrow, reshape } from './view.js';
import { hasTangent, isForwardADActive, setTangent, tangentOf, withTangents } from '../autograd/dual_state.js';
import { enableGrad, isGradEnabled } from '../autograd/grad_mode.js';
import { grad } from '../autograd/backward.js';
import { add, mul, sub } from './binary.js';
import { cat, stack } from './join.js';
import { relu, sigmoid, tanh } from './unary.js';
import { matmul } from './matmul.js';
import { zeros } from '../creation.js';
import { autocastsTo } from '../lowp/autocast_ops.js';

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

/** A contiguous copy of a tensor's elements as a fresh Float32Array. */
function floats(t: Tensor): Float32Array {
  const c = contiguousRaw(t);
  return storageF32(c).slice(c.offset, c.offset + c.numel());
}

/** A [rows, cols] weight's transpose, [cols, rows], as a contiguous array of its own. */
function transposedFloats(t: Tensor): Float32Array {
  const view = new Tensor(t.storage, [t.shape[1], t.shape[0]], [t.strides[1], t.strides[0]], t.offset);
  const c = contiguousRaw(view);
  // contiguousRaw's copy is already the array (floats would copy it again); a view it returns
  // as it is (a dimension of 1) is t's own storage, which floats copies.
  return c === view ? floats(view) : storageF32(c);
}

interface Saved {
  T: number;
  B: number;
  H: number;
  P: number;
  G: number;
  act: Float32Array; // activated gates [T,B,G] (RNN: the new h)
  hprev: Float32Array; // state entering step t [T,B,P]
  m: Float32Array | null; // with a projection: o_t * tanh(c_t) [T,B,H], before the projection
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
    ctx: OpContext<{
      cfg: LayerConfig;
      hasC: boolean;
      hasBias: boolean;
      hasProj: boolean;
      st: Saved;
      /** The inputs, for the JVP and the recorded backward. */
      primals?: Inputs;
    }>,
    xproj: Tensor,
    h0: Tensor,
    c0: Tensor | null,
    whh: Tensor,
    bhh: Tensor | null,
    whr: Tensor | null,
    cfg: LayerConfig,
  ) {
    const [T, B, G] = xproj.shape;
    const P = h0.shape[1];
    const H = c0 ? c0.shape[1] : P;
    const { mode, reverse, lengths } = cfg;
    const xc = contiguousRaw(xproj);
    const xp = storageF32(xc);
    const xo = xc.offset;
    const wc = contiguousRaw(whh);
    // The steps multiply by W_hhᵀ (and W_hrᵀ): transposed once here, each step's GEMM reads the
    // rows of B in place (or packs them as they are) instead of transposing W while packing it
    // at every step. The same products, bit for bit.
    const wt = transposedFloats(wc);
    const b = bhh ? floats(bhh) : null;
    const wrt = whr ? transposedFloats(whr) : null;
    const h = floats(h0);
    const c = c0 ? floats(c0) : null;
    const out = new Float32Array((T + 1) * B * P + (c ? B * H : 0));
    // What the backward needs is kept for every step only when there will be a backward.
    const keep = ctx.needsInputGrad.some((n) => n);
    const steps = keep ? T : 1;
    const act = new Float32Array(steps * B * G);
    const hprev = keep ? new Float32Array(T * B * P) : null;
    const cprev = c && keep ? new Float32Array(T * B * H) : null;
    const extra = mode === 'lstm' || mode === 'gru' ? new Float32Array(steps * B * H) : null;
    const mAll = wrt && keep ? new Float32Array(T * B * H) : null;
    const gh = new Float32Array(B * G); // h W_hhᵀ + b_hh (GRU), or the whole pre-activation
    const cellOut = new Float32Array(B * H);
    const hNew = wrt ? new Float32Array(B * P) : cellOut;
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
      const pbase = t * B * P; // into out, hprev
      const hbase = t * B * H; // into cprev, mAll
      const ebase = keep ? hbase : 0; // into extra
      if (hprev) hprev.set(h, pbase);
      if (cprev) cprev.set(c!, hbase);
      if (mode === 'gru') {
        if (b) for (let r = 0; r < B; r++) gh.set(b, r * G);
        native.gemm({
          transA: false,
          transB: false,
          m: B,
          n: G,
          k: H,
          alpha: 1,
          a: h,
          aOffset: 0,
          lda: H,
          b: wt,
          bOffset: 0,
          ldb: G,
          beta: b ? 1 : 0,
          c: gh,
          cOffset: 0,
          ldc: G,
        });
        native.rnnCell(RnnCellOp.gruForward, B, H, xp, xo + xbase, gh, 0, h, 0, act, abase, cellOut, 0);
        for (let r = 0; r < B; r++) extra!.set(gh.subarray(r * G + 2 * H, r * G + 3 * H), ebase + r * H);
      } else {
        gh.set(xb.subarray(xbo + xbase, xbo + xbase + B * G));
        native.gemm({
          transA: false,
          transB: false,
          m: B,
          n: G,
          k: P,
          alpha: 1,
          a: h,
          aOffset: 0,
          lda: P,
          b: wt,
          bOffset: 0,
          ldb: G,
          beta: 1,
          c: gh,
          cOffset: 0,
          ldc: G,
        });
        if (mode === 'lstm') {
          native.rnnCell(RnnCellOp.lstmForward, B, H, gh, 0, c!, 0, act, abase, cNew!, 0, extra!, ebase, cellOut, 0);
        } else {
          native.unary(mode === 'tanh' ? UnaryOp.tanh : UnaryOp.relu, [B, G], act, abase, [G, 1], gh, 0, [G, 1]);
          cellOut.set(act.subarray(abase, abase + B * H));
        }
      }
      if (wrt) {
        // The projection: h_t = m_t W_hrᵀ.
        if (mAll) mAll.set(cellOut, hbase);
        native.gemm({
          transA: false,
          transB: false,
          m: B,
          n: P,
          k: H,
          alpha: 1,
          a: cellOut,
          aOffset: 0,
          lda: H,
          b: wrt,
          bOffset: 0,
          ldb: P,
          beta: 0,
          c: hNew,
          cOffset: 0,
          ldc: P,
        });
      }
      // The new state; steps past a sequence's length leave its state as it is (output 0).
      if (!lengths) {
        h.set(hNew);
        if (c) c.set(cNew!);
        out.set(hNew, pbase);
      } else {
        for (let r = 0; r < B; r++) {
          if (t >= lengths[r]) continue;
          copyRow(h, 0, hNew, 0, r, P);
          if (c) copyRow(c, 0, cNew!, 0, r, H);
          copyRow(out, pbase, hNew, 0, r, P);
        }
      }
    }
    out.set(h, T * B * P);
    if (c) out.set(c, (T + 1) * B * P);
    ctx.save(wc, ...(whr ? [whr] : []));
    ctx.cfg = cfg;
    ctx.hasC = c !== null;
    ctx.hasBias = b !== null;
    ctx.hasProj = whr !== null;
    if (keep) ctx.st = { T, B, H, P, G, act, hprev: hprev!, m: mAll, cprev, extra } satisfies Saved;
    // The inputs, for the JVP (in a dual level) and for a second derivative (createGraph).
    if (keep || isForwardADActive()) ctx.primals = [xproj, h0, c0, whh, bhh, whr];
    return new Tensor(new Storage(out), [out.length]);
  },
  backward(ctx, grad) {
    // createGraph (or a backward in a dual level): the gradients of the composite recurrence,
    // recorded, so they have derivatives of their own (a Hessian-vector product through an
    // LSTM). The fused BPTT below gives the same first derivatives, faster.
    if (isGradEnabled() || hasTangent(grad)) return compositeGrads(ctx.primals!, ctx.cfg, grad, ctx.needsInputGrad);
    const [wc, wrc] = ctx.saved;
    const { mode, reverse, lengths } = ctx.cfg;
    const { T, B, H, P, G, act, hprev, m, cprev, extra } = ctx.st;
    const wr = ctx.hasProj ? floats(wrc) : null;
    const gc = contiguousRaw(grad);
    const gd = storageF32(gc);
    const go = gc.offset;
    const dh = gd.slice(go + T * B * P, go + (T + 1) * B * P);
    const dc = ctx.hasC ? gd.slice(go + (T + 1) * B * P, go + (T + 1) * B * P + B * H) : null;
    const dgx = new Float32Array(T * B * G);
    const dgh = mode === 'gru' ? new Float32Array(T * B * G) : dgx;
    const dhp = new Float32Array(B * P); // total gradient of h_t
    const dht = wr ? new Float32Array(B * H) : dhp; // ... of the cell's output (m_t with a projection)
    const dhNext = new Float32Array(B * P); // gradient of h_{t-1}
    const dwr = wr ? new Float32Array(P * H) : null;
    for (let s = T - 1; s >= 0; s--) {
      const t = reverse ? T - 1 - s : s;
      const abase = t * B * G;
      const hbase = t * B * H;
      const pbase = t * B * P;
      for (let i = 0; i < B * P; i++) dhp[i] = dh[i] + gd[go + pbase + i];
      if (wr) {
        // Through the projection: dm_t = dh_t W_hr; dW_hr += dh_tᵀ m_t (rows of padded steps
        // carry no output gradient and are left out).
        if (lengths) for (let r = 0; r < B; r++) if (t >= lengths[r]) dhp.fill(0, r * P, (r + 1) * P);
        native.gemm({
          transA: false,
          transB: false,
          m: B,
          n: H,
          k: P,
          alpha: 1,
          a: dhp,
          aOffset: 0,
          lda: P,
          b: wr,
          bOffset: 0,
          ldb: H,
          beta: 0,
          c: dht,
          cOffset: 0,
          ldc: H,
        });
        native.gemm({
          transA: true,
          transB: false,
          m: P,
          n: H,
          k: B,
          alpha: 1,
          a: dhp,
          aOffset: 0,
          lda: P,
          b: m!,
          bOffset: hbase,
          ldb: H,
          beta: 1,
          c: dwr!,
          cOffset: 0,
          ldc: H,
        });
      }
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
            pbase + rh,
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
          else copyRow(dhNext, 0, dh, 0, r, P); // state passed through unchanged; dc too
        }
      }
      // dh_{t-1} = direct part + dgh_t W_hh (rows of padded steps are zero in dgh).
      native.gemm({
        transA: false,
        transB: false,
        m: B,
        n: P,
        k: G,
        alpha: 1,
        a: dgh,
        aOffset: abase,
        lda: G,
        b: storageF32(wc),
        bOffset: wc.offset,
        ldb: P,
        beta: 1,
        c: dhNext,
        cOffset: 0,
        ldc: P,
      });
      dh.set(dhNext);
    }
    const need = ctx.needsInputGrad;
    const grads: (Tensor | null)[] = [need[0] ? new Tensor(new Storage(dgx), [T, B, G]) : null];
    grads.push(need[1] ? new Tensor(new Storage(dh), [B, P]) : null);
    let k = 2;
    if (ctx.hasC) grads.push(need[k++] ? new Tensor(new Storage(dc!), [B, H]) : null);
    if (need[k]) {
      const dw = new Float32Array(G * P);
      native.gemm({
        transA: true,
        transB: false,
        m: G,
        n: P,
        k: T * B,
        alpha: 1,
        a: dgh,
        aOffset: 0,
        lda: G,
        b: hprev,
        bOffset: 0,
        ldb: P,
        beta: 0,
        c: dw,
        cOffset: 0,
        ldc: P,
      });
      grads.push(new Tensor(new Storage(dw), [G, P]));
    } else grads.push(null);
    k++;
    if (ctx.hasBias) {
      if (need[k]) {
        const db = new Float32Array(G);
        for (let i = 0; i < T * B; i++) for (let j = 0; j < G; j++) db[j] += dgh[i * G + j];
        grads.push(new Tensor(new Storage(db), [G]));
      } else grads.push(null);
      k++;
    }
    if (ctx.hasProj) grads.push(need[k] ? new Tensor(new Storage(dwr!), [P, H]) : null);
    return grads;
  },
  // The JVP of the composite recurrence (the same steps as ops), run on dual copies of the
  // inputs: each op's rule carries the tangents through the gates and the states.
  jvp(ctx, ...tangents) {
    const given = ctx.primals!.filter((t): t is Tensor => t !== null);
    const ts = new Map(given.map((t, i) => [t, tangents[i]]));
    const dual = (t: Tensor | null): Tensor | null => {
      const tt = t && ts.get(t);
      if (!t || !tt) return t;
      const d = t.detach();
      setTangent(d, tt, 'recurrentLayer');
      return d;
    };
    return withTangents(() => {
      const [xproj, h0, c0, whh, bhh, whr] = ctx.primals!.map(dual) as Inputs;
      const out = recurrentComposite(xproj, h0, c0, whh, bhh, whr, ctx.cfg);
      return tangentOf(out) ?? zeros(out.shape);
    });
  },
});

type Inputs = [Tensor, Tensor, Tensor | null, Tensor, Tensor | null, Tensor | null];

function compositeGrads(primals: Inputs, cfg: LayerConfig, g: Tensor, need: readonly boolean[]): (Tensor | null)[] {
  const given = primals.filter((t): t is Tensor => t !== null);
  const wrt = given.filter((_, i) => need[i]);
  const out = enableGrad(() => recurrentComposite(...primals, cfg));
  const gs = grad(out, wrt, { gradOutputs: [g], createGraph: true, allowUnused: true });
  let k = 0;
  return given.map((t, i) => (need[i] ? (gs[k++] ?? zeros(t.shape)) : null));
}

/** The recurrence written with ops (the fused op's forward, step by step): its flat output. */
function recurrentComposite(
  xproj: Tensor,
  h0: Tensor,
  c0: Tensor | null,
  whh: Tensor,
  bhh: Tensor | null,
  whr: Tensor | null,
  cfg: LayerConfig,
): Tensor {
  const [T, B, G] = xproj.shape;
  const H = c0 ? c0.shape[1] : whr ? whr.shape[1] : G / gateCount(cfg.mode);
  const gate = (t: Tensor, k: number) => narrow(t, 1, k * H, H);
  let h = h0;
  let c = c0;
  const outs: Tensor[] = new Array(T);
  for (let s = 0; s < T; s++) {
    const t = cfg.reverse ? T - 1 - s : s;
    const x = xproj.select(0, t);
    let gh = matmul(h, whh.T);
    if (bhh) gh = add(gh, bhh);
    let hNew: Tensor;
    let cNew: Tensor | null = null;
    if (cfg.mode === 'gru') {
      const r = sigmoid(add(gate(x, 0), gate(gh, 0)));
      const z = sigmoid(add(gate(x, 1), gate(gh, 1)));
      const n = tanh(add(gate(x, 2), mul(r, gate(gh, 2))));
      hNew = add(mul(sub(1, z), n), mul(z, h));
    } else if (cfg.mode === 'lstm') {
      const g = add(x, gh);
      cNew = add(mul(sigmoid(gate(g, 1)), c!), mul(sigmoid(gate(g, 0)), tanh(gate(g, 2))));
      hNew = mul(sigmoid(gate(g, 3)), tanh(cNew));
      if (whr) hNew = matmul(hNew, whr.T);
    } else {
      hNew = cfg.mode === 'tanh' ? tanh(add(x, gh)) : relu(add(x, gh));
    }
    if (cfg.lengths) {
      // Past a sequence's length its state stays and its output is 0.
      const live = Tensor.fromData(
        xproj.dtype === 'float64'
          ? Float64Array.from(cfg.lengths, (n) => (t < n ? 1 : 0))
          : Float32Array.from(cfg.lengths, (n) => (t < n ? 1 : 0)),
        [B, 1],
      );
      const keep = sub(1, live);
      outs[t] = mul(hNew, live);
      h = add(outs[t], mul(h, keep));
      if (cNew) c = add(mul(cNew, live), mul(c!, keep));
    } else {
      outs[t] = hNew;
      h = hNew;
      if (cNew) c = cNew;
    }
  }
  const parts = [reshape(stack(outs, 0), [-1]), reshape(h, [-1])];
  if (c) parts.push(reshape(c, [-1]));
  return cat(parts, 0);
}

export interface LayerResult {
  /** Per-step outputs [T, B, P]. */
  output: Tensor;
  /** The final h [B, P]. */
  h: Tensor;
  /** The final c [B, H] (LSTM), else null. */
  c: Tensor | null;
}

/**
 * Runs one layer-direction. xproj [T, B, G*H], h0 [B, P], c0 [B, H], whh [G*H, P], bhh [G*H] or
 * null, whr [P, H] (an LSTM's projection) or null; P = H without a projection.
 */
export function recurrentLayer(
  xproj: Tensor,
  h0: Tensor,
  c0: Tensor | null,
  whh: Tensor,
  bhh: Tensor | null,
  cfg: LayerConfig,
  whr: Tensor | null = null,
): LayerResult {
  const [T, B] = xproj.shape;
  const P = h0.shape[1];
  // Under autocast an Elman RNN's recurrent products run in bf16 (as PyTorch's, whose cell calls
  // linear): the recurrence written with ops, whose matmul autocast reaches. LSTM and GRU stay
  // float32 there, as PyTorch's.
  // float64 runs the same composite in double (its products on the dgemm; the fused kernel is
  // float32 only): its gradients, double backward and JVP are the ops'.
  const elman = cfg.mode === 'tanh' || cfg.mode === 'relu';
  const flat =
    xproj.dtype === 'float64' || (elman && autocastsTo(xproj, h0, whh))
      ? recurrentComposite(xproj, h0, c0, whh, bhh, whr, cfg)
      : recurrentOp(xproj, h0, c0, whh, bhh, whr, cfg);
  return {
    output: reshape(narrow(flat, 0, 0, T * B * P), [T, B, P]),
    h: reshape(narrow(flat, 0, T * B * P, B * P), [B, P]),
    c: c0 ? reshape(narrow(flat, 0, (T + 1) * B * P, B * c0.shape[1]), [B, c0.shape[1]]) : null,
  };
}
