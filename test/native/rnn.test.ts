// The LSTM / GRU step kernels (rnnCell) on every ISA at 1 and 2 threads, against a float64
// TypeScript oracle, at hidden sizes around the vector widths and row counts past the threading
// threshold; and the binding's argument checks.
import { describe, expect, it } from 'vitest';
import { native, RnnCellOp } from '../../lib/native.js';
import { randomFloats, supportedIsas, withIsa, withThreads } from '../helpers/native.js';

const sig = (x: number) => 1 / (1 + Math.exp(-x));

function lstmForwardRef(rows: number, H: number, pre: Float32Array, cPrev: Float32Array) {
  const act = new Float64Array(rows * 4 * H),
    cNew = new Float64Array(rows * H),
    tanhC = new Float64Array(rows * H),
    h = new Float64Array(rows * H);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < H; j++) {
      const p = (k: number) => pre[r * 4 * H + k * H + j];
      const i = sig(p(0)),
        f = sig(p(1)),
        g = Math.tanh(p(2)),
        o = sig(p(3));
      [i, f, g, o].forEach((v, k) => {
        act[r * 4 * H + k * H + j] = v;
      });
      const c = f * cPrev[r * H + j] + i * g;
      cNew[r * H + j] = c;
      tanhC[r * H + j] = Math.tanh(c);
      h[r * H + j] = o * Math.tanh(c);
    }
  return [act, cNew, tanhC, h];
}

function lstmBackwardRef(
  rows: number,
  H: number,
  act: Float32Array,
  tanhC: Float32Array,
  cPrev: Float32Array,
  dh: Float32Array,
  dc: Float32Array,
) {
  const dcOut = new Float64Array(rows * H),
    dpre = new Float64Array(rows * 4 * H);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < H; j++) {
      const a = (k: number) => act[r * 4 * H + k * H + j];
      const [i, f, g, o] = [a(0), a(1), a(2), a(3)];
      const tc = tanhC[r * H + j],
        d = dh[r * H + j];
      const dct = dc[r * H + j] + d * o * (1 - tc * tc);
      const b = r * 4 * H + j;
      dpre[b] = dct * g * i * (1 - i);
      dpre[b + H] = dct * cPrev[r * H + j] * f * (1 - f);
      dpre[b + 2 * H] = dct * i * (1 - g * g);
      dpre[b + 3 * H] = d * tc * o * (1 - o);
      dcOut[r * H + j] = dct * f;
    }
  return [dcOut, dpre];
}

function gruForwardRef(rows: number, H: number, x: Float32Array, hg: Float32Array, hPrev: Float32Array) {
  const act = new Float64Array(rows * 3 * H),
    h = new Float64Array(rows * H);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < H; j++) {
      const b = r * 3 * H + j;
      const rg = sig(x[b] + hg[b]),
        z = sig(x[b + H] + hg[b + H]),
        n = Math.tanh(x[b + 2 * H] + rg * hg[b + 2 * H]);
      act[b] = rg;
      act[b + H] = z;
      act[b + 2 * H] = n;
      h[r * H + j] = (1 - z) * n + z * hPrev[r * H + j];
    }
  return [act, h];
}

function gruBackwardRef(
  rows: number,
  H: number,
  act: Float32Array,
  hgN: Float32Array,
  hPrev: Float32Array,
  dh: Float32Array,
) {
  const dx = new Float64Array(rows * 3 * H),
    dhg = new Float64Array(rows * 3 * H),
    dhp = new Float64Array(rows * H);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < H; j++) {
      const b = r * 3 * H + j;
      const [rg, z, n] = [act[b], act[b + H], act[b + 2 * H]];
      const d = dh[r * H + j];
      const dn = d * (1 - z) * (1 - n * n);
      const dz = d * (hPrev[r * H + j] - n) * z * (1 - z);
      const dr = dn * hgN[r * H + j] * rg * (1 - rg);
      dx[b] = dr;
      dx[b + H] = dz;
      dx[b + 2 * H] = dn;
      dhg[b] = dr;
      dhg[b + H] = dz;
      dhg[b + 2 * H] = dn * rg;
      dhp[r * H + j] = d * z;
    }
  return [dx, dhg, dhp];
}

function expectClose(got: Float32Array, want: Float64Array, what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 2e-6 * (1 + Math.abs(want[i]))))
      throw new Error(`${what}[${i}]: got ${got[i]}, want ${want[i]}`);
  }
}

const gates = (rows: number, H: number, k: number, seed: number, scale = 3) =>
  randomFloats(rows * k * H, seed, -scale, scale);
const probs = (rows: number, H: number, k: number, seed: number) => randomFloats(rows * k * H, seed, 0.01, 0.99);

describe('rnnCell kernels', () => {
  for (const isa of supportedIsas) {
    for (const threads of [1, 2]) {
      it(`${isa}, ${threads} thread(s): LSTM and GRU forward and backward`, () => {
        withThreads(threads, () =>
          withIsa(isa, () => {
            for (const [rows, H] of [
              [1, 1],
              [3, 7],
              [2, 8],
              [2, 15],
              [1, 16],
              [3, 17],
              [2, 33],
              [300, 64],
            ]) {
              const ctx = `rows ${rows}, hidden ${H}`;
              // LSTM forward: the pre-activation input sits at an offset.
              const preAll = gates(rows + 1, H, 4, 1);
              const pre = preAll.subarray(4 * H);
              const cPrev = gates(rows, H, 1, 2, 1);
              const out = [4, 1, 1, 1].map((k) => new Float32Array(rows * k * H));
              native.rnnCell(
                RnnCellOp.lstmForward,
                rows,
                H,
                preAll,
                4 * H,
                cPrev,
                0,
                out[0],
                0,
                out[1],
                0,
                out[2],
                0,
                out[3],
                0,
              );
              lstmForwardRef(rows, H, pre, cPrev).forEach((w, i) => expectClose(out[i], w, `${ctx} lstm forward ${i}`));
              // LSTM backward
              const act = probs(rows, H, 4, 3);
              const tanhC = gates(rows, H, 1, 4, 0.99);
              const dh = gates(rows, H, 1, 5, 1);
              const dc = gates(rows, H, 1, 6, 1);
              const [dcWant, dpreWant] = lstmBackwardRef(rows, H, act, tanhC, cPrev, dh, dc);
              const dpre = new Float32Array(rows * 4 * H);
              native.rnnCell(RnnCellOp.lstmBackward, rows, H, act, 0, tanhC, 0, cPrev, 0, dh, 0, dc, 0, dpre, 0);
              expectClose(dc, dcWant, `${ctx} lstm dc`);
              expectClose(dpre, dpreWant, `${ctx} lstm dpre`);
              // GRU forward and backward
              const x = gates(rows, H, 3, 7);
              const hg = gates(rows, H, 3, 8);
              const hPrev = gates(rows, H, 1, 9, 1);
              const gAct = new Float32Array(rows * 3 * H),
                h = new Float32Array(rows * H);
              native.rnnCell(RnnCellOp.gruForward, rows, H, x, 0, hg, 0, hPrev, 0, gAct, 0, h, 0);
              gruForwardRef(rows, H, x, hg, hPrev).forEach((w, i) =>
                expectClose([gAct, h][i], w, `${ctx} gru forward ${i}`),
              );
              const gp = probs(rows, H, 3, 10);
              const hgN = gates(rows, H, 1, 11, 2);
              const bout = [3, 3, 1].map((k) => new Float32Array(rows * k * H));
              native.rnnCell(
                RnnCellOp.gruBackward,
                rows,
                H,
                gp,
                0,
                hgN,
                0,
                hPrev,
                0,
                dh,
                0,
                bout[0],
                0,
                bout[1],
                0,
                bout[2],
                0,
              );
              gruBackwardRef(rows, H, gp, hgN, hPrev, dh).forEach((w, i) =>
                expectClose(bout[i], w, `${ctx} gru backward ${i}`),
              );
            }
          }),
        );
      });
    }
  }

  it('checks its arguments', () => {
    const a = new Float32Array(8);
    const b = new Float32Array(2);
    const ok = () => [
      a,
      0,
      b,
      0,
      new Float32Array(8),
      0,
      new Float32Array(2),
      0,
      new Float32Array(2),
      0,
      new Float32Array(2),
      0,
    ];
    expect(() => native.rnnCell(RnnCellOp.lstmForward, 1, 2, ...ok())).not.toThrow();
    expect(() => native.rnnCell(4 as 0, 1, 2, ...ok())).toThrow(/rnnCell: .*op/);
    expect(() => native.rnnCell(RnnCellOp.lstmForward, 2, 2, ...ok())).toThrow(
      /rnnCell: argument 'pre' needs 16 elements/,
    );
    expect(() => native.rnnCell(RnnCellOp.lstmForward, 1, 2, a, 0, b, 0)).toThrow(
      /takes 6 \(array, offset\) pairs, got 2/,
    );
    const args = ok();
    args[10] = args[8]; // h and tanhC share memory
    expect(() => native.rnnCell(RnnCellOp.lstmForward, 1, 2, ...args)).toThrow(RangeError);
    const bad = ok();
    bad[1] = 1; // pre offset past the end
    expect(() => native.rnnCell(RnnCellOp.lstmForward, 1, 2, ...bad)).toThrow(/'pre' needs 9 elements/);
    expect(() =>
      native.rnnCell(
        RnnCellOp.gruForward,
        1,
        2,
        new Float64Array(6) as unknown as Float32Array,
        0,
        a,
        0,
        b,
        0,
        a,
        0,
        b,
        0,
      ),
    ).toThrow(TypeError);
  });
});
