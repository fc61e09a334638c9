import { describe, expect, it } from 'vitest';
import { empty, Generator, nn, type Tensor } from '../../lib/index.js';

const init = nn.init;

/** Sample mean and variance in float64. */
function moments(t: Tensor): { mean: number; variance: number; n: number } {
  const v = t.toTypedArray() as Float32Array;
  let s = 0;
  for (const x of v) s += x;
  const mean = s / v.length;
  let q = 0;
  for (const x of v) q += (x - mean) * (x - mean);
  return { mean, variance: q / (v.length - 1), n: v.length };
}

/**
 * The sample has mean 0 and variance `variance` within 5 standard errors. kurtosis is E[x^4]/var^2
 * of the distribution (3 normal, 9/5 uniform): Var(s^2) ~ (kurtosis - 1) var^2 / n.
 */
function expectStats(t: Tensor, variance: number, kurtosis: number, what: string): void {
  const m = moments(t);
  const meanSe = Math.sqrt(variance / m.n);
  const varSe = variance * Math.sqrt((kurtosis - 1) / m.n);
  expect(Math.abs(m.mean) / meanSe, `${what}: mean ${m.mean}`).toBeLessThan(5);
  expect(Math.abs(m.variance - variance) / varSe, `${what}: variance ${m.variance}, expected ${variance}`).toBeLessThan(
    5,
  );
}

const NORMAL = 3;
const UNIFORM = 9 / 5;

describe('nn.init statistics match theory within sampling error', () => {
  const gen = new Generator().manualSeed(123);
  const opts = { generator: gen };
  const w = () => empty([400, 600]); // fan_in 600, fan_out 400, 240k samples

  it('kaiming normal / uniform, fan_in and fan_out, relu and leaky_relu', () => {
    expectStats(
      init.kaimingNormal_(w(), { nonlinearity: 'relu', ...opts }),
      2 / 600,
      NORMAL,
      'kaimingNormal relu fan_in',
    );
    expectStats(
      init.kaimingNormal_(w(), { mode: 'fan_out', nonlinearity: 'relu', ...opts }),
      2 / 400,
      NORMAL,
      'kaimingNormal fan_out',
    );
    expectStats(init.kaimingUniform_(w(), { nonlinearity: 'relu', ...opts }), 2 / 600, UNIFORM, 'kaimingUniform relu');
    expectStats(
      init.kaimingUniform_(w(), { a: 0.2, ...opts }),
      2 / (1 + 0.04) / 600,
      UNIFORM,
      'kaimingUniform leaky 0.2',
    );
    // Linear's default: kaiming_uniform(a = sqrt 5) = U(-1/sqrt(in), 1/sqrt(in)), variance 1 / (3 in)
    expectStats(init.kaimingUniform_(w(), { a: Math.sqrt(5), ...opts }), 1 / (3 * 600), UNIFORM, 'Linear default');
  });

  it('xavier normal / uniform with gain', () => {
    expectStats(init.xavierNormal_(w(), 1, opts), 2 / 1000, NORMAL, 'xavierNormal');
    expectStats(init.xavierUniform_(w(), 1, opts), 2 / 1000, UNIFORM, 'xavierUniform');
    const g = init.calculateGain('tanh');
    expectStats(init.xavierUniform_(w(), g, opts), (g * g * 2) / 1000, UNIFORM, 'xavierUniform tanh gain');
    const bound = Math.sqrt(6 / 1000);
    const v = init.xavierUniform_(w(), 1, opts).toTypedArray() as Float32Array;
    expect(v.every((x) => Math.abs(x) <= bound)).toBe(true);
  });

  it('normal_, uniform_, truncNormal_ (bounds and the truncated variance)', () => {
    expectStats(init.normal_(w(), 0, 0.02, opts), 0.0004, NORMAL, 'normal 0.02');
    expectStats(init.uniform_(w(), -0.5, 0.5, opts), 1 / 12, UNIFORM, 'uniform');
    const t = init.truncNormal_(w(), 0, 1, -2, 2, opts);
    expect((t.toTypedArray() as Float32Array).every((x) => x >= -2 && x <= 2)).toBe(true);
    // variance of N(0,1) truncated to [-2, 2]: 1 - 2 * 2 phi(2) / (Phi(2) - Phi(-2))
    const phi2 = Math.exp(-2) / Math.sqrt(2 * Math.PI);
    const Z = 0.9544997361036416;
    expectStats(t, 1 - (4 * phi2) / Z, 2.6, 'truncNormal'); // kurtosis of the truncated normal < 3; 2.6 bounds it
  });

  it('orthogonal_: QᵀQ = I (tall), QQᵀ = I (wide), times gain', () => {
    for (const [rows, cols, gain] of [
      [60, 25, 1],
      [25, 60, 2],
    ]) {
      const q = init.orthogonal_(empty([rows, cols]), gain, opts);
      const v = q.toTypedArray() as Float32Array;
      const tall = rows >= cols;
      const k = tall ? cols : rows;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          let dot = 0;
          if (tall) for (let r = 0; r < rows; r++) dot += v[r * cols + i] * v[r * cols + j];
          else for (let c = 0; c < cols; c++) dot += v[i * cols + c] * v[j * cols + c];
          expect(Math.abs(dot - (i === j ? gain * gain : 0))).toBeLessThan(1e-5 * gain * gain);
        }
      }
    }
    // conv-shaped weights are flattened to [out, in * k * k]
    const c = init.orthogonal_(empty([4, 2, 3, 3]), 1, opts).reshape(4, 18);
    const m = c.matmul(c.t()).toTypedArray();
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) expect(Math.abs(m[i * 4 + j] - (i === j ? 1 : 0))).toBeLessThan(1e-5);
  });

  it('calculateGain, constant_, zeros_, ones_, eye_', () => {
    expect(init.calculateGain('relu')).toBeCloseTo(Math.SQRT2, 12);
    expect(init.calculateGain('tanh')).toBeCloseTo(5 / 3, 12);
    expect(init.calculateGain('leaky_relu', 0.2)).toBeCloseTo(Math.sqrt(2 / 1.04), 12);
    expect(init.calculateGain('selu')).toBe(0.75);
    expect(init.calculateGain('linear')).toBe(1);
    expect(init.constant_(empty([2, 2]), 3).tolist()).toEqual([
      [3, 3],
      [3, 3],
    ]);
    expect(init.zeros_(empty([2])).tolist()).toEqual([0, 0]);
    expect(init.ones_(empty([2])).tolist()).toEqual([1, 1]);
    expect(init.eye_(empty([2, 3])).tolist()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
    ]);
    expect(() => init.kaimingNormal_(empty([5]))).toThrow(/fewer than 2 dims/);
    expect(() => init.kaimingNormal_(empty([5, 5]), { mode: 'fan_avg' as 'fan_in' })).toThrow(/mode/);
  });

  it('seed 000: layer.apply(initWeights) re-initialises every Linear', () => {
    const model = new nn.Sequential(new nn.Linear(100, 50), new nn.ReLU(), new nn.Linear(50, 10));
    model.apply((m) => {
      if (m instanceof nn.Linear) {
        init.kaimingNormal_(m.weight, { generator: gen });
        init.constant_(m.bias!, 0);
      }
    });
    const first = model[0] as nn.Linear;
    expect(first.bias!.toTypedArray().every((v) => v === 0)).toBe(true);
    expectStats(first.weight, 2 / 100, NORMAL, 'kaiming via apply');
  });
});
