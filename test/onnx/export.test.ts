// onnx.export: every layer's model run in ONNX Runtime (onnxruntime-node) on the sample inputs,
// fresh inputs and other sizes along the dynamic axes, equal to myelin within 1e-5 relative;
// errors that name the op and the module for what cannot be exported; the protobuf itself.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cat, manualSeed, nn, onnx, randint, randn, Tensor, tensor } from '../../lib/index.js';
import { ModelProto } from '../../lib/onnx/proto.js';
import { fashionCnn } from '../helpers/models.js';
import { Fn, layerCases } from './cases.js';
import { checkCase } from './ort_check.js';

const dir = mkdtempSync(join(tmpdir(), 'myelin-onnx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('onnx.export: every layer runs in ONNX Runtime with myelin outputs', () => {
  for (const c of layerCases()) {
    it(c.name, async () => {
      await checkCase(c);
    });
  }
});

describe('onnx.export: models', () => {
  it('the Fashion-MNIST CNN, with a dynamic batch, names and initializers from the state dict', async () => {
    manualSeed(1);
    const model = fashionCnn();
    const bytes = await checkCase({
      name: 'fashion_cnn',
      model,
      args: [randn([2, 1, 28, 28])],
      options: {
        inputNames: ['image'],
        outputNames: ['logits'],
        dynamicAxes: { image: { 0: 'batch' }, logits: { 0: 'batch' } },
      },
      more: [[randn([5, 1, 28, 28])], [randn([1, 1, 28, 28])]],
    });
    const m = ModelProto.toObject(ModelProto.decode(bytes), { longs: Number }) as {
      opsetImport: { version: number }[];
      graph: {
        input: { name: string; type: { tensorType: { shape: { dim: { dimParam?: string; dimValue?: number }[] } } } }[];
        output: { name: string }[];
        initializer: { name: string }[];
        node: { opType: string }[];
      };
    };
    expect(m.opsetImport[0].version).toBe(17);
    expect(m.graph.input[0].name).toBe('image');
    expect(m.graph.input[0].type.tensorType.shape.dim.map((d) => d.dimParam ?? d.dimValue)).toEqual([
      'batch',
      1,
      28,
      28,
    ]);
    expect(m.graph.output[0].name).toBe('logits');
    expect(
      m.graph.initializer
        .map((i) => i.name)
        .filter((n) => /\.(weight|bias)$/.test(n))
        .sort(),
    ).toEqual(['0.weight', '0.bias', '3.weight', '3.bias', '7.weight', '7.bias', '9.weight', '9.bias'].sort());
    expect(m.graph.node.map((n) => n.opType)).toEqual([
      'Conv',
      'Relu',
      'MaxPool',
      'Conv',
      'Relu',
      'MaxPool',
      'Reshape',
      'Gemm',
      'Relu',
      'Gemm',
    ]);
  });

  it('the LSTM text classifier (seed 002), writing the file with onnx.export', async () => {
    manualSeed(2);
    class TextClassifier extends nn.Module {
      embedding = new nn.Embedding(40, 16);
      lstm = new nn.LSTM(16, 32, { batchFirst: true, bidirectional: true });
      classifier = new nn.Linear(64, 4);
      forward(x: Tensor): Tensor {
        const [, [hidden]] = this.lstm.call(this.embedding.call(x)) as [Tensor, [Tensor, Tensor]];
        const both = cat([hidden.select(0, -2), hidden.select(0, -1)], -1);
        return this.classifier.call(both);
      }
    }
    const model = new TextClassifier();
    const path = join(dir, 'text.onnx');
    onnx.export(model, [randint(0, 40, [3, 12])], path, {
      dynamicAxes: { input: { 0: 'batch', 1: 'sequence' }, output: { 0: 'batch' } },
    });
    const bytes = new Uint8Array(readFileSync(path));
    const c = { name: 'text', model, args: [randint(0, 40, [3, 12])], more: [[randint(0, 40, [7, 20])]] };
    const ort = await import('onnxruntime-node');
    const session = await ort.InferenceSession.create(bytes);
    for (const [x] of [c.args, ...c.more]) {
      const out = await session.run({ input: new ort.Tensor('int32', x.toTypedArray() as Int32Array, [...x.shape]) });
      const want = model.call(x) as Tensor;
      const got = out.output.data as Float32Array;
      const w = want.data as Float32Array;
      const scale = Math.max(...Array.from(w, Math.abs));
      for (let i = 0; i < w.length; i++) expect(Math.abs(got[i] - w[i])).toBeLessThanOrEqual(1e-5 * scale);
    }
  });

  it('doConstantFolding: false keeps the ops on constants as nodes', async () => {
    const mha = new nn.MultiheadAttention(4, 2);
    const model = new Fn((q) => mha.call(q, q, q, { needWeights: false })[0], { mha });
    const q = randn([3, 2, 4]);
    const folded = await checkCase({ name: 'mha_folded', model, args: [q] });
    const unfolded = await checkCase({ name: 'mha_unfolded', model, args: [q], options: { doConstantFolding: false } });
    const count = (b: Uint8Array) =>
      (ModelProto.decode(b) as unknown as { graph: { node: unknown[] } }).graph.node.length;
    expect(count(unfolded)).toBeGreaterThan(count(folded));
  });
});

describe('onnx.export refuses what it cannot export, naming the op and the module', () => {
  it('an op computed outside the recorded ops (values read in JavaScript)', () => {
    const inner = new Fn((x) => {
      const v = x.sum().item() as number; // data-dependent: baked in by a naive tracer
      return x.mul(tensor([v]));
    });
    const model = new nn.Sequential(new nn.Linear(2, 2), inner);
    expect(() => onnx.exportModel(model, [randn([3, 2])])).toThrow(
      /onnx\.export: Fn\.fn \(export\.test\.ts\) in module '1' reads the values of a tensor computed from the inputs in JavaScript \(item\(\)\)/,
    );
  });

  it('a value computed from the inputs behind the recorder (raw storage access)', () => {
    const model = new Fn((x) => x.add(Tensor.fromData(Float32Array.from(x.storage.data as Float32Array), x.shape)));
    expect(() => onnx.exportModel(model, [randn([2, 2])])).toThrow(
      /onnx\.export: add in the top-level module: an input \(shape \[2,2\]\) depends on the model's inputs but was computed by Fn\.fn \(export\.test\.ts\), outside the ops the exporter records/,
    );
  });

  it('dropout of a module left in training mode', () => {
    const drop = new nn.Dropout(0.5);
    const model = new Fn((x) => drop.call(x));
    expect(() => onnx.exportModel(model, [randn([2, 2])])).toThrow(
      /onnx\.export: dropout in module '\(a Dropout outside the model\)': dropout ran in training mode/,
    );
  });

  it('in-place ops export as their out-of-place form; writes through a view are refused', async () => {
    const block = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU({ inplace: true }));
    await checkCase({
      name: 'residual_inplace',
      model: new Fn(
        (x) => {
          const out = block.call(x) as Tensor;
          out.add_(x).mul_(0.5);
          return out;
        },
        { block },
      ),
      args: [randn([3, 4])],
    });
    const viewWrite = new Fn((x) => {
      const y = x.mul(2);
      y.narrow(1, 0, 1).relu_();
      return y.add(1);
    });
    expect(() => onnx.exportModel(viewWrite, [randn([3, 4])])).toThrow(
      /onnx\.export: add in the top-level module: an input \(shape \[3,4\]\) was modified in place after it was computed/,
    );
  });

  it('sliding windows over a dynamic spatial axis', () => {
    const model = new nn.Unfold(3, { padding: 1 });
    expect(() => onnx.exportModel(model, [randn([1, 2, 6, 6])], { dynamicAxes: { input: { 2: 'height' } } })).toThrow(
      /im2col in the top-level module: the image size \(dim 2 of its input\) is 6 here and \d+ with other sizes/,
    );
    const windows = new Fn((x) => x.unfold(1, 2, 2));
    expect(() => onnx.exportModel(windows, [randn([2, 6])], { dynamicAxes: { input: { 1: 'n' } } })).toThrow(
      /unfold in the top-level module: the unfolded dim \(dim 1 of its input\) is 6 here/,
    );
  });

  it('an LSTM with projSize', () => {
    const lstm = new nn.LSTM(3, 4, { projSize: 2 });
    const model = new Fn((x) => lstm.call(x)[0]);
    expect(() => onnx.exportModel(model, [randn([5, 1, 3])])).toThrow(
      /an LSTM with projSize .* has no equivalent in ONNX/,
    );
  });

  it('control flow that depends on input values', () => {
    const model = new Fn((x) => ((x.sum().item() as number) > 0 ? x.relu() : x.neg().exp()));
    expect(() => onnx.exportModel(model, [tensor([[1, 2]])])).toThrow(
      /reads the values of a tensor computed from the inputs/,
    );
  });

  it('a reshape that bakes in the batch size', () => {
    const model = new Fn((x) => x.reshape(6));
    expect(() => onnx.exportModel(model, [randn([2, 3])], { dynamicAxes: { input: { 0: 'batch' } } })).toThrow(
      /onnx\.export: (view|the forward)/,
    );
  });

  it('unknown options, with the camelCase spelling', () => {
    const model = new nn.Linear(2, 2);
    expect(() => onnx.exportModel(model, [randn([1, 2])], { opset_version: 17 } as never)).toThrow(
      /unknown option 'opset_version'; did you mean 'opsetVersion'\?/,
    );
    expect(() => onnx.exportModel(model, [randn([1, 2])], { opsetVersion: 13 })).toThrow(
      /opsetVersion 13 is not supported \(17 is\)/,
    );
    expect(() => onnx.exportModel(model, [randn([1, 2])], { dynamicAxes: { nope: [0] } })).toThrow(
      /dynamicAxes names 'nope', which is neither an input nor an output/,
    );
  });
});
