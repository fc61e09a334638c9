// The op declarations as a whole (test/ops/declarations/): every lib/ops file with ops has its
// declarations and a test file that runs them, names are unique, and every PyTorch golden case
// of the fixture files the harness reads is replayed by some declaration.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadFixture } from '../helpers/fixtures.js';
import { declarationsByFile } from './declarations/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const all = Object.values(declarationsByFile).flat();
const opsModule = (file: string): Promise<Record<string, unknown>> =>
  import(/* @vite-ignore */ pathToFileURL(path.join(root, 'lib', 'ops', `${file}.ts`)).href);

// lib/ops files without declarations, and why: they hold no op of their own.
const noOps: Record<string, string> = {
  methods: 'Tensor methods that call ops declared elsewhere (and data accessors)',
  inplace: 'in-place variants (x.add_, copy_...): the version counter and view rules, tested in inplace.test.ts',
  rnn_layer: 'the recurrent layer op behind nn.RNN/LSTM/GRU, checked through the modules (test/nn/rnn.test.ts)',
};

// Functions exported by lib/ops files that are not ops under their own name, and why. Every
// other exported function is an op and must be declared (its name, up to a space, colon, comma
// or parenthesis, is the declaration's).
const notOps: Record<string, string> = {
  'cast.float32Operand': 'a helper: an int32/bool operand promoted to float32 for float32-only ops (float64 refused)',
  'cast.byteProduct':
    'a helper: the int8/uint8 products run in int32 and cast back (matmul, mm, bmm, mv, dot, outer, einsum)',
  'attention.additiveMask': 'a helper: a bool or float mask as the additive form attention uses',
  'attention.causalMask':
    "builds a mask from two sizes (no tensor input); scaledDotProductAttention's causal samples use it",
  'binary.asTensor': 'a helper: a number or tensor operand as a tensor',
  'binary.asTensorBeside': 'a helper: a number beside a tensor of a dtype as a tensor (float64 kept)',
  'binary.broadcastSum': 'a helper: the JVP of a sum of broadcast terms, checked through the ops that use it',
  'binary.resultType': "a helper: PyTorch's type promotion, checked through the binary ops' dtypes",
  'binary.floatPair': 'a helper: two operands promoted to float32',
  'binary.intBinary': 'a helper: the integer path of the arithmetic ops declared in binary.ts',
  'binary.intDivision': 'a helper: the integer path of div with a rounding mode, remainder, fmod and floorDivide',
  'binary.floatMap': 'a helper: the float path of div with a rounding mode, remainder, fmod and floorDivide',
  'binary.floorDivFloat': 'a helper: one float quotient rounded down (div floor, floorDivide)',
  'binary.floorDivInt': 'a helper: one integer quotient rounded down (div floor, floorDivide)',
  'binary.refuseBoolPair': "a helper: the division ops' refusal of two bool tensors",
  'binary.divRounded': 'div with a rounding mode under the name of its caller (declared as div)',
  'compare.equal': 'returns a boolean, not a tensor (tested in pointwise.test.ts)',
  'compare.allclose': 'returns a boolean, not a tensor (tested in pointwise.test.ts)',
  'fold.geometry': "a helper: unfold's and fold's kernel, dilation, padding and stride checked",
  'rounding.roundHalfEven': 'a helper: one number rounded half to even',
  'special.erf64': 'a helper: the float64 function behind erf of one number',
  'special.erfc64': 'a helper: the float64 function behind erfc of one number',
  'special.erfinv64': 'a helper: the float64 function behind erfinv of one number',
  'unary.defineUnary': 'a helper that defines a unary op (the ops it defines are declared)',
  'unique.UniqueResult': "a class: unique's values, inverse and counts",
  'view.stridedView': 'a helper that defines a view op (the views it defines are declared)',
  'einsum.parseEinsum': "a helper: the equation's parser (its errors are einsum's, declared)",
  'indexing.scatterAddOp': 'the recorded op behind scatterAdd (declared)',
  'interpolate.checkInterpolateMode': 'a helper: the mode argument check',
  'pointwise.mapBinaryRaw': 'an unrecorded kernel caller under the ops',
  'reduce.reducedShape': 'a shape helper',
  'reduce.int32Overflow':
    'a helper: the error of int32 sum, prod and cumsum when the result does not fit (tested in int32_and_storage.test.ts)',
  'reduce.rowsOf': 'an unrecorded kernel caller under the ops',
  'reduce.fromRows': 'an unrecorded kernel caller under the ops',
  'reduce.reduceRaw': 'an unrecorded kernel caller under the ops',
  'reduce.sumTo': 'the broadcast gradient reduction the backwards use',
  'reduce.ValuesIndices': "a class: max/min/sort's (values, indices) result",
  'reduce_stats.variance': 'declared as var (its PyTorch name; Tensor.var calls it)',
  'softmax.checkClassWeight': "a helper: nllLoss's and crossEntropy's weight dtype check",
  'softmax.checkOut': "a helper: the out option's check",
  'softmax.copyInto': "a helper: writes a result into the out option's tensor",
  'softmax.runRows': 'a helper: the native softmax kernels over contiguous rows (also the fused attention)',
  'unary.unaryRaw': 'an unrecorded kernel caller under the ops',
  'unary.mapRaw': 'an unrecorded kernel caller under the ops',
  'view.asView': 'a helper: a view from shape, strides and offset',
  'view.viewStrides': "a shape helper: the strides of a view's new shape, if it has any",
  'view.sizesArg': 'a helper: sizes given as a list or as arguments',
};

describe('op declarations', () => {
  it('cover every lib/ops file with ops, each run by test/ops/<file>.test.ts', () => {
    const files = readdirSync(path.join(root, 'lib', 'ops')).map((f) => f.replace(/\.ts$/, ''));
    for (const f of files) {
      if (noOps[f]) continue;
      expect(declarationsByFile[f], `lib/ops/${f}.ts has no declarations`).toBeDefined();
    }
    for (const f of Object.keys(declarationsByFile)) {
      const test = path.join(root, 'test', 'ops', `${f}.test.ts`);
      expect(existsSync(test), `test/ops/${f}.test.ts`).toBe(true);
      const camel = f.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
      expect(readFileSync(test, 'utf8'), `test/ops/${f}.test.ts runs ${camel}Ops`).toContain(
        `describeOps(${camel}Ops)`,
      );
    }
  });

  it('declare every function a lib/ops file exports, except the helpers listed with a reason', async () => {
    const declared = new Set(all.map((d) => d.name.split(/[ :,(]/)[0]));
    const missing: string[] = [];
    for (const f of readdirSync(path.join(root, 'lib', 'ops'))) {
      const file = f.replace(/\.ts$/, '');
      if (noOps[file]) continue;
      const mod = await opsModule(file);
      for (const [name, value] of Object.entries(mod)) {
        if (typeof value === 'function' && !declared.has(name) && !notOps[`${file}.${name}`])
          missing.push(`${file}.${name}`);
      }
    }
    expect(missing, 'exports of lib/ops that are neither declared nor listed in notOps').toEqual([]);
    // A listed helper that is gone or now declared is removed from the list.
    for (const key of Object.keys(notOps)) {
      const [file, name] = key.split('.');
      const mod = await opsModule(file);
      expect(typeof mod[name], `${key} (listed in notOps)`).toBe('function');
      expect(declared.has(name), `${key} is declared: remove it from notOps`).toBe(false);
    }
  });

  it('have unique names', () => {
    const names = all.map((d) => d.name);
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });

  it('replay every golden case of the fixtures they read', () => {
    const sources = new Set(all.flatMap((d) => d.fixtures ?? []).map((g) => g.source));
    const want: string[] = [];
    const groups = (file: string, names: string[]) => {
      const fx = loadFixture<Record<string, unknown[]>>(file);
      for (const g of names) fx[g].forEach((_, i) => want.push(`${file}.json ${g} #${i}`));
    };
    groups('tensor_ops', ['cases']);
    groups('linalg', ['matmul', 'einsum', 'indexing']);
    groups(
      'conv',
      Object.keys(loadFixture('conv')).filter((k) => k !== 'torch'),
    );
    groups('softmax', ['softmax', 'logSoftmax', 'logsumexp', 'crossEntropy']);
    for (const name of ['softmax', 'logSoftmax', 'logsumexp']) want.push(`softmax.json large ${name}`);
    groups('nn', ['activations', 'losses', 'nll']);
    groups('cnn_layers', ['interpolate', 'pad']);
    expect(want.filter((s) => !sources.has(s))).toEqual([]);
    expect(want.length).toBeGreaterThan(250);
  });
});
