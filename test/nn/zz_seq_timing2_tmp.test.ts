import { it } from 'vitest';
import { native, UnaryOp } from '../../lib/native.js';
import { setNumThreads } from '../../lib/index.js';
const med = (f: () => void) => { const ts: number[] = []; for (let i = 0; i < 9; i++) { const t0 = performance.now(); f(); ts.push(performance.now() - t0); } ts.sort((a, b) => a - b); return ts[4].toFixed(2); };
it('t', () => {
  setNumThreads(1);
  const B = 32, H = 128, G = 512;
  const h = new Float32Array(B * H).fill(0.1), w = new Float32Array(G * H).fill(0.01), pre = new Float32Array(B * G), act = new Float32Array(B * G);
  console.log('50x fwd gemm', med(() => { for (let i = 0; i < 50; i++) native.gemm(false, true, B, G, H, 1, h, 0, H, w, 0, H, 1, pre, 0, G); }));
  console.log('50x bwd gemm', med(() => { for (let i = 0; i < 50; i++) native.gemm(false, false, B, H, G, 1, pre, 0, G, w, 0, H, 1, h, 0, H); }));
  console.log('50x sigmoid', med(() => { for (let i = 0; i < 50; i++) native.unary(UnaryOp.sigmoid, [B, G], act, 0, [G, 1], pre, 0, [G, 1]); }));
  console.log('50x tanh strided', med(() => { for (let i = 0; i < 50; i++) native.unary(UnaryOp.tanh, [B, H], act, 256, [G, 1], pre, 256, [G, 1]); }));
  const big = new Float32Array(1600 * G), hp = new Float32Array(1600 * H), dw = new Float32Array(G * H);
  console.log('dW gemm', med(() => native.gemm(true, false, G, H, 1600, 1, big, 0, G, hp, 0, H, 0, dw, 0, H)));
});
