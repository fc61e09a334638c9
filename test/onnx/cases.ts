// The exporter's layer sweep: one small model per layer and option myelin has, each exported and
// run in ONNX Runtime by test/onnx/export.test.ts (and kept for the ONNX checker by
// scripts/check_onnx.py). `batch` dynamic axes are exercised with a second batch size.
import {
  addbmm,
  addmm,
  addmv,
  addr,
  arange,
  baddbmm,
  cat,
  einsum,
  manualSeed,
  matmul,
  nn,
  rand,
  randint,
  randn,
  type Tensor,
  tensor,
  where,
} from '../../lib/index.js';
import type { Case } from './ort_check.js';

/** A module whose forward is a function (for ops used directly). */
export class Fn extends nn.Module {
  constructor(
    private readonly fn: (...xs: Tensor[]) => unknown,
    modules: Record<string, nn.Module> = {},
  ) {
    super();
    Object.assign(this, modules);
  }
  forward(...xs: Tensor[]): unknown {
    return this.fn(...xs);
  }
}

const batchAxes = (names: string[], axis = 0) =>
  Object.fromEntries(names.map((n) => [n, { [axis]: 'batch' }])) as Record<string, Record<number, string>>;

/** A case with the first input's dim 0 dynamic and a second batch size to run. */
function batched(name: string, model: nn.Module, shape: number[], extra: Partial<Case> = {}): Case {
  const x = randn(shape);
  const more = randn([shape[0] + 3, ...shape.slice(1)]);
  return {
    name,
    model,
    args: [x],
    options: { dynamicAxes: { input: { 0: 'batch' }, output: { 0: 'batch' } } },
    more: [[randn(shape)], [more]],
    ...extra,
  };
}

export function layerCases(): Case[] {
  manualSeed(7);
  const cases: Case[] = [];
  // Linear layers.
  cases.push(batched('linear', new nn.Linear(5, 3), [4, 5]));
  cases.push(batched('linear_3d_nobias', new nn.Linear(5, 3, { bias: false }), [2, 4, 5]));
  {
    const m = new nn.Bilinear(3, 4, 2);
    cases.push({
      name: 'bilinear',
      model: m,
      args: [randn([5, 3]), randn([5, 4])],
      options: { dynamicAxes: batchAxes(['input_0', 'input_1', 'output']) },
      more: [[randn([2, 3]), randn([2, 4])]],
    });
  }
  // Convolutions.
  cases.push(batched('conv1d', new nn.Conv1d(4, 6, 3, { stride: 2, padding: 1, groups: 2 }), [2, 4, 11]));
  cases.push(batched('conv2d', new nn.Conv2d(3, 4, 3, { padding: 2, dilation: 2 }), [2, 3, 9, 8]));
  cases.push(batched('conv2d_same_even', new nn.Conv2d(2, 3, 4, { padding: 'same' }), [1, 2, 7, 6]));
  cases.push(batched('conv2d_groups_stride', new nn.Conv2d(4, 8, [3, 2], { stride: [2, 1], groups: 4 }), [2, 4, 9, 7]));
  cases.push(
    batched(
      'conv_transpose1d',
      new nn.ConvTranspose1d(4, 6, 3, { stride: 2, padding: 1, outputPadding: 1, groups: 2 }),
      [2, 4, 5],
    ),
  );
  cases.push(
    batched(
      'conv_transpose2d',
      new nn.ConvTranspose2d(3, 4, 3, { stride: 2, padding: 1, dilation: 2, outputPadding: 1 }),
      [2, 3, 5, 4],
    ),
  );
  // Normalisation (eval: running statistics).
  {
    const bn = new nn.BatchNorm2d(3);
    bn.train();
    bn.call(randn([6, 3, 4, 4]).mul(2).add(1));
    cases.push(batched('batchnorm2d', bn, [2, 3, 4, 4]));
    const bn1 = new nn.BatchNorm1d(5);
    bn1.call(randn([8, 5]).add(3));
    cases.push(batched('batchnorm1d', bn1, [4, 5]));
    cases.push(batched('batchnorm_no_stats', new nn.BatchNorm1d(5, { trackRunningStats: false }), [4, 5, 3]));
  }
  cases.push(batched('layernorm', new nn.LayerNorm([4, 5]), [3, 2, 4, 5]));
  cases.push(batched('layernorm_noaffine', new nn.LayerNorm(5, { elementwiseAffine: false }), [3, 5]));
  cases.push(batched('groupnorm', new nn.GroupNorm(2, 6), [2, 6, 3, 3]));
  // Pooling.
  cases.push(batched('maxpool2d', new nn.MaxPool2d(3, { stride: 2, padding: 1, ceilMode: true }), [2, 3, 8, 9]));
  cases.push(batched('maxpool2d_dilated', new nn.MaxPool2d(2, { dilation: 2 }), [2, 2, 7, 7]));
  cases.push(batched('maxpool1d', new nn.MaxPool1d(2), [2, 3, 9]));
  cases.push(
    batched('avgpool2d', new nn.AvgPool2d(3, { stride: 2, padding: 1, countIncludePad: false }), [2, 3, 8, 9]),
  );
  cases.push(batched('avgpool1d', new nn.AvgPool1d(3, { stride: 1, padding: 1 }), [2, 3, 9]));
  cases.push(batched('adaptive_avg2d_global', new nn.AdaptiveAvgPool2d(1), [2, 3, 5, 7]));
  cases.push(batched('adaptive_avg2d_even', new nn.AdaptiveAvgPool2d([2, 3]), [2, 3, 4, 6]));
  cases.push(batched('adaptive_avg2d_uneven', new nn.AdaptiveAvgPool2d([3, 2]), [2, 3, 5, 7]));
  cases.push(batched('adaptive_max2d_uneven', new nn.AdaptiveMaxPool2d([3, 4]), [2, 3, 5, 7]));
  cases.push(batched('adaptive_avg1d', new nn.AdaptiveAvgPool1d(3), [2, 3, 7]));
  cases.push(batched('adaptive_max1d', new nn.AdaptiveMaxPool1d(1), [2, 3, 7]));
  // Resampling and padding.
  cases.push(batched('upsample_nearest', new nn.Upsample({ scaleFactor: 2 }), [2, 3, 4, 5]));
  cases.push(batched('upsample_bilinear', new nn.Upsample({ size: [7, 9], mode: 'bilinear' }), [2, 3, 4, 5]));
  cases.push(
    batched(
      'upsample_bilinear_corners',
      new nn.Upsample({ scaleFactor: 1.5, mode: 'bilinear', alignCorners: true }),
      [1, 2, 4, 6],
    ),
  );
  cases.push(batched('upsample_linear1d', new nn.Upsample({ scaleFactor: 3, mode: 'linear' }), [2, 3, 5]));
  cases.push(batched('zeropad2d', new nn.ZeroPad2d([1, 2, 0, 3]), [2, 3, 4, 4]));
  cases.push(batched('constantpad1d', new nn.ConstantPad1d([2, 1], 0.5), [2, 3, 4]));
  cases.push(batched('reflectionpad2d', new nn.ReflectionPad2d(2), [2, 3, 4, 5]));
  cases.push(batched('replicationpad1d', new nn.ReplicationPad1d([3, 1]), [2, 3, 4]));
  cases.push(
    batched('circular_pad', new Fn((x) => nn.functional.pad(x, [1, 2, 2, 1], { mode: 'circular' })), [2, 3, 4, 5]),
  );
  // Activations.
  const acts: [string, nn.Module][] = [
    ['relu', new nn.ReLU()],
    ['relu_inplace', new nn.ReLU({ inplace: true })],
    ['leaky_relu', new nn.LeakyReLU(0.2)],
    ['elu', new nn.ELU(0.7)],
    ['selu', new nn.SELU()],
    ['gelu', new nn.GELU()],
    ['gelu_tanh', new nn.GELU({ approximate: 'tanh' })],
    ['silu', new nn.SiLU()],
    ['sigmoid', new nn.Sigmoid()],
    ['tanh', new nn.Tanh()],
    ['softplus', new nn.Softplus({ beta: 2, threshold: 1.5 })],
    ['softmax', new nn.Softmax(1)],
    ['log_softmax', new nn.LogSoftmax(-1)],
    ['sine', new nn.Sine(3)],
    ['hardtanh', new nn.Hardtanh(-0.3, 0.4)],
    ['hardtanh_inplace', new nn.Hardtanh(-0.2, 0.1, { inplace: true })],
    ['relu6', new nn.Sequential(new Fn((x) => x.mul(8)), new nn.ReLU6())],
  ];
  for (const [name, m] of acts) cases.push(batched(name, new nn.Sequential(new nn.Linear(4, 6), m), [3, 4]));
  // Dropout (eval), Flatten, Identity, Unflatten.
  cases.push(
    batched(
      'dropout_flatten',
      new nn.Sequential(new nn.Dropout(0.5), new nn.Flatten(), new nn.Identity(), new nn.Unflatten(1, [2, 12])),
      [2, 3, 8],
    ),
  );
  // Embedding.
  {
    const emb = new nn.Embedding(10, 4, { paddingIdx: 0 });
    cases.push({
      name: 'embedding',
      model: emb,
      args: [randint(0, 10, [3, 5])],
      options: { dynamicAxes: { input: { 0: 'batch', 1: 'seq' }, output: { 0: 'batch', 1: 'seq' } } },
      more: [[randint(0, 10, [2, 7])]],
    });
  }
  // Recurrent layers.
  const rnns: [string, nn.Module, number[]][] = [
    ['rnn_tanh', new nn.RNN(3, 4), [5, 2, 3]],
    ['rnn_relu_2layer_bi', new nn.RNN(3, 4, { nonlinearity: 'relu', numLayers: 2, bidirectional: true }), [5, 2, 3]],
    ['lstm', new nn.LSTM(3, 4), [5, 2, 3]],
    [
      'lstm_2layer_bi_batchfirst',
      new nn.LSTM(3, 4, { numLayers: 2, bidirectional: true, batchFirst: true }),
      [2, 5, 3],
    ],
    ['gru', new nn.GRU(3, 4), [5, 2, 3]],
    ['gru_2layer_bi', new nn.GRU(3, 5, { numLayers: 2, bidirectional: true, bias: false }), [5, 2, 3]],
  ];
  for (const [name, m, shape] of rnns) {
    const bf = (m as unknown as { batchFirst: boolean }).batchFirst;
    const batchAxis = bf ? 0 : 1;
    const other = [...shape];
    other[batchAxis] += 2;
    other[1 - batchAxis] += 3;
    cases.push({
      name,
      model: m,
      args: [randn(shape)],
      options: {
        dynamicAxes: {
          input: { [batchAxis]: 'batch', [1 - batchAxis]: 'seq' },
          output_0: { [batchAxis]: 'batch', [1 - batchAxis]: 'seq' },
        },
      },
      more: [[randn(other)]],
    });
  }
  {
    const lstm = new nn.LSTM(3, 4, { numLayers: 2 });
    cases.push({
      name: 'lstm_initial_states',
      model: new Fn((x, h, c) => lstm.call(x, [h, c]), { lstm }),
      args: [randn([5, 2, 3]), randn([2, 2, 4]), randn([2, 2, 4])],
    });
    const gru = new nn.GRU(3, 4);
    cases.push({
      name: 'gru_unbatched',
      model: new Fn((x, h) => gru.call(x, h), { gru }),
      args: [randn([5, 3]), randn([1, 4])],
    });
    const lens = new nn.LSTM(3, 4, { bidirectional: true });
    cases.push({
      name: 'lstm_lengths',
      model: new Fn((x) => lens.call(x, null, { lengths: [5, 3] }), { lens }),
      args: [randn([5, 2, 3])],
    });
  }
  cases.push({
    name: 'lstm_cell',
    model: new nn.LSTMCell(3, 4),
    args: [randn([2, 3]), [randn([2, 4]), randn([2, 4])]],
  });
  cases.push({ name: 'gru_cell', model: new nn.GRUCell(3, 4), args: [randn([2, 3]), randn([2, 4])] });
  cases.push({ name: 'rnn_cell', model: new nn.RNNCell(3, 4, { nonlinearity: 'relu' }), args: [randn([2, 3])] });
  // Attention and Transformer encoders (decomposed into opset-17 ops).
  {
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    cases.push({
      name: 'multihead_attention',
      model: new Fn((q, k, v) => mha.call(q, k, v), { mha }),
      args: [randn([2, 3, 8]), randn([2, 5, 8]), randn([2, 5, 8])],
      options: { dynamicAxes: batchAxes(['input_0', 'input_1', 'input_2', 'output_0', 'output_1']) },
      more: [[randn([4, 3, 8]), randn([4, 5, 8]), randn([4, 5, 8])]],
    });
    const kv = new nn.MultiheadAttention(8, 4, { kdim: 6, vdim: 5 });
    const mask = tensor([
      [false, true, false, false],
      [false, false, true, true],
      [false, false, false, false],
    ]);
    cases.push({
      name: 'multihead_attention_kdim_mask',
      model: new Fn((q, k, v) => kv.call(q, k, v, { attnMask: mask, needWeights: false }), { kv }),
      args: [randn([3, 2, 8]), randn([4, 2, 6]), randn([4, 2, 5])],
    });
    const layer = new nn.TransformerEncoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
    cases.push({
      name: 'transformer_encoder_layer',
      model: layer,
      args: [randn([2, 5, 8])],
      options: { dynamicAxes: { input: { 0: 'batch', 1: 'seq' }, output: { 0: 'batch', 1: 'seq' } } },
      more: [[randn([3, 7, 8])]],
    });
    const pre = new nn.TransformerEncoderLayer(8, 4, { dimFeedforward: 16, normFirst: true, activation: 'gelu' });
    const enc = new nn.TransformerEncoder(pre, 2, { norm: new nn.LayerNorm(8) });
    cases.push({
      name: 'transformer_encoder_causal',
      model: new Fn((x) => enc.call(x, { isCausal: true }), { enc }),
      args: [randn([5, 2, 8])],
      options: { dynamicAxes: { input: { 1: 'batch' }, output: { 1: 'batch' } } },
      more: [[randn([5, 4, 8])]],
    });
  }
  // Transformer decoders and the whole Transformer.
  {
    const dec = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, batchFirst: true });
    cases.push({
      name: 'transformer_decoder_layer',
      model: new Fn((t, m) => dec.call(t, m), { dec }),
      args: [randn([2, 4, 8]), randn([2, 5, 8])],
      options: {
        dynamicAxes: {
          input_0: { 0: 'batch', 1: 'tgt' },
          input_1: { 0: 'batch', 1: 'src' },
          output: { 0: 'batch', 1: 'tgt' },
        },
      },
      more: [[randn([3, 6, 8]), randn([3, 2, 8])]],
    });
    const pre = new nn.TransformerDecoderLayer(8, 4, { dimFeedforward: 16, normFirst: true, activation: 'gelu' });
    const stack = new nn.TransformerDecoder(pre, 2, { norm: new nn.LayerNorm(8) });
    cases.push({
      name: 'transformer_decoder_causal_padding',
      model: new Fn((t, m, pad) => stack.call(t, m, { tgtIsCausal: true, memoryKeyPaddingMask: pad }), { stack }),
      args: [
        randn([4, 2, 8]),
        randn([3, 2, 8]),
        tensor([
          [false, false, true],
          [false, true, true],
        ]),
      ],
      options: {
        dynamicAxes: {
          input_0: { 1: 'batch' },
          input_1: { 1: 'batch' },
          input_2: { 0: 'batch' },
          output: { 1: 'batch' },
        },
      },
      more: [
        [
          randn([4, 3, 8]),
          randn([3, 3, 8]),
          tensor([
            [false, false, false],
            [false, true, true],
            [false, false, true],
          ]),
        ],
      ],
    });
    const tr = new nn.Transformer({
      dModel: 8,
      nhead: 2,
      numEncoderLayers: 2,
      numDecoderLayers: 2,
      dimFeedforward: 16,
    });
    const causal = nn.Transformer.generateSquareSubsequentMask(4);
    const memoryMask = tensor([
      [false, true, false, false, false],
      [false, false, false, true, false],
      [false, false, false, false, false],
      [true, false, false, false, false],
    ]);
    cases.push({
      name: 'transformer',
      model: new Fn(
        (src, tgt, tgtPad) => tr.call(src, tgt, { tgtMask: causal, memoryMask, tgtKeyPaddingMask: tgtPad }),
        {
          tr,
        },
      ),
      args: [
        randn([5, 2, 8]),
        randn([4, 2, 8]),
        tensor([
          [false, false, true, false],
          [false, true, false, false],
        ]),
      ],
      options: {
        dynamicAxes: {
          input_0: { 1: 'batch' },
          input_1: { 1: 'batch' },
          input_2: { 0: 'batch' },
          output: { 1: 'batch' },
        },
      },
      more: [[randn([5, 1, 8]), randn([4, 1, 8]), tensor([[false, true, true, true]])]],
    });
  }
  // Sliding windows: F.unfold/F.fold (im2col/col2im), nn.Unfold/nn.Fold, Tensor.unfold.
  cases.push(batched('unfold', new nn.Unfold([2, 3], { dilation: [1, 2], padding: 1, stride: [2, 1] }), [2, 3, 6, 7]));
  cases.push({
    name: 'unfold_unbatched',
    model: new Fn((x) => nn.functional.unfold(x, 3, { stride: 2 })),
    args: [randn([2, 7, 5])],
  });
  cases.push(batched('fold', new nn.Fold([5, 6], [2, 3], { padding: 1, stride: [2, 1] }), [2, 18, 18]));
  cases.push(batched('fold_dilated_overlapping', new nn.Fold([6, 5], 3, { dilation: [2, 1] }), [2, 18, 6]));
  cases.push({
    name: 'fold_unbatched',
    model: new Fn((x) => nn.functional.fold(x, [4, 4], 2)),
    args: [randn([8, 9])],
  });
  {
    // A locally-connected layer (seed 001): each block of the image has its own weights.
    const weight = randn([16, 18, 4]);
    cases.push(
      batched(
        'locally_connected',
        new Fn((x) => {
          const cols = nn.functional.unfold(x, 3, { padding: 1, stride: 2 }); // [N, 18, 16]
          const out = cols.permute(2, 0, 1).matmul(weight).permute(1, 2, 0); // [N, 4, 16]
          return [out.reshape(x.shape[0], 4, 4, 4), nn.functional.fold(cols, [8, 8], 3, { padding: 1, stride: 2 })];
        }),
        [2, 2, 8, 8],
        { options: { dynamicAxes: batchAxes(['input', 'output_0', 'output_1']) } },
      ),
    );
  }
  cases.push({
    name: 'tensor_unfold',
    model: new Fn((x) => [x.unfold(2, 3, 2), x.unfold(1, 2, 1), x.unfold(-1, 1, 4)]),
    args: [randn([2, 3, 9])],
    options: { dynamicAxes: batchAxes(['input', 'output_0', 'output_1', 'output_2']) },
    more: [[randn([5, 3, 9])]],
  });
  // Tensor ops used directly.
  cases.push({
    name: 'elementwise_and_reductions',
    model: new Fn((a, b) => {
      const s = a.add(b).mul(2).sub(b.div(3)).abs().add(1);
      const p = s.sqrt().log().exp().pow(2).rsqrt().log1p().expm1().neg().clamp(-1, 1);
      return [
        p.sum(1),
        p.mean([0, 1], true),
        a.amax(-1),
        a.amin(0),
        a.prod(1, true),
        a.maximum(b).minimum(b.mul(0.5)),
        a.sin().add(a.cos()).tanh().sigmoid().sign(),
        a.logsumexp(1),
        a.norm(2, 1),
        a.cumsum(1),
        a.max(1).values,
        a.argmax(1),
        a.argmin(),
        a.gt(b).logicalAnd(a.le(0.5)).logicalOr(a.eq(b)).logicalXor(b.ne(0)).logicalNot(),
        a.isnan().logicalOr(a.isinf()).logicalOr(a.isfinite()),
        a.softmax(0),
      ];
    }),
    args: [randn([3, 4]), randn([3, 4])],
    options: { dynamicAxes: batchAxes(['input_0', 'input_1']) },
    more: [[randn([5, 4]), randn([5, 4])]],
  });
  cases.push({
    name: 'views_and_indexing',
    model: new Fn((x, idx) => {
      const v = x.reshape(x.shape[0], 3, 4).permute(0, 2, 1).contiguous();
      const t = v.transpose(1, 2).flatten(1).unsqueeze(1).squeeze(1);
      const parts = [
        t.narrow(1, 2, 5),
        t.select(1, -1).unsqueeze(1),
        t.slice(1, 1, undefined, 3),
        t.flip(1),
        cat([t, t.mul(2)], 1),
        t.gather(1, idx),
        t.indexSelect(1, tensor([0, 5, 2], { dtype: 'int32' })),
        t.maskedFill(t.gt(0.5).logicalNot().logicalNot(), 0),
        t.expand(2, t.shape[0], 12).sum(0),
      ];
      return parts;
    }),
    args: [randn([2, 12]), randint(0, 12, [2, 4])],
    options: { dynamicAxes: batchAxes(['input_0', 'input_1']) },
    more: [[randn([3, 12]), randint(0, 12, [3, 4])]],
  });
  cases.push({
    name: 'addmm_family',
    model: new Fn((x, a, b, b1, b2, v) => [
      addmm(x, a, b, { beta: 0.5, alpha: 2 }),
      addmm(x.select(0, 0), a, b, { beta: 0 }),
      baddbmm(x, b1, b2, { beta: -1, alpha: 0.5 }),
      addbmm(x, b1, b2, { alpha: 3 }),
      addmv(x.select(1, 0), a, v, { beta: 2 }),
      addr(x, x.select(1, 0), x.select(0, 0), { beta: 0.25, alpha: -1 }),
    ]),
    args: [randn([3, 4]), randn([3, 5]), randn([5, 4]), randn([2, 3, 5]), randn([2, 5, 4]), randn([5])],
  });
  cases.push({
    name: 'matmul_einsum_where',
    model: new Fn((a, b) => {
      const m = matmul(a, b.transpose(-1, -2));
      const e = einsum('bij,bkj->bik', a, b);
      return [m, e, where(m.gt(0), m, e.mul(0.5)), matmul(a, arange(0, 4).reshape(4, 1).add(0.5))];
    }),
    args: [randn([2, 3, 4]), randn([2, 5, 4])],
  });
  cases.push({
    name: 'scatter_and_pads',
    model: new Fn((x) => [
      x.scatter(
        1,
        tensor(
          [
            [0, 1],
            [2, 0],
          ],
          { dtype: 'int32' },
        ),
        5,
      ),
      x.scatterAdd(
        1,
        tensor(
          [
            [0, 1],
            [2, 0],
          ],
          { dtype: 'int32' },
        ),
        x.narrow(1, 0, 2),
      ),
      nn.functional.pad(x, [1, 1], { mode: 'reflect' }),
    ]),
    args: [rand([2, 3])],
  });
  return cases;
}
