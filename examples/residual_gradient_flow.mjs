// A plain 50-layer tanh network with N(0, 0.01) weights loses its signal and
// its gradient; the same network with residual connections (x + F(x)) keeps both.
// Prints the output std and the gradient norm at the first layer's weight.
//   npm run build && node examples/residual_gradient_flow.mjs [depth]
import { manualSeed, nn, randn } from '../dist/index.js';

const depth = Number(process.argv[2] ?? 50);

class Net extends nn.Module {
  constructor(depth, residual) {
    super();
    this.residual = residual;
    this.layers = new nn.ModuleList(
      Array.from({ length: depth }, () => {
        const l = new nn.Linear(100, 100, { bias: false });
        nn.init.normal_(l.weight, 0, 0.01);
        return l;
      }),
    );
  }
  forward(x) {
    for (const layer of this.layers) {
      const fx = layer.call(x).tanh();
      x = this.residual ? fx.add(x) : fx;
    }
    return x;
  }
}

for (const residual of [false, true]) {
  manualSeed(0);
  const net = new Net(depth, residual);
  const x = randn([10, 100]);
  const y = net.call(x);
  y.pow(2).sum().backward();
  const g = net.layers[0].weight.grad.norm().item();
  const name = residual ? 'residual' : 'plain';
  console.log(
    `${name.padEnd(9)} network: output std ${y.std().item().toExponential(3)}, gradient norm at layer 1 ${g.toExponential(3)}`,
  );
}
