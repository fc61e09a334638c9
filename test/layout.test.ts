// test/ mirrors lib/: lib/<path>.ts is tested by test/<path>.test.ts. A lib file without its
// own test file is listed below with the tests that cover it and why they live elsewhere; the
// listed tests must exist, and a listed file that gains its own test leaves the list.
// index.ts files re-export and declare nothing: they are exempt.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const coveredElsewhere: Record<string, { by: string[]; why: string }> = {
  'autograd/backward.ts': {
    by: ['autograd/engine.test.ts', 'autograd/leaf_grad_layout.test.ts'],
    why: 'backward and autograd.grad are the engine seen from outside',
  },
  'autograd/define_op.ts': {
    by: ['ops/declarations.test.ts', 'autograd/engine.test.ts'],
    why: 'every op is a defineOp: the op declarations exercise it (saved tensors, needsInputGrad, second derivatives)',
  },
  'autograd/dual_state.ts': {
    by: ['autograd/forward_ad.test.ts', 'ops/declarations.test.ts'],
    why: "the dual level and each tensor's tangent, read through forwardAD and every op's JVP",
  },
  'autograd/grad_mode.ts': { by: ['autograd/engine.test.ts'], why: 'noGrad and enableGrad as the engine sees them' },
  'autograd/node.ts': { by: ['autograd/engine.test.ts'], why: 'graph nodes: gradFn, next edges, AccumulateGrad' },
  'backend.ts': {
    by: ['native/env.test.ts', 'native/threadpool.test.ts'],
    why: 'backendInfo and the thread count are the native runtime',
  },
  'data/collate.ts': { by: ['data/dataloader.test.ts'], why: 'collation is what the DataLoader does to a batch' },
  'data/dataset.ts': { by: ['data/dataloader.test.ts'], why: 'datasets are read through the DataLoader' },
  'data/sampler.ts': { by: ['data/dataloader.test.ts'], why: "samplers are the DataLoader's order" },
  'distributed/native.ts': { by: ['distributed/api.test.ts'], why: 'the second addon is loaded by the process group' },
  'distributed/process_group.ts': {
    by: ['distributed/api.test.ts', 'distributed/faults.test.ts'],
    why: 'the multi-process suite',
  },
  'distributed/run.ts': { by: ['distributed/launcher.test.ts'], why: 'the myelin-run command line over launcher.ts' },
  'dtype_info.ts': { by: ['ops/ops_extra.test.ts'], why: 'finfo and iinfo, tested with the ops they came with' },
  'errors.ts': {
    by: ['distributed/api.test.ts', 'data/distributed_sampler.test.ts', 'onnx/export.test.ts'],
    why: 'the shared option check, tested through the functions that use it',
  },
  'io/atomic.ts': {
    by: ['io/checkpoint.test.ts'],
    why: 'atomic writes: a saver killed mid-save leaves the last checkpoint',
  },
  'io/byte_source.ts': {
    by: ['io/hostile_files.test.ts'],
    why: "the parsers' bounded reading, tested through hostile files",
  },
  'io/safetensors_header.ts': {
    by: ['io/safetensors.test.ts', 'io/hostile_files.test.ts'],
    why: 'the safetensors reader, tested through it',
  },
  'io/pickle.ts': { by: ['io/torch.test.ts'], why: "torch.save's format is a zip of pickles" },
  'io/zip.ts': { by: ['io/torch.test.ts'], why: "torch.save's format is a zip of pickles" },
  'native.ts': {
    by: ['native/binding_errors.test.ts', 'native/binding_surface.test.ts', 'native/env.test.ts'],
    why: 'the binding surface: test/native/ calls it directly',
  },
  'nn/modules/activation.ts': {
    by: ['nn/module.test.ts', 'ops/activation.test.ts'],
    why: 'modules over the activation ops: reprs and state',
  },
  'nn/modules/container.ts': {
    by: ['nn/module.test.ts'],
    why: 'Sequential, ModuleList, ModuleDict: reprs, state-dict keys',
  },
  'nn/modules/fold.ts': {
    by: ['ops/ops_extra.test.ts', 'ops/fold.test.ts'],
    why: 'nn.Unfold and nn.Fold over the fold ops',
  },
  'nn/modules/flatten.ts': { by: ['nn/module.test.ts'], why: 'Flatten and Unflatten: reprs and shapes' },
  'nn/modules/linear.ts': { by: ['nn/module.test.ts', 'ops/linear.test.ts'], why: 'modules over the linear ops' },
  'nn/modules/loss.ts': { by: ['nn/module.test.ts', 'ops/loss.test.ts'], why: 'modules over the loss ops' },
  'nn/modules/padding.ts': { by: ['nn/cnn_layers.test.ts'], why: 'tested with pad, the op under them' },
  'nn/modules/pooling.ts': {
    by: ['nn/modules/conv.test.ts', 'ops/pool.test.ts'],
    why: 'tested in the CNN modules, over the pooling ops',
  },
  'nn/modules/upsampling.ts': { by: ['nn/cnn_layers.test.ts'], why: 'tested with interpolate, the op under them' },
  'nn/parallel/distributed.ts': {
    by: ['distributed/ddp.test.ts', 'distributed/ddp_api.test.ts'],
    why: 'DistributedDataParallel needs several processes: the distributed suite',
  },
  'nn/parameter.ts': { by: ['nn/param_views.test.ts'], why: 'parameters, including parameters that are views' },
  'nn/repr.ts': {
    by: ['nn/module.test.ts'],
    why: "Python's number formatting, checked through the modules' PyTorch reprs",
  },
  'nn/summary.ts': { by: ['nn/module.test.ts'], why: 'parameter counts and summary beside the module reprs' },
  'nn/utils.ts': {
    by: ['autograd/leaf_grad_layout.test.ts', 'nn/module.test.ts'],
    why: 'clipGradNorm_ on gradients that are views',
  },
  'onnx/graph.ts': { by: ['onnx/export.test.ts'], why: 'the exporter, checked by running its models in ONNX Runtime' },
  'onnx/handlers.ts': {
    by: ['onnx/export.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_math.ts': {
    by: ['onnx/export.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_nn.ts': { by: ['onnx/export.test.ts'], why: 'the exporter, checked by running its models in ONNX Runtime' },
  'onnx/ops_shape.ts': {
    by: ['onnx/export.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_window.ts': {
    by: ['onnx/export.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_diag.ts': {
    by: ['onnx/export_ops.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_special.ts': {
    by: ['onnx/export_ops.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_index.ts': {
    by: ['onnx/export_ops.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/ops_loss.ts': {
    by: ['onnx/export_ops.test.ts'],
    why: 'the exporter, checked by running its models in ONNX Runtime',
  },
  'onnx/proto.ts': { by: ['onnx/export.test.ts'], why: 'the exporter, checked by running its models in ONNX Runtime' },
  'onnx/trace.ts': { by: ['onnx/export.test.ts'], why: 'the exporter, checked by running its models in ONNX Runtime' },
  'ops/methods.ts': { by: ['ops/declarations.test.ts'], why: 'Tensor methods attached to ops declared elsewhere' },
  'ops/rnn_layer.ts': {
    by: ['nn/modules/rnn.test.ts'],
    why: 'the recurrent layer op, checked through RNN/LSTM/GRU against PyTorch',
  },
  'optim/adam.ts': {
    by: ['optim/training.test.ts', 'native/optim.test.ts'],
    why: 'optimizer steps against PyTorch, and their kernels',
  },
  'optim/fused.ts': { by: ['native/optim.test.ts'], why: 'the plumbing of the fused step kernels' },
  'optim/optimizer.ts': {
    by: ['optim/training.test.ts', 'optim/lr_scheduler.test.ts'],
    why: 'groups and state dicts through the optimizers',
  },
  'optim/state_check.ts': {
    by: ['io/checkpoint.test.ts', 'optim/lr_scheduler.test.ts'],
    why: 'the check of a loaded state dict, tested through the loaders',
  },
  'optim/rmsprop.ts': {
    by: ['optim/training.test.ts', 'native/optim.test.ts'],
    why: 'optimizer steps against PyTorch, and their kernels',
  },
  'optim/sgd.ts': {
    by: ['optim/training.test.ts', 'native/optim.test.ts'],
    why: 'optimizer steps against PyTorch, and their kernels',
  },
  'lowp/autocast_ops.ts': {
    by: ['lowp/autocast.test.ts'],
    why: 'the ops autocast runs in bf16, tested through autocast against PyTorch',
  },
  'lowp/autocast_state.ts': { by: ['lowp/autocast.test.ts'], why: "autocast's scope and options" },
  'random_tensors.ts': { by: ['random.test.ts'], why: 'rand, randn, randint... with the generator that draws them' },
  'raw/einsum.ts': { by: ['ops/einsum.test.ts'], why: 'unrecorded: tested through the op' },
  'raw/round_bf16.ts': { by: ['lowp/autocast.test.ts'], why: "unrecorded: autocast's rounded outputs" },
  'raw/elementwise.ts': {
    by: ['ops/uninit_alloc.test.ts', 'ops/binary_small.test.ts'],
    why: 'unrecorded: tested through the ops',
  },
  'raw/gemm.ts': { by: ['ops/matmul.test.ts'], why: 'unrecorded: tested through matmul (its layouts and copies)' },
  'raw/int32_products.ts': {
    by: ['ops/int32_products.test.ts'],
    why: 'unrecorded: tested through the int32 matmul family and einsum',
  },
  'raw/strided.ts': {
    by: ['ops/declarations.test.ts'],
    why: "unrecorded strided access: every op's offset and strided views",
  },
  'tensor.ts': {
    by: ['creation.test.ts', 'ops/view.test.ts', 'ops/inplace.test.ts'],
    why: 'tensors are tested through what makes and views them',
  },
  'quantization/quantize_dynamic.ts': {
    by: ['quantization/dynamic.test.ts', 'quantization/dynamic_lstm.test.ts'],
    why: 'quantizeDynamic is how those tests make every quantized Linear and LSTM',
  },
  'trace.ts': { by: ['onnx/export.test.ts'], why: 'the tracing hook exists for onnx.export' },
  'train/debug_training.ts': { by: ['train/debug.test.ts'], why: 'one test file for both debugging files' },
};

function libFiles(dir = path.join(root, 'lib')): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

describe('test/ mirrors lib/', () => {
  const files = libFiles().map((f) => path.relative(path.join(root, 'lib'), f).split(path.sep).join('/'));
  const ownTest = (f: string) => existsSync(path.join(root, 'test', f.replace(/\.ts$/, '.test.ts')));

  it('every lib file has test/<its path>.test.ts, or is listed with the tests that cover it', () => {
    const missing = files.filter((f) => !ownTest(f) && path.basename(f) !== 'index.ts' && !coveredElsewhere[f]);
    expect(missing).toEqual([]);
  });

  it('index.ts files only re-export', () => {
    for (const f of files.filter((f) => path.basename(f) === 'index.ts')) {
      const code = readFileSync(path.join(root, 'lib', f), 'utf8');
      expect(code, f).not.toMatch(/^(export )?(async )?(function|class|const|let|var) /m);
    }
  });

  it('the list names existing tests, and no file that has its own', () => {
    for (const [f, { by }] of Object.entries(coveredElsewhere)) {
      expect(files, `lib/${f} (listed) exists`).toContain(f);
      expect(ownTest(f), `lib/${f} has its own test now: remove it from the list`).toBe(false);
      for (const t of by) expect(existsSync(path.join(root, 'test', t)), `test/${t} (listed for lib/${f})`).toBe(true);
    }
  });
});
