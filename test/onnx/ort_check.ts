// Runs an exported model in ONNX Runtime (onnxruntime-node) and compares it with myelin: the
// sample inputs, fresh inputs of the same shapes, and inputs with other sizes along the dynamic
// axes. Outputs must agree within 1e-5 relative to the largest magnitude of myelin's output
// (integer and bool outputs exactly, float64 ones exactly or within a case's float64Tolerance).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';
import { type ExportOptions, exportModel } from '../../lib/onnx/export.js';
import { noGrad, type nn, randn, Tensor } from '../../lib/index.js';

const TOL = 1e-5;

/** Where exported models are kept for the ONNX checker (scripts/check_onnx.py), when set. */
const keepDir = process.env.MYELIN_ONNX_KEEP;

export interface Case {
  name: string;
  model: nn.Module;
  /** The sample arguments of forward (tensors become graph inputs in order). */
  args: unknown[];
  options?: ExportOptions;
  /** More argument lists to run through both (other values, other dynamic sizes). */
  more?: unknown[][];
  /**
   * float64 outputs within this, relative as float32's (onnxruntime's exp, tanh, ... and sums
   * differ from myelin's by a few ulps), instead of exactly.
   */
  float64Tolerance?: number;
}

function flatten(v: unknown, out: Tensor[] = []): Tensor[] {
  if (v instanceof Tensor) out.push(v);
  else if (Array.isArray(v)) for (const x of v) flatten(x, out);
  else if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    for (const x of Object.values(v)) flatten(x, out);
  return out;
}

const ORT_TYPE = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
  bool: 'bool',
  int8: 'int8',
  uint8: 'uint8',
} as const;

/** A myelin tensor as ONNX Runtime's input of the same dtype and shape. */
export function toOrt(t: Tensor): ort.Tensor {
  const data = t.toTypedArray();
  return new ort.Tensor(ORT_TYPE[t.dtype as keyof typeof ORT_TYPE], data as Float32Array, [...t.shape]);
}

/** The same arguments with new values: float tensors redrawn, int and bool ones reversed. */
function fresh(v: unknown): unknown {
  if (v instanceof Tensor)
    return v.dtype === 'float32' ? randn([...v.shape]) : v.flip([...v.shape.keys()]).contiguous();
  if (Array.isArray(v)) return v.map(fresh);
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fresh(x)]));
  return v;
}

/** Exports c.model, runs it in ONNX Runtime on every argument list, compares with myelin. */
export async function checkCase(c: Case): Promise<Uint8Array> {
  const bytes = exportModel(c.model, c.args, c.options ?? {});
  if (keepDir) {
    mkdirSync(keepDir, { recursive: true });
    writeFileSync(join(keepDir, `${c.name.replace(/[^\w.-]+/g, '_')}.onnx`), bytes);
  }
  const session = await ort.InferenceSession.create(bytes);
  c.model.eval();
  for (const args of [c.args, fresh(c.args) as unknown[], ...(c.more ?? [])]) {
    const inputs = flatten(args);
    const feeds: Record<string, ort.Tensor> = {};
    session.inputNames.forEach((n, i) => {
      feeds[n] = toOrt(inputs[i]);
    });
    const want = flatten(noGrad(() => c.model.call(...args)));
    const got = await session.run(feeds);
    expect(session.outputNames.length, c.name).toBe(want.length);
    session.outputNames.forEach((n, i) => {
      const w = want[i];
      const g = got[n];
      const where = `${c.name}: output ${n} for inputs ${inputs.map((t) => `[${t.shape}]`).join(' ')}`;
      expect([...g.dims], where).toEqual([...w.shape]);
      const wv = Array.from(w.toTypedArray() as ArrayLike<number>);
      const gv = Array.from(g.data as ArrayLike<number | boolean>, Number);
      const tol = w.dtype === 'float32' ? TOL : w.dtype === 'float64' ? c.float64Tolerance : undefined;
      if (tol === undefined) {
        expect(gv, where).toEqual(wv);
        return;
      }
      // NaN must meet NaN and an infinity the same infinity; the rest within TOL of the largest finite value.
      const scale = Math.max(1e-30, ...wv.filter(Number.isFinite).map(Math.abs));
      let worst = 0;
      for (let k = 0; k < wv.length; k++) {
        if (Object.is(wv[k], gv[k]) || (Number.isNaN(wv[k]) && Number.isNaN(gv[k]))) continue;
        const err = Number.isFinite(wv[k]) ? Math.abs(gv[k] - wv[k]) / scale : Number.POSITIVE_INFINITY;
        worst = Math.max(worst, Number.isNaN(err) ? Number.POSITIVE_INFINITY : err);
      }
      expect(worst, where).toBeLessThanOrEqual(tol);
    });
  }
  return bytes;
}
