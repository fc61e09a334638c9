// lowp: bfloat16 conversions bit for bit against PyTorch 1.13 (test/fixtures/lowp.json, written by
// scripts/gen_fixtures_lowp.py), and matmulBf16 and its gradients against the exact sums of the
// bf16-rounded operands' products (computed by torch in float64), on every ISA this CPU runs.
import { describe, expect, it } from 'vitest';
import { autograd, forwardAD, lowp, Tensor } from '../../lib/index.js';
import { loadFixture } from '../helpers/fixtures.js';
import { allSupportedIsas, randomFloats, withIsa } from '../helpers/native.js';

interface MatmulCase {
  a: number[];
  aShape: number[];
  b: number[];
  bShape: number[];
  g: number[];
  y: number[];
  yShape: number[];
  da: number[];
  db: number[];
}
const fx = loadFixture<{ convert: { x: number[]; bf16: number[] }; matmul: MatmulCase[] }>('lowp');

const floats = (bits: number[]) => new Float32Array(Int32Array.from(bits).buffer);
/**
 * got (fp32 sums of bf16 products) against the exact sums torch computed in float64: fp32 sums of
 * k terms of magnitude <= 16 (these operands) are within k * 2^-24 * 16 * k of them, well under 1e-4.
 */
function expectNearExact(got: Float32Array, want: number[], what: string): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < got.length; i++) {
    if (!(Math.abs(got[i] - want[i]) <= 1e-4)) expect.fail(`${what}[${i}]: ${got[i]} vs ${want[i]}`);
  }
}

describe('lowp.bfloat16FromFloat32 / bfloat16ToFloat32', () => {
  it("gives torch's x.to(torch.bfloat16) bits: ties to even, overflow, infinities, NaNs, subnormals", () => {
    const bits = lowp.bfloat16FromFloat32(floats(fx.convert.x));
    expect(Array.from(bits)).toEqual(fx.convert.bf16);
  });

  it('converts bf16 back exactly (and the round trip of a bf16 value is the identity)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = lowp.bfloat16ToFloat32(all);
    const words = new Uint32Array(back.buffer);
    for (let i = 0; i < 65536; i++)
      if (words[i] !== (i << 16) >>> 0) expect.fail(`bf16 0x${i.toString(16)}: 0x${words[i].toString(16)}`);
    const again = lowp.bfloat16FromFloat32(back);
    for (let i = 0; i < 65536; i++) {
      const nan = (i & 0x7f80) === 0x7f80 && (i & 0x7f) !== 0;
      if (again[i] !== (nan ? 0xffff : i))
        expect.fail(`bf16 0x${i.toString(16)} came back as 0x${again[i].toString(16)}`);
    }
  });

  it('refuses other arrays, naming the function', () => {
    expect(() => lowp.bfloat16FromFloat32(new Float64Array(2) as never)).toThrow(
      /^bfloat16FromFloat32: expected a Float32Array, got a Float64Array of length 2$/,
    );
    expect(() => lowp.bfloat16ToFloat32([1, 2] as never)).toThrow(/^bfloat16ToFloat32: expected a Uint16Array/);
  });
});

describe('lowp.matmulBf16', () => {
  for (const isa of allSupportedIsas) {
    it(`${isa}: sums bf16 products in fp32, forward and backward`, () => {
      withIsa(isa, () => {
        for (const c of fx.matmul) {
          const a = Tensor.fromData(floats(c.a), c.aShape).requiresGrad_(true);
          const b = Tensor.fromData(floats(c.b), c.bShape).requiresGrad_(true);
          const y = lowp.matmulBf16(a, b);
          expect(y.shape).toEqual(c.yShape);
          expectNearExact(y.toTypedArray() as Float32Array, c.y, 'y');
          y.backward(Tensor.fromData(floats(c.g), c.yShape));
          expectNearExact(a.grad?.toTypedArray() as Float32Array, c.da, 'dA');
          expectNearExact(b.grad?.toTypedArray() as Float32Array, c.db, 'dB');
        }
      });
    });
  }

  it('reads transposed views in place and rounds every operand element to bf16', () => {
    const a = Tensor.fromData(randomFloats(40 * 30, 3), [40, 30]);
    const b = Tensor.fromData(randomFloats(20 * 40, 4), [20, 40]);
    const y = lowp.matmulBf16(a.mT, b.mT).toTypedArray() as Float32Array;
    const ar = lowp.bfloat16ToFloat32(lowp.bfloat16FromFloat32(a.toTypedArray() as Float32Array));
    const br = lowp.bfloat16ToFloat32(lowp.bfloat16FromFloat32(b.toTypedArray() as Float32Array));
    for (let i = 0; i < 30; i++)
      for (let j = 0; j < 20; j++) {
        let s = 0;
        for (let p = 0; p < 40; p++) s += ar[p * 30 + i] * br[j * 40 + p];
        expect(Math.abs(y[i * 20 + j] - s)).toBeLessThan(1e-5);
      }
  });

  it('forward mode: the tangent is tA B + A tB in bf16 products, the adjoint of its backward', () => {
    const a = Tensor.fromData(randomFloats(2 * 5 * 7, 5), [2, 5, 7]);
    const b = Tensor.fromData(randomFloats(7 * 3, 6), [7, 3]);
    const ta = Tensor.fromData(randomFloats(2 * 5 * 7, 7), [2, 5, 7]);
    const tb = Tensor.fromData(randomFloats(7 * 3, 8), [7, 3]);
    const tangent = forwardAD.dualLevel(
      () => forwardAD.unpackDual(lowp.matmulBf16(forwardAD.makeDual(a, ta), forwardAD.makeDual(b, tb))).tangent!,
    );
    const want = lowp.matmulBf16(ta, b).add(lowp.matmulBf16(a, tb));
    expect(Array.from(tangent.toTypedArray())).toEqual(Array.from(want.toTypedArray()));
    // <g, J t> = <Jᵀ g, t>: the two modes describe the same derivative.
    const g = Tensor.fromData(randomFloats(2 * 5 * 3, 9), [2, 5, 3]);
    const [ga, gb] = autograd.grad(lowp.matmulBf16(a.requiresGrad_(true), b.requiresGrad_(true)), [a, b], {
      gradOutputs: [g],
    });
    const lhs = g.mul(tangent).sum().item() as number;
    const rhs = (ga!.mul(ta).sum().item() as number) + (gb!.mul(tb).sum().item() as number);
    expect(Math.abs(lhs - rhs)).toBeLessThan(1e-3 * (1 + Math.abs(lhs)));
  });

  it('refuses what it cannot multiply, naming the function', () => {
    const m = Tensor.fromData(new Float32Array(6), [2, 3]);
    expect(() => lowp.matmulBf16(m, m)).toThrow(/^matmulBf16: shapes \[2,3\] and \[2,3\] cannot be multiplied/);
    expect(() => lowp.matmulBf16(Tensor.fromData(new Float32Array(3), [3]), m)).toThrow(
      /^matmulBf16: argument 'a' must have at least 2 dims, got shape \[3\]$/,
    );
    expect(() => lowp.matmulBf16(m, 3 as never)).toThrow(/^matmulBf16: argument 'b' must be a Tensor, got 3$/);
  });
});
