// Black-box, first-order and second-order optimization of one objective, the
// Rosenbrock function J(x, y) = (1 - x)^2 + 100 (y - x^2)^2 (minimum 0 at (1, 1)) from (-1.5, 2):
//   black box:    random search, J only;
//   first order:  gradient descent, J and its gradient;
//   second order: Newton's method with the exact Hessian (a second backward through the first);
//   quasi-Newton: optim.LBFGS with the strong-Wolfe line search (curvature from gradients only).
// Prints how many evaluations each took and where it ended.
//   npm run build && node examples/optimization_methods.mjs [gdSteps]
import { autograd, Generator, optim, tensor } from '../dist/index.js';

const gdSteps = Number(process.argv[2] ?? 20000);
const start = [-1.5, 2];
const J = (p) => {
  const x = p.select(0, 0);
  const y = p.select(0, 1);
  return x
    .neg()
    .add(1)
    .pow(2)
    .add(y.sub(x.mul(x)).pow(2).mul(100));
};
const show = (name, evals, p) => {
  const [x, y] = Array.from(p.data);
  console.log(
    `${name.padEnd(13)} ${String(evals).padStart(6)} evaluations  x = ${x.toFixed(6)}, y = ${y.toFixed(6)}, J = ${J(p).item().toExponential(3)}`,
  );
};

// Black box: keep the best of uniform random guesses in [-2, 2]^2.
const gen = new Generator().manualSeed(0);
let best = tensor(start);
for (let i = 0; i < 2000; i++) {
  const guess = tensor([4 * gen.nextFloat() - 2, 4 * gen.nextFloat() - 2]);
  if (J(guess).item() < J(best).item()) best = guess;
}
show('black box', 2000, best);

// First order: theta <- theta - lr * grad J.
const p = tensor(start).requiresGrad_();
const sgd = new optim.SGD([p], { lr: 1e-3 });
for (let i = 0; i < gdSteps; i++) {
  sgd.zeroGrad();
  J(p).backward();
  sgd.step();
}
show('first order', gdSteps, p);

// Second order: theta <- theta - H^-1 grad J, H from differentiating the gradient again.
let theta = tensor(start);
let newtonSteps = 0;
for (; newtonSteps < 50; newtonSteps++) {
  const q = theta.detach().requiresGrad_();
  const [g] = autograd.grad(J(q), [q], { createGraph: true });
  if (g.abs().max().item() < 1e-6) break;
  const [h0] = autograd.grad(g.select(0, 0), [q], { retainGraph: true });
  const [h1] = autograd.grad(g.select(0, 1), [q]);
  const [a, b] = Array.from(h0.data);
  const [c, d] = Array.from(h1.data);
  const [gx, gy] = Array.from(g.data);
  const det = a * d - b * c;
  theta = tensor([Array.from(q.data)[0] - (d * gx - b * gy) / det, Array.from(q.data)[1] - (a * gy - c * gx) / det]);
}
show('Newton', newtonSteps + 1, theta);

// Quasi-Newton: L-BFGS builds its curvature estimate from successive gradients.
const w = tensor(start).requiresGrad_();
const lbfgs = new optim.LBFGS([w], { lr: 1, maxIter: 100, lineSearchFn: 'strongWolfe' });
let evals = 0;
lbfgs.step(() => {
  evals++;
  lbfgs.zeroGrad();
  const loss = J(w);
  loss.backward();
  return loss;
});
show('L-BFGS', evals, w);
