// The variance of activations through 10 Linear(100,100) + ReLU layers under
// Xavier-uniform, He (Kaiming-normal, fan_in) and N(0, 0.01) initialisation.
// He keeps the variance roughly constant; Xavier halves it per layer (ReLU zeroes half the
// signal); N(0, 0.01) makes it vanish.
//   npm run build && node examples/init_variance.mjs [layers]
import { manualSeed, nn, noGrad, randn } from '../dist/index.js';

const layers = Number(process.argv[2] ?? 10);
manualSeed(0);
const init = nn.init;
const schemes = {
  Xavier: (w) => init.xavierUniform_(w),
  He: (w) => init.kaimingNormal_(w, { mode: 'fan_in', nonlinearity: 'relu' }),
  'N(0,0.01)': (w) => init.normal_(w, 0, 0.01),
};

const x0 = randn([1000, 100]);
const table = {};
for (const [name, initFn] of Object.entries(schemes)) {
  const net = new nn.Sequential(
    ...Array.from({ length: layers }, () => new nn.Sequential(new nn.Linear(100, 100, { bias: false }), new nn.ReLU())),
  );
  for (const m of net.modules()) if (m instanceof nn.Linear) initFn(m.weight);
  const variances = [x0.var().item()];
  noGrad(() => {
    let x = x0;
    for (const block of net) {
      x = block.call(x);
      variances.push(x.var().item());
    }
  });
  table[name] = variances;
}

const names = Object.keys(table);
console.log(['layer', ...names].map((s) => s.padStart(12)).join(''));
for (let l = 0; l <= layers; l++) {
  console.log([String(l), ...names.map((n) => table[n][l].toExponential(3))].map((s) => s.padStart(12)).join(''));
}
