// Every options object of the public API rejects an unknown key, naming the function and the
// key and suggesting the spelling meant: a port from PyTorch (batch_first, lr_rate, label_smoothing)
// must never run with an option silently dropped. The options-taking callables are found by the
// type checker (test/api/public_api.ts), so a new one fails this test until it has a call below.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as myelin from '../../lib/index.js';
import { camelCase, checkOptions, suggestName } from '../../lib/errors.js';
import { publicApi } from './public_api.js';

const { nn, optim, data, io, train, autograd, tensor, randn } = myelin;
type O = Record<string, unknown>;
type Any = any;

const x2 = () => randn([4, 3]);
const x3 = () => randn([2, 3, 8]);
const x4 = () => randn([2, 3, 8, 8]);
const labels = () => tensor(new Int32Array([0, 1, 2, 0]));
const model = () => new nn.Linear(3, 2);
const sgd = () => new optim.SGD(model().parameters(), { lr: 0.1 });
const momentumSgd = () => new optim.SGD(model().parameters(), { lr: 0.1, momentum: 0.9 });
const batch = (): [myelin.Tensor, myelin.Tensor] => [x2(), randn([4, 2])];
const mse = (out: unknown, y: unknown) => myelin.nn.functional.mseLoss(out as myelin.Tensor, y as myelin.Tensor);
const tmp = (name: string) => path.join(os.tmpdir(), `myelin-options-${process.pid}-${name}`);
const sink = { write: () => true } as unknown as NodeJS.WritableStream;
/** A Timer on a fake clock (1 ms a call): its autoranges end at once. */
const fakeTimer = () => {
  let now = 0;
  return new myelin.utils.benchmark.Timer({ stmt: () => (now += 1e-3), timer: () => now });
};

/**
 * A valid call of each options-taking callable, with `o` merged into (or as) its options.
 * Keyed by the callable's public name, with '@i' when it has options at several positions.
 */
const CALLS: Record<string, (o: O) => unknown> = {
  autocast: (o) => myelin.autocast(o, () => 0),
  'lowp.autocast': (o) => myelin.lowp.autocast(o, () => 0),
  'lowp.AutocastScope': (o) => new myelin.lowp.AutocastScope(o),
  'quantization.quantizeDynamic': (o) => myelin.quantization.quantizeDynamic(model(), o),
  'quantization.DynamicQuantizedLSTM': (o) => new myelin.quantization.DynamicQuantizedLSTM(3, 4, o),
  'quantization.DynamicQuantizedLSTM.forward': (o) =>
    new myelin.quantization.DynamicQuantizedLSTM(3, 4).forward(x3().permute(2, 0, 1), null, o),
  'Tensor.allclose': (o) => x2().allclose(x2(), o),
  'Tensor.fromData': (o) => myelin.Tensor.fromData(new Float32Array(2), [2], o),
  'Tensor.addmm': (o) => x2().addmm(x2(), randn([3, 3]), o),
  'Tensor.baddbmm': (o) => x3().baddbmm(x3(), randn([2, 8, 8]), o),
  'Tensor.addbmm': (o) => randn([3, 8]).addbmm(x3(), randn([2, 8, 8]), o),
  'Tensor.addmv': (o) => randn([4]).addmv(x2(), randn([3]), o),
  'Tensor.addr': (o) => x2().addr(randn([4]), randn([3]), o),
  addmm: (o) => myelin.addmm(x2(), x2(), randn([3, 3]), o),
  baddbmm: (o) => myelin.baddbmm(x3(), x3(), randn([2, 8, 8]), o),
  addbmm: (o) => myelin.addbmm(randn([3, 8]), x3(), randn([2, 8, 8]), o),
  addmv: (o) => myelin.addmv(randn([4]), x2(), randn([3]), o),
  addr: (o) => myelin.addr(x2(), randn([4]), randn([3]), o),
  'Tensor.argsort@0': (o) => x2().argsort(o),
  'Tensor.argsort@1': (o) => x2().argsort(0, o),
  'Tensor.backward': (o) => randn([2], { requiresGrad: true }).sum().backward(undefined, o),
  'Tensor.logSoftmax': (o) => x2().logSoftmax(1, o),
  'Tensor.logsumexp': (o) => x2().logsumexp(1, false, o),
  'Tensor.normal_': (o) => x2().normal_(0, 1, o),
  'Tensor.softmax': (o) => x2().softmax(1, o),
  'Tensor.sort@0': (o) => x2().sort(o),
  'Tensor.sort@1': (o) => x2().sort(0, o),
  'Tensor.std': (o) => x2().std(0, o),
  'Tensor.topk@1': (o) => x2().topk(1, o),
  'Tensor.topk@2': (o) => x2().topk(1, 0, o),
  'Tensor.uniform_': (o) => x2().uniform_(0, 1, o),
  'Tensor.var': (o) => x2().var(0, o),
  bernoulli: (o) => myelin.bernoulli(0.5, o),
  allclose: (o) => myelin.allclose(x2(), x2(), o),
  arange: (o) => myelin.arange(0, 4, 1, o),
  'argsort@1': (o) => myelin.argsort(x2(), o),
  'argsort@2': (o) => myelin.argsort(x2(), 0, o),
  'autograd.grad': (o) => {
    const a = randn([2], { requiresGrad: true });
    return autograd.grad(a.mul(2).sum(), a, o);
  },
  'autograd.gradcheck': (o) => autograd.gradcheck((a) => a.mul(2), [randn([2], { requiresGrad: true })], o),
  'autograd.defineOp': (o) =>
    autograd.defineOp({
      name: 'twice',
      forward: (_c, a: myelin.Tensor) => a.mul(2),
      backward: (_c, g) => [g.mul(2)],
      ...o,
    }),
  'autograd.functional.vjp': (o) => autograd.functional.vjp((a) => a.sum(), randn([2]), null, o),
  'autograd.functional.jvp': (o) => autograd.functional.jvp((a) => a.mul(2), randn([2]), randn([2]), o),
  'autograd.functional.jacobian': (o) => autograd.functional.jacobian((a) => a.mul(2), randn([2]), o),
  'autograd.functional.hessian': (o) => autograd.functional.hessian((a) => a.pow(3).sum(), randn([2]), o),
  'autograd.functional.hvp': (o) => autograd.functional.hvp((a) => a.pow(3).sum(), randn([2]), randn([2]), o),
  'autograd.functional.vhp': (o) => autograd.functional.vhp((a) => a.pow(3).sum(), randn([2]), randn([2]), o),
  avgPool1d: (o) => myelin.avgPool1d(x3(), 2, o),
  avgPool2d: (o) => myelin.avgPool2d(x4(), 2, o),
  conv1d: (o) => myelin.conv1d(x3(), randn([4, 3, 3]), null, o),
  conv2d: (o) => myelin.conv2d(x4(), randn([4, 3, 3, 3]), null, o),
  convTranspose1d: (o) => myelin.convTranspose1d(x3(), randn([3, 4, 3]), null, o),
  convTranspose2d: (o) => myelin.convTranspose2d(x4(), randn([3, 4, 3, 3]), null, o),
  crossEntropy: (o) => myelin.crossEntropy(x2(), labels(), o),
  'data.DataLoader': (o) => [...new data.DataLoader(new data.TensorDataset(x2()), o)],
  'data.RandomSampler': (o) => [...new data.RandomSampler([1, 2, 3], o)],
  'data.SubsetRandomSampler': (o) => [...new data.SubsetRandomSampler([1, 2, 3], o)],
  'data.loadFashionMNIST': (o) => data.loadFashionMNIST({ ...o, source: 'embedded', train: false, limit: 2 }),
  'data.loadMNIST': (o) =>
    data.loadMNIST(data.EMBEDDED_FASHION_MNIST_DIR, { ...o, train: false, limit: 2 } as myelin.data.MnistOptions),
  'data.randomSplit': (o) => data.randomSplit(new data.TensorDataset(x2()), [2, 2], o),
  'data.resolveFashionMNIST': (o) => data.resolveFashionMNIST({ ...o, source: 'embedded' }),
  empty: (o) => myelin.empty([2], o),
  emptyLike: (o) => myelin.emptyLike(x2(), o),
  eye: (o) => myelin.eye(2, 2, o),
  full: (o) => myelin.full([2], 1, o),
  fullLike: (o) => myelin.fullLike(x2(), 1, o),
  gradcheck: (o) => myelin.gradcheck((a) => a.mul(2), [randn([2], { requiresGrad: true })], o),
  interpolate: (o) => myelin.interpolate(x4(), { ...o, scaleFactor: 2 }),
  'Tensor.div': (o) => x2().div(2, o),
  'Tensor.div_': (o) => x2().div_(2, o),
  'Tensor.round': (o) => x2().round(o),
  'Tensor.unique': (o) => x2().unique(o as Any),
  div: (o) => myelin.div(x2(), 2, o),
  round: (o) => myelin.round(x2(), o),
  unique: (o) => myelin.unique(x2(), o as Any),
  'nn.Fold': (o) => new nn.Fold([4, 4], 2, o),
  'nn.Unfold': (o) => new nn.Unfold(2, o),
  'nn.Hardtanh': (o) => new nn.Hardtanh(-1, 1, o),
  'nn.ReLU6': (o) => new nn.ReLU6(o),
  'nn.functional.fold': (o) => nn.functional.fold(randn([1, 4, 9]), [4, 4], 2, o),
  'nn.functional.unfold': (o) => nn.functional.unfold(randn([1, 1, 4, 4]), 2, o),
  'nn.functional.hardtanh': (o) => nn.functional.hardtanh(x2(), -1, 1, o),
  'nn.functional.relu6': (o) => nn.functional.relu6(x2(), o),
  'optim.LBFGS': (o) => new optim.LBFGS(model().parameters(), o),
  'nn.TransformerDecoderLayer': (o) => new nn.TransformerDecoderLayer(4, 2, { ...o, dimFeedforward: 8 }),
  'nn.TransformerDecoderLayer.forward': (o) =>
    new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }).forward(randn([3, 2, 4]), randn([3, 2, 4]), o),
  'nn.TransformerDecoder': (o) =>
    new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }), 1, o),
  'nn.TransformerDecoder.forward': (o) =>
    new nn.TransformerDecoder(new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 8 }), 1).forward(
      randn([3, 2, 4]),
      randn([3, 2, 4]),
      o,
    ),
  'nn.Transformer': (o) => new nn.Transformer({ ...o, ...smallTransformer }),
  'nn.Transformer.forward': (o) => new nn.Transformer(smallTransformer).forward(randn([3, 2, 4]), randn([3, 2, 4]), o),
  'data.DistributedSampler': (o) => new data.DistributedSampler(4, { ...o, numReplicas: 2, rank: 0 }),
  'io.loadTorch': (o) => io.loadTorch(torchFile(), o),
  'io.parseTorch': (o) => io.parseTorch(readFileSync(torchFile()), 'x.pt', o),
  'io.readTorch': (o) => io.readTorch(torchFile(), o),
  'onnx.export': (o) => myelin.onnx.export(model(), x2(), tmp('m.onnx'), o),
  'onnx.exportModel': (o) => myelin.onnx.exportModel(model(), x2(), o),
  'io.encodeIdx@1': (o) => io.encodeIdx({ shape: [2], data: new Uint8Array(2) }, o),
  'io.loadCheckpoint': (o) => {
    const m = model();
    io.saveCheckpoint(tmp('load.ckpt'), { model: m });
    return io.loadCheckpoint(tmp('load.ckpt'), { ...o, model: m });
  },
  'io.saveCheckpoint': (o) =>
    io.saveCheckpoint(tmp('save.ckpt'), { ...o, model: model() } as myelin.io.SaveCheckpointOptions),
  'io.writeIdx@2': (o) => io.writeIdx(tmp('a.idx'), { shape: [2], data: new Uint8Array(2) }, o),
  linspace: (o) => myelin.linspace(0, 1, 3, o),
  logSoftmax: (o) => myelin.logSoftmax(x2(), 1, o),
  logsumexp: (o) => myelin.logsumexp(x2(), 1, false, o),
  maxPool1d: (o) => myelin.maxPool1d(x3(), 2, o),
  maxPool2d: (o) => myelin.maxPool2d(x4(), 2, o),
  'nn.AdaptiveMaxPool2d': (o) => new nn.AdaptiveMaxPool2d(2, o),
  'nn.AvgPool1d': (o) => new nn.AvgPool1d(2, o),
  'nn.AvgPool2d': (o) => new nn.AvgPool2d(2, o),
  'nn.BCELoss': (o) => new nn.BCELoss(o),
  'nn.BCEWithLogitsLoss': (o) => new nn.BCEWithLogitsLoss(o),
  'nn.BatchNorm1d': (o) => new nn.BatchNorm1d(3, o),
  'nn.BatchNorm2d': (o) => new nn.BatchNorm2d(3, o),
  'nn.Bilinear': (o) => new nn.Bilinear(2, 3, 4, o),
  'nn.Conv1d': (o) => new nn.Conv1d(3, 4, 3, o),
  'nn.Conv2d': (o) => new nn.Conv2d(3, 4, 3, o),
  'nn.ConvTranspose1d': (o) => new nn.ConvTranspose1d(3, 4, 3, o),
  'nn.ConvTranspose2d': (o) => new nn.ConvTranspose2d(3, 4, 3, o),
  'nn.CrossEntropyLoss': (o) => new nn.CrossEntropyLoss(o),
  'nn.Dropout': (o) => new nn.Dropout(0.5, o),
  'nn.Dropout1d': (o) => new nn.Dropout1d(0.5, o),
  'nn.Dropout2d': (o) => new nn.Dropout2d(0.5, o),
  'nn.Dropout3d': (o) => new nn.Dropout3d(0.5, o),
  'nn.ELU': (o) => new nn.ELU(1, o),
  'nn.Embedding': (o) => new nn.Embedding(4, 3, o),
  'nn.Embedding.fromPretrained': (o) => nn.Embedding.fromPretrained(x2(), o),
  'nn.GELU': (o) => new nn.GELU(o),
  'nn.GRU': (o) => new nn.GRU(3, 4, o),
  'nn.GRU.forward': (o) => new nn.GRU(3, 4).forward(x3().permute(2, 0, 1), null, o),
  'nn.GRUCell': (o) => new nn.GRUCell(3, 4, o),
  'nn.GroupNorm': (o) => new nn.GroupNorm(1, 3, o),
  'nn.HuberLoss': (o) => new nn.HuberLoss(o),
  'nn.KLDivLoss': (o) => new nn.KLDivLoss(o),
  'nn.L1Loss': (o) => new nn.L1Loss(o),
  'nn.LSTM': (o) => new nn.LSTM(3, 4, o),
  'nn.LSTM.forward': (o) => new nn.LSTM(3, 4).forward(x3().permute(2, 0, 1), null, o),
  'nn.LSTMCell': (o) => new nn.LSTMCell(3, 4, o),
  'nn.LayerNorm': (o) => new nn.LayerNorm(3, o),
  'nn.LeakyReLU': (o) => new nn.LeakyReLU(0.1, o),
  'nn.Linear': (o) => new nn.Linear(3, 2, o),
  'nn.MSELoss': (o) => new nn.MSELoss(o),
  'nn.MaxPool1d': (o) => new nn.MaxPool1d(2, o),
  'nn.MaxPool2d': (o) => new nn.MaxPool2d(2, o),
  'nn.Module.loadStateDict': (o) => {
    const m = model();
    return m.loadStateDict(m.stateDict(), o);
  },
  'nn.Module.registerBuffer': (o) => model().registerBuffer('stats', x2(), o),
  'nn.Module.zeroGrad': (o) => model().zeroGrad(o),
  'nn.MultiheadAttention': (o) => new nn.MultiheadAttention(4, 2, o),
  'nn.MultiheadAttention.forward': (o) => {
    const q = randn([3, 2, 4]);
    return new nn.MultiheadAttention(4, 2).forward(q, q, q, o);
  },
  'nn.NLLLoss': (o) => new nn.NLLLoss(o),
  'nn.RNN': (o) => new nn.RNN(3, 4, o),
  'nn.RNN.forward': (o) => new nn.RNN(3, 4).forward(x3().permute(2, 0, 1), null, o),
  'nn.RNNCell': (o) => new nn.RNNCell(3, 4, o),
  'nn.ReLU': (o) => new nn.ReLU(o),
  'nn.SELU': (o) => new nn.SELU(o),
  'nn.SiLU': (o) => new nn.SiLU(o),
  'nn.SmoothL1Loss': (o) => new nn.SmoothL1Loss(o),
  'nn.Softplus': (o) => new nn.Softplus(o),
  'nn.TransformerEncoder': (o) => new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2), 1, o),
  'nn.TransformerEncoder.forward': (o) =>
    new nn.TransformerEncoder(new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }), 1).forward(
      randn([3, 2, 4]),
      o,
    ),
  'nn.TransformerEncoderLayer': (o) => new nn.TransformerEncoderLayer(4, 2, { ...o, dimFeedforward: 8 }),
  'nn.TransformerEncoderLayer.forward': (o) =>
    new nn.TransformerEncoderLayer(4, 2, { dimFeedforward: 8 }).forward(randn([3, 2, 4]), o),
  'nn.Upsample': (o) => new nn.Upsample({ ...o, scaleFactor: 2 }),
  'nn.UpsamplingBilinear2d': (o) => new nn.UpsamplingBilinear2d({ ...o, scaleFactor: 2 }),
  'nn.UpsamplingNearest2d': (o) => new nn.UpsamplingNearest2d({ ...o, scaleFactor: 2 }),
  'nn.clipGradNorm_': (o) => nn.clipGradNorm_(model().parameters(), 1, o),
  'nn.countParameters': (o) => nn.countParameters(model(), o),
  'nn.embedding': (o) => nn.embedding(labels(), x2(), o),
  'nn.functional.avgPool1d': (o) => nn.functional.avgPool1d(x3(), 2, o),
  'nn.functional.avgPool2d': (o) => nn.functional.avgPool2d(x4(), 2, o),
  'nn.functional.batchNorm': (o) => nn.functional.batchNorm(x2(), null, null, { ...o, training: true }),
  'nn.functional.binaryCrossEntropy': (o) => nn.functional.binaryCrossEntropy(myelin.rand([4]), myelin.rand([4]), o),
  'nn.functional.binaryCrossEntropyWithLogits': (o) =>
    nn.functional.binaryCrossEntropyWithLogits(randn([4]), myelin.rand([4]), o),
  'nn.functional.conv1d': (o) => nn.functional.conv1d(x3(), randn([4, 3, 3]), null, o),
  'nn.functional.conv2d': (o) => nn.functional.conv2d(x4(), randn([4, 3, 3, 3]), null, o),
  'nn.functional.convTranspose1d': (o) => nn.functional.convTranspose1d(x3(), randn([3, 4, 3]), null, o),
  'nn.functional.convTranspose2d': (o) => nn.functional.convTranspose2d(x4(), randn([3, 4, 3, 3]), null, o),
  'nn.functional.crossEntropy': (o) => nn.functional.crossEntropy(x2(), labels(), o),
  'nn.functional.dropout': (o) => nn.functional.dropout(x2(), 0.5, o),
  'nn.functional.dropout1d': (o) => nn.functional.dropout1d(x3(), 0.5, o),
  'nn.functional.dropout2d': (o) => nn.functional.dropout2d(x4(), 0.5, o),
  'nn.functional.dropout3d': (o) => nn.functional.dropout3d(randn([2, 3, 2, 2, 2]), 0.5, o),
  'nn.functional.elu': (o) => nn.functional.elu(x2(), 1, o),
  'nn.functional.embedding': (o) => nn.functional.embedding(labels(), x2(), o),
  'nn.functional.gelu': (o) => nn.functional.gelu(x2(), o),
  'nn.functional.groupNorm': (o) => nn.functional.groupNorm(x4(), 1, o),
  'nn.functional.interpolate': (o) => nn.functional.interpolate(x4(), { ...o, scaleFactor: 2 }),
  'nn.functional.klDiv': (o) => nn.functional.klDiv(x2(), myelin.rand([4, 3]), o),
  'nn.functional.huberLoss': (o) => nn.functional.huberLoss(x2(), x2(), o),
  'nn.functional.smoothL1Loss': (o) => nn.functional.smoothL1Loss(x2(), x2(), o),
  'nn.functional.l1Loss': (o) => nn.functional.l1Loss(x2(), x2(), o),
  'nn.functional.layerNorm': (o) => nn.functional.layerNorm(x2(), 3, o),
  'nn.functional.leakyRelu': (o) => nn.functional.leakyRelu(x2(), 0.1, o),
  'nn.functional.logSoftmax': (o) => nn.functional.logSoftmax(x2(), 1, o),
  'nn.functional.logsumexp': (o) => nn.functional.logsumexp(x2(), 1, false, o),
  'nn.functional.maxPool1d': (o) => nn.functional.maxPool1d(x3(), 2, o),
  'nn.functional.maxPool1dWithIndices': (o) => nn.functional.maxPool1dWithIndices(x3(), 2, o),
  'nn.functional.maxPool2d': (o) => nn.functional.maxPool2d(x4(), 2, o),
  'nn.functional.maxPool2dWithIndices': (o) => nn.functional.maxPool2dWithIndices(x4(), 2, o),
  'nn.functional.mseLoss': (o) => nn.functional.mseLoss(x2(), x2(), o),
  'nn.functional.nllLoss': (o) => nn.functional.nllLoss(x2(), labels(), o),
  'nn.functional.pad': (o) => nn.functional.pad(x2(), [1, 1], o),
  'nn.functional.relu': (o) => nn.functional.relu(x2(), o),
  'nn.functional.scaledDotProductAttention': (o) => {
    const q = randn([2, 3, 4]);
    return nn.functional.scaledDotProductAttention(q, q, q, o);
  },
  'nn.functional.selu': (o) => nn.functional.selu(x2(), o),
  'nn.functional.silu': (o) => nn.functional.silu(x2(), o),
  'nn.functional.softmax': (o) => nn.functional.softmax(x2(), 1, o),
  'nn.functional.softplus': (o) => nn.functional.softplus(x2(), o),
  'nn.functional.swish': (o) => nn.functional.swish(x2(), o),
  'nn.init.kaimingNormal_': (o) => nn.init.kaimingNormal_(x2(), o),
  'nn.init.kaimingUniform_': (o) => nn.init.kaimingUniform_(x2(), o),
  'nn.init.normal_': (o) => nn.init.normal_(x2(), 0, 1, o),
  'nn.init.orthogonal_': (o) => nn.init.orthogonal_(x2(), 1, o),
  'nn.init.truncNormal_': (o) => nn.init.truncNormal_(x2(), 0, 1, -2, 2, o),
  'nn.init.uniform_': (o) => nn.init.uniform_(x2(), 0, 1, o),
  'nn.init.xavierNormal_': (o) => nn.init.xavierNormal_(x2(), 1, o),
  'nn.init.xavierUniform_': (o) => nn.init.xavierUniform_(x2(), 1, o),
  'nn.scaledDotProductAttention': (o) => {
    const q = randn([2, 3, 4]);
    return nn.scaledDotProductAttention(q, q, q, o);
  },
  'nn.summary': (o) => nn.summary(model(), [1, 3], o),
  'nn.utils.clipGradNorm_': (o) => nn.utils.clipGradNorm_(model().parameters(), 1, o),
  'nn.utils.countParameters': (o) => nn.utils.countParameters(model(), o),
  ones: (o) => myelin.ones([2], o),
  onesLike: (o) => myelin.onesLike(x2(), o),
  'optim.Adagrad': (o) => new optim.Adagrad(model().parameters(), o),
  'optim.Adam': (o) => new optim.Adam(model().parameters(), o),
  'optim.AdamW': (o) => new optim.AdamW(model().parameters(), o),
  'optim.Optimizer.zeroGrad': (o) => sgd().zeroGrad(o),
  'optim.RMSprop': (o) => new optim.RMSprop(model().parameters(), o),
  'optim.SGD': (o) => new optim.SGD(model().parameters(), { ...o, lr: 0.1 }),
  'optim.lrScheduler.LinearLR': (o) => new optim.lrScheduler.LinearLR(sgd(), o),
  'optim.lrScheduler.OneCycleLR': (o) =>
    new optim.lrScheduler.OneCycleLR(momentumSgd(), 0.1, { ...o, totalSteps: 10 } as Any),
  'optim.lrScheduler.ReduceLROnPlateau': (o) => new optim.lrScheduler.ReduceLROnPlateau(sgd(), o),
  pad: (o) => myelin.pad(x2(), [1, 1], o),
  rand: (o) => myelin.rand([2], o),
  randLike: (o) => myelin.randLike(x2(), o),
  randint: (o) => myelin.randint(0, 5, [2], o),
  randn: (o) => myelin.randn([2], o),
  randnLike: (o) => myelin.randnLike(x2(), o),
  randperm: (o) => myelin.randperm(4, o),
  softmax: (o) => myelin.softmax(x2(), 1, o),
  'sort@1': (o) => myelin.sort(x2(), o),
  'sort@2': (o) => myelin.sort(x2(), 0, o),
  std: (o) => myelin.std(x2(), 0, o),
  tensor: (o) => myelin.tensor([1, 2], o),
  'topk@2': (o) => myelin.topk(x2(), 1, o),
  'topk@3': (o) => myelin.topk(x2(), 1, 0, o),
  'train.ActivationRecorder': (o) => new train.ActivationRecorder(model(), o),
  'train.Progress': (o) => new train.Progress({ ...o, total: 2, stream: sink } as Any),
  'train.Progress.step': (o) => new train.Progress({ total: 2, stream: sink }).step(o),
  'train.curvesSvg': (o) => train.curvesSvg([], o),
  'utils.benchmark.limits': (o) => myelin.utils.benchmark.limits({ reps: 1, triadBytes: 4096, ...o }),
  'utils.benchmark.Measurement': (o) => new myelin.utils.benchmark.Measurement(1, [1], { ...o, stmt: 's' } as Any),
  'utils.benchmark.Timer': (o) => new myelin.utils.benchmark.Timer({ ...o, stmt: () => 0 } as Any),
  'utils.benchmark.Timer.blockedAutorange': (o) => fakeTimer().blockedAutorange({ minRunTime: 1e-3, ...o }),
  'utils.benchmark.Timer.adaptiveAutorange': (o) => fakeTimer().adaptiveAutorange({ maxRunTime: 1e-3, ...o }),
  'train.detectAnomaly': (o) => train.detectAnomaly(model(), o).remove(),
  'train.gradientStats': (o) => train.gradientStats(model(), o),
  'train.lrRangeTest': (o) =>
    train.lrRangeTest({ ...o, model: model(), data: [batch()], lossFn: mse, optimizer: sgd(), numIter: 3 }),
  'train.overfitSingleBatch': (o) => {
    const [inputs, targets] = batch();
    return train.overfitSingleBatch({ ...o, model: model(), inputs, targets, lossFn: mse, optimizer: sgd(), steps: 2 });
  },
  'train.recordActivations': (o) => train.recordActivations(model(), o).remove(),
  'train.saveCurves@2': (o) => train.saveCurves(tmp('curves.svg'), [], o),
  'train.withAnomalyDetection': (o) => train.withAnomalyDetection(model(), () => 1, o),
  useDeterministicAlgorithms: (o) => myelin.useDeterministicAlgorithms(false, o),
  var: (o) => myelin.var(x2(), 0, o),
  zeros: (o) => myelin.zeros([2], o),
  zerosLike: (o) => myelin.zerosLike(x2(), o),
  nonzero: (o) => myelin.nonzero(x2(), o as Any),
};

/** Parameters the type checker takes for options that are data, not options. */
const NOT_OPTIONS = new Set([
  'io.encodeIdx@0', // the array to encode: { shape, data, dtype }
  'io.writeIdx@1',
  'onnx.ExportError@1', // Error's own { cause }
]);

/**
 * Options-taking callables that need a process group (a Gloo build and a rendezvous): their
 * unknown keys are tested by test/distributed/ (api.test.ts, ddp_api.test.ts) on real ranks.
 */
const NEEDS_PROCESS_GROUP = new Set([
  'distributed.allGather',
  'distributed.allReduce',
  'distributed.barrier',
  'distributed.broadcast',
  'distributed.gather',
  'distributed.initProcessGroup',
  'distributed.reduce',
  'distributed.reduceScatter',
  'distributed.scatter',
  'nn.parallel.DistributedDataParallel',
]);

const smallTransformer = { dModel: 4, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 };

/** A small torch.save file (written once, by saveTorch). */
let torchPath: string | null = null;
function torchFile(): string {
  if (torchPath === null) {
    torchPath = tmp('t.pt');
    io.saveTorch({ w: x2() }, torchPath);
  }
  return torchPath;
}

interface Site {
  key: string;
  name: string;
  keys: string[];
}

function sites(): Site[] {
  const out: Site[] = [];
  for (const c of publicApi()) {
    const positions = c.params.flatMap((p, i) => (p.optionKeys ? [i] : []));
    for (const i of positions) {
      const key =
        positions.length > 1 || NOT_OPTIONS.has(`${c.name}@${i}`) || `${c.name}@${i}` in CALLS
          ? `${c.name}@${i}`
          : c.name;
      if (NOT_OPTIONS.has(key) || NEEDS_PROCESS_GROUP.has(key)) continue;
      out.push({ key, name: c.name, keys: c.params[i].optionKeys! });
    }
  }
  return out;
}

/** The message names the callable: its prefix (before ': ') ends with the last name segment. */
function namesCallable(message: string, name: string, fnName?: string): boolean {
  const prefix = message.split(': ')[0];
  const last = name.split('.').at(-1)!;
  return prefix.endsWith(last) || (fnName !== undefined && prefix.endsWith(fnName));
}

function runtimeName(name: string): string | undefined {
  let v: unknown = myelin;
  for (const part of name.split('.')) v = (v as Record<string, unknown> | undefined)?.[part];
  return typeof v === 'function' ? v.name : undefined;
}

function snakeCase(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** A one-transposition misspelling of the longest key (a typo the suggestion must undo). */
function misspell(keys: string[]): [string, string] {
  const key = [...keys].sort((a, b) => b.length - a.length)[0];
  const i = [...key].findIndex((c, j) => j > 0 && j + 1 < key.length && c !== key[j + 1]);
  if (i < 0) return [`${key}${key.at(-1)}`, key];
  return [key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2), key];
}

describe('unknown option keys', () => {
  it('the checker suggests the camelCase spelling and near misses', () => {
    expect(camelCase('batch_first')).toBe('batchFirst');
    expect(suggestName('batch_first', ['numLayers', 'batchFirst'])).toBe('batchFirst');
    expect(suggestName('BATCHFIRST', ['batchFirst'])).toBe('batchFirst');
    expect(suggestName('lable_smoothing', ['labelSmoothing', 'weight'])).toBe('labelSmoothing');
    expect(suggestName('momentun', ['lr', 'momentum'])).toBe('momentum');
    expect(suggestName('lr_rate', ['lr', 'momentum'])).toBe(null);
    expect(() => checkOptions('f', { lr_rate: 1 } as O, { lr: true } as Any)).toThrow(
      "f: unknown option 'lr_rate' (it takes 'lr')",
    );
    expect(() => checkOptions('f', [] as Any, { lr: true } as Any)).toThrow(
      'f: options must be an object, got an array',
    );
    expect(() => checkOptions('f', null as Any, { lr: true } as Any)).toThrow('f: options must be an object, got null');
    expect(() => checkOptions('f', { lr: '0.1' } as O, { lr: 'number' } as Any)).toThrow(
      "f: option 'lr' must be a number, got the string '0.1'",
    );
  });

  it("the issue's examples", () => {
    expect(() => new optim.SGD(model().parameters(), { lr_rate: 0.1 } as Any)).toThrow(
      "optim.SGD: unknown option 'lr_rate' (it takes 'lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize')",
    );
    expect(() => new data.DataLoader(new data.TensorDataset(x2()), { batch_size: 8 } as Any)).toThrow(
      "data.DataLoader: unknown option 'batch_size'; did you mean 'batchSize'?",
    );
    expect(() => new nn.LSTM(8, 16, { batch_first: true } as Any)).toThrow(
      "nn.LSTM: unknown option 'batch_first'; did you mean 'batchFirst'?",
    );
    expect(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as Any)).toThrow(
      "nn.CrossEntropyLoss: unknown option 'label_smoothing'; did you mean 'labelSmoothing'?",
    );
    expect(() => new nn.Conv2d(3, 4, 3, { padding_mode: 'reflect' } as Any)).toThrow(
      "nn.Conv2d: unknown option 'padding_mode'; did you mean 'paddingMode'?",
    );
    // Parameter groups are options too.
    expect(() => new optim.SGD([{ params: model().parameters(), lr_rate: 1 }], { lr: 0.1 })).toThrow(
      "optim.SGD parameter group: unknown option 'lr_rate'",
    );
  });

  const found = sites();

  it('every options-taking callable has a call here, and every call here takes options', () => {
    const keys = new Set(found.map((s) => s.key));
    expect(
      [...keys].filter((k) => !(k in CALLS)),
      'options-taking callables with no call in CALLS',
    ).toEqual([]);
    expect(
      Object.keys(CALLS).filter((k) => !keys.has(k)),
      'calls in CALLS that take no options',
    ).toEqual([]);
    expect(found.length).toBeGreaterThan(150);
  });

  it('each rejects a snake_case key and a misspelled key, naming itself and the key meant', () => {
    const failures: string[] = [];
    for (const site of found) {
      const call = CALLS[site.key];
      if (!call) continue;
      const camel = site.keys.find((k) => /[A-Z]/.test(k));
      const [typo, meant] = misspell(site.keys);
      const probes: [string, string][] = [
        camel ? [snakeCase(camel), camel] : [site.keys[0].toUpperCase(), site.keys[0]],
        [typo, meant],
      ];
      for (const [given, expected] of probes) {
        let message = '(returned)';
        try {
          call({ [given]: 1 });
        } catch (e) {
          message = (e as Error).message;
        }
        const ok =
          namesCallable(message, site.name, runtimeName(site.name)) &&
          message.includes(`: unknown option '${given}'; did you mean '${expected}'?`);
        if (!ok) failures.push(`${site.key} { ${given} }: ${message}`);
      }
    }
    expect(failures).toEqual([]);
  });

  // undefined is "not given": each key the type declares is accepted (the calls above put their
  // required options after the probe, so those are still given).
  it('each accepts every key its type declares', () => {
    const failures: string[] = [];
    for (const site of found) {
      const call = CALLS[site.key];
      if (!call) continue;
      for (const k of site.keys) {
        try {
          call({ [k]: undefined });
        } catch (e) {
          failures.push(`${site.key} { ${k}: undefined }: ${(e as Error).message}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});
