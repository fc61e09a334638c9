// Automatic differentiation on a DAG, forward mode (JVP) against reverse mode (VJP): the
// computational graph of z = x² + xy + y², a forward-mode derivative carried alongside the value
// (by hand, then with dual tensors), reverse mode through y = xW + b, and why reverse mode suits
// deep learning: one backward gives the gradient of a scalar loss in every parameter, where
// forward mode needs one pass per input (and the other way round for f: R -> R^m).
//   npm run build && node examples/jvp_vs_vjp.mjs [size] [layers]
import { autograd, forwardAD, randn, relu, tensor } from '../dist/index.js';

const size = Number(process.argv[2] ?? 1000);
const layers = Number(process.argv[3] ?? 10);

// 3.1 The computational graph
{
  const x = tensor(2.0).requiresGrad_();
  const y = tensor(3.0).requiresGrad_();
  // forward
  const z = x.pow(2).add(x.mul(y)).add(y.pow(2));
  z.backward(); // backpropagation
  console.log(`z = ${z.item()}`);
  console.log(`dz/dx = ${x.grad.item()}`); // 2x + y = 2*2 + 3 = 7
  console.log(`dz/dy = ${y.grad.item()}`); // x + 2y = 2 + 2*3 = 8
}

// 3.2 Forward mode: input -> output, the Jacobian-vector product
function forwardModeExample() {
  // f(x) = x^2 + 2x + 1, df/dx = 2x + 2
  const x = 3.0;
  const dx = 1.0; // the direction (usually 1)
  // value and derivative together
  const y = x ** 2 + 2 * x + 1; // y = 16
  const dy = 2 * x * dx + 2 * dx; // dy/dx = 8
  return [y, dy];
}
{
  const [y, dy] = forwardModeExample();
  console.log(`f(3) = ${y}, f'(3) = ${dy}`);
  // The same with dual tensors: every op carries the tangent along (forwardAD).
  const [yt, dyt] = forwardAD.dualLevel(() => {
    const x = forwardAD.makeDual(tensor(3.0), tensor(1.0));
    const { primal, tangent } = forwardAD.unpackDual(x.pow(2).add(x.mul(2)).add(1));
    return [primal.item(), tangent.item()];
  });
  console.log(`forwardAD: f(3) = ${yt}, f'(3) = ${dyt}`);
}

// 3.3 Reverse mode: output -> input, the vector-Jacobian product
function reverseModeDemo() {
  const x = tensor([1.0, 2.0, 3.0]).requiresGrad_();
  const w = tensor([
    [1.0, 2.0],
    [3.0, 4.0],
    [5.0, 6.0],
  ]).requiresGrad_();
  const b = tensor([1.0, 1.0]).requiresGrad_();
  // forward: y = w^T x + b
  const y = x.matmul(w).add(b); // (2,)
  // loss: L = ||y||^2
  const loss = y.pow(2).sum();
  // backward
  loss.backward();
  console.log(`x.grad shape: [${x.grad.shape}]`); // (3,)
  console.log(`w.grad shape: [${w.grad.shape}]`); // (3, 2)
  console.log(`b.grad shape: [${b.grad.shape}]`); // (2,)
  return loss.item();
}
console.log(`Loss: ${reverseModeDemo()}`);

// 3.4 Why reverse mode suits deep learning: f: R^n -> R, one backward for all n derivatives.
function forwardPass(params) {
  let x = randn([size, size]);
  for (const p of params) x = relu(x.matmul(p));
  return x.sum();
}
const paramList = Array.from({ length: layers }, () => randn([size, size]).requiresGrad_());
let start = performance.now();
const loss = forwardPass(paramList);
loss.backward();
const reverseTime = (performance.now() - start) / 1000;
console.log(`reverse mode time: ${reverseTime.toFixed(4)} s`);
console.log(`parameters: ${paramList.reduce((n, p) => n + p.numel(), 0).toLocaleString('en-US')}`);
console.log('one backward pass computed every gradient');

// Forward mode needs a pass per input for that gradient, reverse mode a pass per output: for
// f(x) = A x with n inputs and m outputs, the full Jacobian is n JVPs or m VJPs.
const f = (a) => (x) => a.matmul(x);
for (const [n, m] of [
  [64, 1],
  [1, 64],
]) {
  const a = randn([m, n]);
  const x = randn([n]);
  start = performance.now();
  const jr = autograd.functional.jacobian(f(a), x);
  const reverse = performance.now() - start;
  start = performance.now();
  const jf = autograd.functional.jacobian(f(a), x, { vectorize: true, strategy: 'forward-mode' });
  const forward = performance.now() - start;
  const same = jr.sub(jf).abs().max().item() === 0 && jr.sub(a).abs().max().item() === 0;
  console.log(
    `f: R^${n} -> R^${m}: reverse mode ${m} backward pass(es) ${reverse.toFixed(1)} ms, forward mode ${n} JVP(s) ${forward.toFixed(1)} ms, both equal A: ${same}`,
  );
}
