// Type tests, checked by tsc (npm test runs it first), never run: each @ts-expect-error line must
// be an error, or tsc fails on the unused directive. Module.call takes and returns what the
// subclass's forward does; a Module of unknown kind (and Sequential, as PyTorch's) stays loose.
import { nn, randn, type Tensor } from '../../lib/index.js';

class TwoLayer extends nn.Module {
  fc1 = new nn.Linear(4, 8);
  fc2 = new nn.Linear(8, 2);
  forward(x: Tensor): Tensor {
    return this.fc2.call(this.fc1.call(x).relu());
  }
}

class Pair extends nn.Module {
  forward(a: Tensor, b: Tensor): [Tensor, number] {
    return [a.add(b), a.numel()];
  }
}

export function moduleCallTypes(): void {
  const model = new TwoLayer();
  const x = randn([3, 4]);
  const y: Tensor = model.call(x);
  y.backward();
  // @ts-expect-error a misspelled method of the result (the result was any)
  model.call(x).bakward();
  // @ts-expect-error forward takes a Tensor
  model.call('not a tensor');
  // @ts-expect-error forward takes one argument
  model.call(x, x);

  const [sum, count] = new Pair().call(x, x);
  sum.backward();
  count.toFixed(0);
  // @ts-expect-error the second element is a number
  count.backward();

  // Built-in layers are typed from their forward too.
  new nn.Linear(4, 2).call(x).backward();
  // @ts-expect-error
  new nn.Linear(4, 2).call(x).bakward();

  // A Module of unknown kind, and a Sequential, return any.
  const anyModule: nn.Module = model;
  anyModule.call(x, 'anything').whatever;
  new nn.Sequential(new nn.Linear(4, 2)).call(x).backward();
}

// item() is typed from the dtype where the checker knows it: a loss or a mean is float32.
export function itemTypes(): void {
  const x = randn([3, 4]);
  const loss = nn.functional.mseLoss(x, randn([3, 4]));
  loss.item().toFixed(3);
  x.mean().item().toFixed(3);
  new nn.CrossEntropyLoss()
    .call(x, randn([3, 4]).softmax(1))
    .item()
    .toFixed(3);
  // A sum of losses stays float32.
  [loss, loss]
    .reduce((a, b) => a.add(b))
    .div(2)
    .item()
    .toFixed(3);
  // @ts-expect-error a tensor of unknown dtype may hold a boolean
  x.item().toFixed(3);
  const known: number | boolean = x.item();
  known.valueOf();
}
