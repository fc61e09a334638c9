// The fp32 GEMM's blocking chosen per CPU at load (gemm_tuning.h): what backendInfo() reports of
// the CPU and the blocking, the cache-size rule on made-up caches, and MYELIN_GEMM_BLOCKING (read
// at load, so each case is a child process that loads the addon with the variable set).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { addonPath } from '../helpers/addon_path.js';

const addon = addonPath();
const info = native.backendInfo();

// [m, n, k, transA, transB]: odd sizes, every transpose, a row vector, and k past several kc.
const shapes: [number, number, number, boolean, boolean][] = [
  [37, 53, 71, false, false],
  [1, 300, 17, false, true],
  [130, 7, 260, true, false],
  [65, 129, 33, true, true],
  [200, 150, 100, false, false],
];

// Operands from a fixed generator, the same in the child and here.
function operand(len: number, seed: number): Float32Array {
  const out = new Float32Array(len);
  let s = seed;
  for (let i = 0; i < len; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    out[i] = s / 1073741824 - 1;
  }
  return out;
}

// Loads the addon, reports backendInfo() and the C of each shape (or the load error).
const probe = `
  let native;
  try { native = require(process.argv[1]); }
  catch (e) { console.log(JSON.stringify({ ok: false, message: e.message })); process.exit(0); }
  ${operand.toString()}
  const results = JSON.parse(process.argv[2]).map(([m, n, k, transA, transB], i) => {
    const c = new Float32Array(m * n);
    native.gemm({ transA, transB, m, n, k, alpha: 1, a: operand(m * k, 2 * i + 1), aOffset: 0, lda: transA ? m : k,
      b: operand(k * n, 2 * i + 2), bOffset: 0, ldb: transB ? k : n, beta: 0, c, cOffset: 0, ldc: n });
    return Array.from(c);
  });
  console.log(JSON.stringify({ ok: true, info: native.backendInfo(), results }));
`;

interface Loaded {
  ok: boolean;
  message?: string;
  info?: ReturnType<typeof native.backendInfo>;
  results?: number[][];
}

function loadWith(vars: Record<string, string>): Loaded {
  const env: NodeJS.ProcessEnv = { ...process.env, MYELIN_NUM_THREADS: '2' };
  delete env.MYELIN_ISA;
  delete env.MYELIN_GEMM_BLOCKING;
  Object.assign(env, vars);
  const r = spawnSync(process.execPath, ['-e', probe, addon, JSON.stringify(shapes)], {
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Loaded;
}

// Each C against a double-precision product: within k float32 roundings of the sum of |terms|.
function expectProducts(results: number[][] | undefined): void {
  expect(results).toHaveLength(shapes.length);
  shapes.forEach(([m, n, k, transA, transB], s) => {
    const a = operand(m * k, 2 * s + 1),
      b = operand(k * n, 2 * s + 2),
      got = (results as number[][])[s];
    let worst = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0,
          abs = 0;
        for (let p = 0; p < k; p++) {
          const t = a[transA ? p * m + i : i * k + p] * b[transB ? j * k + p : p * n + j];
          sum += t;
          abs += Math.abs(t);
        }
        worst = Math.max(worst, Math.abs(got[i * n + j] - sum) / (k * 2 ** -24 * abs + 1e-30));
      }
    }
    expect(worst, `shape ${[m, n, k, transA, transB]}`).toBeLessThanOrEqual(1);
  });
}

describe('backendInfo(): the CPU and the GEMM blocking', () => {
  it('reports the CPU, its caches and the blocking in use, with sane values', () => {
    const { cpu, gemm } = info;
    expect(typeof cpu.vendor).toBe('string');
    if (info.arch === 'x64') {
      expect(cpu.vendor).toMatch(/^[\x20-\x7e]{12}$/);
      expect(cpu.family).toBeGreaterThanOrEqual(6);
    }
    for (const v of [cpu.family, cpu.model]) expect(Number.isInteger(v) && v >= 0).toBe(true);
    const { l1d, l2, l3, source } = cpu.caches;
    expect(['cpuid', 'sysfs', 'default']).toContain(source);
    expect(l1d).toBeGreaterThanOrEqual(4096);
    expect(l2).toBeGreaterThan(l1d);
    expect(l3).toBeGreaterThan(0);
    expect(gemm.kernel).toContain(`__${info.isa.replace(/vnni|bf16$/, '')}`);
    for (const v of [gemm.mr, gemm.nr, gemm.kc, gemm.mc, gemm.nc]) expect(Number.isInteger(v) && v > 0).toBe(true);
    expect(['rows', 'columns']).toContain(gemm.tieSplit);
  });

  it("names the Zen generations by GCC's family and model ranges", () => {
    const { vendor, family, model, name } = info.cpu;
    if (vendor !== 'AuthenticAMD') return;
    if (family === 25)
      expect(name).toBe((model >= 0x10 && model <= 0x1f) || (model >= 0x60 && model <= 0xaf) ? 'Zen 4' : 'Zen 3');
    if (family === 26) expect(name).toBe(model <= 0x77 ? 'Zen 5' : 'unknown');
  });

  it('a CPU the table names keeps the tuned blocking; any other gets the cache-size rule', () => {
    const { cpu, gemm } = info;
    if (process.env.MYELIN_GEMM_BLOCKING) return;
    if (cpu.name !== 'unknown') {
      expect(gemm.blocking).toBe('table');
      const tuned: Record<string, [number, number, number]> = {
        sgemm_ukernel_6x16__avx2: [512, 192, 2048],
        sgemm_ukernel_6x64__avx512: [512, 2052, 384],
      };
      if (tuned[gemm.kernel]) expect([gemm.kc, gemm.mc, gemm.nc]).toEqual(tuned[gemm.kernel]);
    } else {
      expect(gemm.blocking).toBe('caches');
      const rule = native.gemmBlockingForTesting(
        gemm.mr,
        gemm.nr,
        gemm.tieSplit === 'rows',
        cpu.caches.l1d,
        cpu.caches.l2,
        cpu.caches.l3,
      );
      expect({ kc: gemm.kc, mc: gemm.mc, nc: gemm.nc }).toEqual(rule);
    }
  });
});

describe('the cache-size rule', () => {
  // Hand-computed: kc fills half of L1 with the L1 micro-panel (kc x NR floats for BInL1, MR x kc
  // for AInL1), rounded down to 8 in [64, 1024]; the block reused from L2 fills half of L2 and the
  // one from L3 half of L3 (kc x block floats), rounded down to their tile in [4 tiles, 4096].
  const cases: [string, [number, number, boolean, number, number, number], { kc: number; mc: number; nc: number }][] = [
    // 16384 / (4*16) = 256; 262144 / (4*256) = 256 -> 252; 16 Mi / 1024 = 16384 -> 4096.
    ['6x16 BInL1, Zen 3 caches', [6, 16, false, 32 << 10, 512 << 10, 32 << 20], { kc: 256, mc: 252, nc: 4096 }],
    // 16384 / 24 = 682 -> 680; nc from L2: 524288 / 2720 = 192, up to 4 tiles = 256; mc from L3:
    // 6168 -> 4096 -> 4092.
    ['6x64 AInL1, Zen 4 caches', [6, 64, true, 32 << 10, 1 << 20, 32 << 20], { kc: 680, mc: 4092, nc: 256 }],
    // 24576 / 24 = 1024; 1 Mi / 4096 = 256; 16 Mi / 4096 = 4096 -> 4092.
    ['6x64 AInL1, Zen 5 caches', [6, 64, true, 48 << 10, 2 << 20, 32 << 20], { kc: 1024, mc: 4092, nc: 256 }],
    // 2048 / 64 = 32 -> 64; 8192 / 256 = 32 -> 30; 32768 / 256 = 128.
    ['tiny caches clamp up', [6, 16, false, 4 << 10, 16 << 10, 64 << 10], { kc: 64, mc: 30, nc: 128 }],
    // Everything clamps down: kc 1024, mc 4096, nc 4096 -> 4092 (a multiple of 12).
    ['huge caches clamp down', [8, 12, false, 1 << 20, 2 ** 30, 2 ** 40], { kc: 1024, mc: 4096, nc: 4092 }],
    // 4x4 AInL1 (the scalar tile): 16384 / 16 = 1024; nc from L2: 262144 / 4096 = 64; mc from L3: 8 Mi / 4096 = 2048.
    ['4x4 AInL1, default caches', [4, 4, true, 32 << 10, 512 << 10, 16 << 20], { kc: 1024, mc: 2048, nc: 64 }],
  ];
  for (const [what, args, want] of cases) {
    it(what, () => {
      expect(native.gemmBlockingForTesting(...args)).toEqual(want);
    });
  }

  it('rejects sizes and tiles out of range', () => {
    expect(() => native.gemmBlockingForTesting(0, 16, false, 1, 1, 1)).toThrow(/gemmBlockingForTesting.*mr/);
    expect(() => native.gemmBlockingForTesting(6, 16, false, 0, 1, 1)).toThrow(/l1d/);
    expect(() => native.gemmBlockingForTesting(6, 16, false, 1, 1.5, 1)).toThrow(/l2/);
  });
});

describe('MYELIN_GEMM_BLOCKING', () => {
  const defaults = loadWith({});

  it('the default load computes every shape correctly', () => {
    expect(defaults.ok, defaults.message).toBe(true);
    expectProducts(defaults.results);
  });

  for (const isa of info.supportedIsas) {
    it(`overrides the blocking backendInfo() reports, and GEMMs stay correct (${isa})`, () => {
      // Small blocks: k = 260 spans 17 blocks of kc = 16; C many mc x nc blocks.
      const r = loadWith({ MYELIN_GEMM_BLOCKING: '16,12,40', MYELIN_ISA: isa });
      expect(r.ok, r.message).toBe(true);
      expect(r.info?.gemm).toMatchObject({ kc: 16, mc: 12, nc: 40, blocking: 'env' });
      expectProducts(r.results);
      // Against the default blocking: the same products up to rounding.
      r.results?.forEach((c, s) => {
        const d = (defaults.results as number[][])[s];
        const scale = Math.max(...d.map(Math.abs));
        c.forEach((v, i) => expect(Math.abs(v - d[i])).toBeLessThanOrEqual(1e-4 * scale));
      });
    });
  }

  for (const bad of [
    'abc',
    '256,192',
    '256,192,2048,',
    '256,,2048',
    '-1,192,2048',
    '4,192,2048',
    '256,192,9000',
    '256, 192, 2048',
    '99999999999999999999,1,1',
  ]) {
    it(`MYELIN_GEMM_BLOCKING='${bad}' fails to load with a message naming the variable and the bounds`, () => {
      const r = loadWith({ MYELIN_GEMM_BLOCKING: bad });
      expect(r.ok).toBe(false);
      expect(r.message).toContain(`MYELIN_GEMM_BLOCKING='${bad}'`);
      expect(r.message).toMatch(/kc,mc,nc.*kc in 8\.\.2048, mc and nc in 8\.\.4096/);
    });
  }

  it('empty is unset', () => {
    const r = loadWith({ MYELIN_GEMM_BLOCKING: '' });
    expect(r.ok, r.message).toBe(true);
    expect(r.info?.gemm).toEqual(defaults.info?.gemm);
  });
});
