import { it } from 'vitest';
import { manualSeed, nn, noGrad, randn, setNumThreads } from '../../lib/index.js';
const med = (f: () => void) => { const ts: number[] = []; for (let i = 0; i < 9; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[4].toFixed(1); };
it('timing', () => {
  manualSeed(0);
  setNumThreads(1);
  const m = new nn.LSTM(64, 128, { batchFirst: true });
  const x = randn([32, 50, 64]).requiresGrad_();
  console.log('fwd nograd', med(() => noGrad(() => m.forward(x))), 'fwd', med(() => m.forward(x)), 'fwd+bwd', med(() => { const [y] = m.forward(x); y.sum().backward(); }));
});
