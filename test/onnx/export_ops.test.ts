// onnx.export beyond the layers: the op sweep of op_cases.ts run in ONNX Runtime, and what stays
// unexportable, each refused with an error naming the op and the module.
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it } from 'vitest';
import { autograd, nn, noGrad, onnx, randn, type Tensor, unique } from '../../lib/index.js';
import { Fn } from './cases.js';
import { float64Cases, float64LayerCases, tails } from './float64_cases.js';
import { opCases } from './op_cases.js';
import { checkCase, toOrt } from './ort_check.js';

describe('onnx.export: ops with several or data-dependent results, losses, integer paths', () => {
  for (const c of opCases()) {
    it(c.name, async () => {
      await checkCase(c);
    });
  }
});

describe('onnx.export of float64 models: float64 constants, the float32-only ops written out', () => {
  for (const c of [...float64Cases(), ...float64LayerCases()]) {
    it(c.name, async () => {
      await checkCase(c);
    });
  }

  it('log1p, expm1, elu and softplus near 0 and in the tails: each element within 4 ulps of its own size', async () => {
    // checkCase measures against the largest output, which a Log(1 + x) of 1e-12 would pass.
    const x = tails(4);
    const model = new Fn((a) => [a.log1p(), a.expm1(), nn.functional.elu(a), nn.functional.softplus(a.sub(20))]);
    const session = await ort.InferenceSession.create(onnx.exportModel(model, [x]));
    const got = await session.run({ [session.inputNames[0]]: toOrt(x) });
    const want = noGrad(() => model.call(x)) as Tensor[];
    session.outputNames.forEach((n, i) => {
      const w = want[i].toTypedArray() as Float64Array;
      const g = got[n].data as Float64Array;
      w.forEach((v, k) => {
        if (Object.is(v, g[k])) return;
        expect(Math.abs(g[k] - v), `output ${i} [${k}]: myelin ${v}, onnxruntime ${g[k]}`).toBeLessThanOrEqual(
          4 * Number.EPSILON * Math.abs(v),
        );
      });
    });
  });
});

const lstm = new nn.LSTM(25, 3).double();
const cell = new nn.GRUCell(100, 3).double();

describe('onnx.export refuses, naming the op and the module', () => {
  const cube = autograd.defineOp({
    name: 'cube',
    forward(_ctx, x: Tensor) {
      return x.mul(x).mul(x);
    },
    backward(_ctx, g: Tensor) {
      return [g];
    },
  });
  afterEach(() => {
    onnx.opHandlers.delete('cube');
  });

  it("an op of the user's own (autograd.defineOp) without an ONNX mapping", () => {
    const model = new nn.Sequential(new nn.Linear(2, 3), new Fn((x) => cube(x)));
    expect(() => onnx.exportModel(model, [randn([2, 2])])).toThrow(
      /onnx\.export: cube in module '1': the op 'cube' cannot be exported to ONNX yet/,
    );
  });

  it('a mapping can be registered for it; a value the op computed besides its result is refused', async () => {
    onnx.opHandlers.set('cube', (c) => c.g.op('Mul', [c.g.op('Mul', [c.input(0), c.input(0)]), c.input(0)]));
    await checkCase({ name: 'user_op', model: new Fn((x) => cube(x.add(1))), args: [randn([2, 3])] });
    let side: Tensor | null = null;
    const leaky = autograd.defineOp({
      name: 'cube',
      forward(_ctx, x: Tensor) {
        side = x.abs(); // kept aside: the graph has no node for it
        return x.mul(x).mul(x);
      },
      backward(_ctx, g: Tensor) {
        return [g];
      },
    });
    const model = new nn.Sequential(new nn.Linear(2, 2), new Fn((x) => [leaky(x), side as unknown as Tensor]));
    expect(() => onnx.exportModel(model, [randn([3, 2])])).toThrow(
      /onnx\.export: output in the top-level module: the output \(shape \[3,2\]\) is a value that cube in module '1' computed from the model's inputs besides its result/,
    );
  });

  it('unbind and split(size) along a dynamic axis: the number of results would follow it', () => {
    const dynamicAxes = { input: { 0: 'batch' } };
    const unbind = new nn.Sequential(new nn.Linear(2, 2), new Fn((x) => x.unbind(0)));
    expect(() => onnx.exportModel(unbind, [randn([3, 2])], { dynamicAxes })).toThrow(
      /onnx\.export: unbind in module '1': returns 3 tensors here and 6 with other sizes of the dynamic axes/,
    );
    const split = new Fn((x) => x.split(2, 0));
    expect(() => onnx.exportModel(split, [randn([4, 2])], { dynamicAxes })).toThrow(
      /onnx\.export: split in the top-level module: returns 2 tensors here and 4 with other sizes/,
    );
    const sections = new Fn((x) => x.chunk(3, 0));
    expect(() => onnx.exportModel(sections, [randn([4, 2])], { dynamicAxes })).toThrow(
      /onnx\.export: split in the top-level module: split sizes \[2,2\] \(\[3,3,2\]|returns 2 tensors here and 3/,
    );
  });

  it('diagonal and diagEmbed whose matrix size follows a dynamic axis', () => {
    const dynamicAxes = { input: { 0: 'batch' } };
    const diagonal = new nn.Sequential(new nn.Linear(2, 2), new Fn((x) => x.diagonal()));
    expect(() => onnx.exportModel(diagonal, [randn([3, 2])], { dynamicAxes })).toThrow(
      /onnx\.export: diagonal in module '1': the size of dim 0 is 3 here and 6 with other sizes of the dynamic axes/,
    );
    const embed = new Fn((x) => x.diagEmbed());
    expect(() => onnx.exportModel(embed, [randn([3])], { dynamicAxes })).toThrow(
      /onnx\.export: diagEmbed in the top-level module: the size of the last dim is 3 here and 6/,
    );
  });

  it('dropout in training mode (random masks a graph cannot reproduce)', () => {
    const model = new nn.Sequential(
      new nn.Linear(2, 2),
      new Fn((x) => nn.functional.dropout(x, 0.5, { training: true })),
    );
    expect(() => onnx.exportModel(model, [randn([2, 2])])).toThrow(
      /onnx\.export: dropout in module '1': dropout ran in training mode/,
    );
  });

  it('equal/allclose on computed values (their answer would steer the forward)', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new Fn((x) => (x.equal(x.relu()) ? x : x.neg())));
    expect(() => onnx.exportModel(model, [randn([2, 2])])).toThrow(
      /onnx\.export: .* in module '1' reads the values of a tensor computed from the inputs in JavaScript \(equal\(\)\)/,
    );
  });

  it('unique of computed values (its size comes from them)', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new Fn((x) => unique(x.gt(0).int())));
    expect(() => onnx.exportModel(model, [randn([3, 2])])).toThrow(
      /onnx\.export: unique \(lib\/ops\/unique\.ts\) in module '1' reads the values of a tensor computed from the inputs in JavaScript \(unique\(\)\)/,
    );
  });

  it('random numbers drawn in forward', () => {
    const model = new nn.Sequential(new nn.Linear(2, 2), new Fn((x) => x.add(randn([2, 2]))));
    expect(() => onnx.exportModel(model, [randn([2, 2])])).toThrow(
      /onnx\.export: add in module '1': an input \(shape \[2,2\]\) depends on the model's inputs but was computed by .*random_tensors/,
    );
  });

  it('float64 ops that onnxruntime cannot run in float64, or whose ONNX formula is float32-accurate', () => {
    const x = randn([2, 4, 5, 5]).double();
    const refused: [string, nn.Module, RegExp][] = [
      ['erf', new Fn((a) => a.erf()), /erf in the top-level module: .*no float64 kernel for Erf\)/],
      ['erfc', new Fn((a) => a.erfc()), /erfc in the top-level module: .*accurate to 1\.2e-7, not to float64/],
      ['erfinv', new Fn((a) => a.tanh().erfinv()), /erfinv in the top-level module: .*Erf, which its Newton steps use/],
      ['gelu', new nn.Sequential(new nn.GELU()), /gelu in module '0': .*no float64 kernel for Erf\)/],
      ['conv2d', new nn.Conv2d(4, 2, 3).double(), /conv2d in the top-level module: .*no float64 kernel for Conv\)/],
      ['convT', new nn.ConvTranspose2d(4, 2, 3).double(), /no float64 kernel for ConvTranspose\)/],
      ['avgPool2d', new nn.AvgPool2d(2), /avgPool2d in the top-level module: .*no float64 kernel for AveragePool\)/],
      [
        'LSTM',
        new Fn((a) => lstm.call(a.reshape([4, 2, 25]))[0], { lstm }),
        /LSTM in module 'lstm': .*written as float32/,
      ],
      [
        'GRUCell',
        new Fn((a) => cell.call(a.reshape([2, 100])), { cell }),
        /GRUCell in module 'cell': .*written as float32/,
      ],
    ];
    for (const [name, model, message] of refused) {
      const threw = () => onnx.exportModel(model, [x]);
      expect(threw, name).toThrow(message);
      expect(threw, name).toThrow(
        /onnx\.export: .*: float64 is not exported for this op \(.*\); export model\.float\(\) \(float32\) instead$/,
      );
      // The same model in float32 exports.
      expect(() => onnx.exportModel(model.float(), [x.float()]), name).not.toThrow();
    }
  });
});
