// V8's collector against training throughput: steps/s, full collections and peak RSS of N1 (the
// CNN, float32 and autocast bf16) or M1 (the MLP, batch 64 and 256) at each thread count, with
// each GC mode (utils.setGcMode) or V8 flag set at run time, as a training script would set it.
//
//   npm run build && node bench/gc_mode.mjs [N1|M1] [--threads 1,2] [--steps 100]
//        [--modes default,throughput] [--v8-flag=F ...]
//
// --v8-flag=F adds a case per flag (v8.setFlagsFromString before myelin loads, in place of a
// mode: '--no-concurrent-marking', '--heap-growing-percent=200 --no-concurrent-marking').
// Each case runs in its own process (V8's flags are the process's): warm-up steps (N1 15, M1
// 1,000), then `steps` timed (N1 100, M1 2,000 at batch 64 and 1,000 at 256 by default), full
// collections counted by a PerformanceObserver over the timed steps, peak RSS the process's.
import { spawnSync } from 'node:child_process';
import { constants as perf, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';

if (process.env.MYELIN_GC_MODE_CASE) {
  const c = JSON.parse(process.env.MYELIN_GC_MODE_CASE);
  for (const f of c.flags) v8.setFlagsFromString(f);
  const { myelin } = await import('./lib/myelin.js');
  if (c.mode) myelin.utils.setGcMode(c.mode);
  myelin.setNumThreads(c.threads);
  let step;
  let warmup;
  if (c.workload === 'N1') {
    const { makeStep } = await import('./workloads/N1.js');
    step = makeStep(32, { autocast: c.variant === 'autocast' });
    warmup = 15;
  } else {
    const { mlp } = await import('./workloads/M1.js');
    myelin.manualSeed(0);
    const model = mlp();
    const opt = new myelin.optim.SGD([...model.parameters()], { lr: 0.01, momentum: 0.9 });
    const x = myelin.randn([c.variant, 784]);
    const y = myelin.randint(0, 10, [c.variant]);
    step = () => {
      opt.zeroGrad();
      myelin.nn.functional.crossEntropy(model.call(x), y).backward();
      opt.step();
    };
    warmup = 1000;
  }
  for (let i = 0; i < warmup; i++) step();
  let majors = 0;
  const count = (entries) => {
    for (const e of entries) if (e.detail.kind === perf.NODE_PERFORMANCE_GC_MAJOR) majors++;
  };
  const observer = new PerformanceObserver((list) => count(list.getEntries()));
  observer.observe({ entryTypes: ['gc'] });
  const t0 = performance.now();
  for (let i = 0; i < c.steps; i++) step();
  const seconds = (performance.now() - t0) / 1000;
  // The last collections' entries reach the observer from the event loop.
  await new Promise((resolve) => setTimeout(resolve, 0));
  count(observer.takeRecords());
  observer.disconnect();
  process.stdout.write(
    JSON.stringify({ stepsPerS: c.steps / seconds, majors, peakMB: process.resourceUsage().maxRSS / 1024 }),
  );
} else {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      threads: { type: 'string', default: '1,2' },
      steps: { type: 'string' },
      modes: { type: 'string', default: 'default,throughput' },
      'v8-flag': { type: 'string', multiple: true, default: [] },
    },
  });
  const workload = (positionals[0] ?? 'N1').toUpperCase();
  if (workload !== 'N1' && workload !== 'M1') throw new Error(`bench/gc_mode.mjs: workload N1 or M1, got ${workload}`);
  const settings = [
    ...values.modes.split(',').map((mode) => ({ label: `mode ${mode}`, mode, flags: [] })),
    ...values['v8-flag'].map((f) => ({ label: f, mode: null, flags: f.split(' ') })),
  ];
  const variants = workload === 'N1' ? ['float32', 'autocast'] : [64, 256];
  console.log(`${workload}, ${process.version}; steps/s, full collections in the timed steps, peak RSS`);
  for (const threads of values.threads.split(',').map(Number)) {
    for (const variant of variants) {
      const steps = Number(values.steps ?? (workload === 'N1' ? 100 : variant === 64 ? 2000 : 1000));
      for (const s of settings) {
        const spec = { workload, variant, threads, steps, mode: s.mode, flags: s.flags };
        const out = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
          env: { ...process.env, MYELIN_GC_MODE_CASE: JSON.stringify(spec) },
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        if (out.status !== 0) {
          console.log(`${workload} ${threads} thr ${variant} [${s.label}]: failed (${out.status ?? out.signal})`);
          continue;
        }
        const r = JSON.parse(out.stdout);
        const batch = workload === 'M1' ? `batch ${variant}` : variant;
        console.log(
          `${workload} ${threads} thr ${batch} [${s.label}]: ${r.stepsPerS.toFixed(1)} steps/s, ${r.majors} full collections in ${steps} steps, peak ${r.peakMB.toFixed(0)} MB`,
        );
      }
    }
  }
}
