// MYELIN_ISA and MYELIN_NUM_THREADS, read once when the addon loads: each case is a child
// process that loads the addon with the variable set and prints what it saw.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { native } from '../../lib/native.js';
import { addonPath } from '../helpers/addon_path.js';

const addon = addonPath();

interface Loaded {
  ok: boolean;
  message?: string;
  info?: {
    isa: string;
    bestIsa: string;
    supportedIsas: string[];
    threads: number;
    lowpGemm: { bf16: string; int8: string };
  };
  sum?: number;
  /** Threads named 'myelin-pool' (Linux), or null elsewhere. */
  poolThreads?: number | null;
}

// Loads the addon, reports backendInfo() and computes a small add (or reports the load error).
const probe = `
  let native;
  try { native = require(process.argv[1]); }
  catch (e) { console.log(JSON.stringify({ ok: false, message: e.message })); process.exit(0); }
  const n = 100000, a = new Float32Array(n).fill(0.25), out = new Float32Array(n);
  native.binary(0, [n], out, 0, [1], a, 0, [1], a, 0, [1]);
  const fs = require('node:fs');
  const poolThreads = process.platform !== 'linux' ? null : fs.readdirSync('/proc/self/task')
    .filter((t) => fs.readFileSync('/proc/self/task/' + t + '/comm', 'utf8').trim() === 'myelin-pool').length;
  console.log(JSON.stringify({ ok: true, info: native.backendInfo(), sum: out.reduce((s, v) => s + v, 0), poolThreads }));
`;

function loadWith(vars: Record<string, string>): Loaded {
  const env = { ...process.env };
  delete env.MYELIN_ISA;
  delete env.MYELIN_NUM_THREADS;
  Object.assign(env, vars);
  const r = spawnSync(process.execPath, ['-e', probe, addon], { env, encoding: 'utf8', timeout: 30_000 });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Loaded;
}

const info = native.backendInfo();

describe('MYELIN_ISA', () => {
  for (const isa of info.supportedIsas) {
    it(`MYELIN_ISA=${isa} runs ${isa}'s kernels`, () => {
      const r = loadWith({ MYELIN_ISA: isa });
      expect(r.ok, r.message).toBe(true);
      expect(r.info?.isa).toBe(isa);
      expect(r.info?.bestIsa).toBe(info.bestIsa);
      expect(r.sum).toBe(50000);
      // The int8 GEMM: avx2 (and avx512, which lacks VNNI) run the vpmaddubsw kernel, scalar
      // and NEON widen to fp32.
      const int8 = r.info?.lowpGemm.int8;
      if (isa === 'avx2' || isa === 'avx512') expect(int8).toBe('u8s8gemm_ukernel_4x16__avx2');
      if (isa === 'scalar' || isa === 'neon') expect(int8).toMatch(/via fp32 sgemm/);
    });
  }

  it('unset (or empty) runs the best ISA this CPU supports', () => {
    expect(loadWith({}).info?.isa).toBe(info.bestIsa);
    expect(loadWith({ MYELIN_ISA: '' }).info?.isa).toBe(info.bestIsa);
  });

  it('an unknown ISA name fails to load with a message naming MYELIN_ISA and the choices', () => {
    const r = loadWith({ MYELIN_ISA: 'avx9' });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/MYELIN_ISA/);
    expect(r.message).toMatch(/avx9/);
    expect(r.message).toMatch(/scalar, avx2, avx512/);
  });

  it('an ISA this CPU lacks fails to load with a message naming MYELIN_ISA', () => {
    // neon on x86-64; on arm64 the x86 ISAs are the ones it lacks.
    const lacking = (['neon', 'avx512', 'avx2'] as const).find((isa) => !info.supportedIsas.includes(isa));
    expect(lacking).toBeDefined();
    const r = loadWith({ MYELIN_ISA: lacking as string });
    expect(r.ok).toBe(false);
    expect(r.message).toMatch(/MYELIN_ISA/);
    expect(r.message).toContain(lacking as string);
    expect(r.message).toMatch(/does not support/);
  });
});

describe('MYELIN_NUM_THREADS', () => {
  for (const n of [1, 2, 3]) {
    it(`MYELIN_NUM_THREADS=${n} sizes the pool to ${n}`, () => {
      const r = loadWith({ MYELIN_NUM_THREADS: String(n) });
      expect(r.ok, r.message).toBe(true);
      expect(r.info?.threads).toBe(n);
      expect(r.sum).toBe(50000);
      // The workers are named, so that top -H and perf tell them from node's own threads.
      if (process.platform === 'linux') expect(r.poolThreads).toBe(n - 1);
    });
  }

  for (const bad of ['0', '-2', 'abc', '2x', '1.5', '257', '99999999999999999999']) {
    it(`MYELIN_NUM_THREADS=${bad} fails to load with a message naming the variable and the range`, () => {
      const r = loadWith({ MYELIN_NUM_THREADS: bad });
      expect(r.ok).toBe(false);
      expect(r.message).toContain(`MYELIN_NUM_THREADS='${bad}'`);
      expect(r.message).toMatch(/\[1, 256\]/);
    });
  }
});

describe('setNumThreads / getNumThreads', () => {
  it('round-trips and shows in backendInfo(), then restores', () => {
    const before = native.getNumThreads();
    try {
      for (const n of [1, 2, 5, 1]) {
        native.setNumThreads(n);
        expect(native.getNumThreads()).toBe(n);
        expect(native.backendInfo().threads).toBe(n);
      }
    } finally {
      native.setNumThreads(before);
    }
    expect(native.getNumThreads()).toBe(before);
  });

  it('rejects counts outside [1, 256] and keeps the old count', () => {
    const before = native.getNumThreads();
    for (const bad of [0, -1, 257, 1.5, NaN]) {
      expect(() => native.setNumThreads(bad)).toThrow(/setNumThreads/);
      expect(native.getNumThreads()).toBe(before);
    }
  });
});
