// TransformerDecoderLayer, TransformerDecoder and Transformer against PyTorch 1.13
// (scripts/gen_fixtures_transformer.py): torch's weights loaded by key, every mask kind, outputs
// and the gradients of inputs and parameters; then generateSquareSubsequentMask, reprs and errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { gradcheck, manualSeed, nn, randn, type Tensor, tensor, zeros } from '../../../lib/index.js';
import { close, type Enc, fromEnc, shaped } from '../helpers.js';
import { maskOf, stateOf } from '../seq_helpers.js';

interface Case {
  name: string;
  options: {
    kind: 'decoderLayer' | 'decoder' | 'transformer';
    activation: 'relu' | 'gelu';
    normFirst: boolean;
    batchFirst: boolean;
    masks: boolean;
    numLayers?: number;
  };
  masks: Record<string, Enc & { bool?: boolean }>;
  state: Record<string, Enc>;
  src: Enc;
  tgt: Enc;
  y: number[];
  yShape: number[];
  g: number[];
  dsrc: number[] | null;
  dtgt: number[];
  grads: Record<string, number[]>;
}

const fx = JSON.parse(readFileSync(new URL('../../fixtures/transformer.json', import.meta.url), 'utf8')) as {
  dims: { E: number; H: number; FF: number };
  squareSubsequentMask: (number | string)[];
  cases: Case[];
};
const { E, H, FF } = fx.dims;

function build(o: Case['options']): nn.Module {
  const layerOptions = {
    dimFeedforward: FF,
    dropout: 0,
    activation: o.activation,
    normFirst: o.normFirst,
    batchFirst: o.batchFirst,
  };
  if (o.kind === 'decoderLayer') return new nn.TransformerDecoderLayer(E, H, layerOptions);
  if (o.kind === 'decoder')
    return new nn.TransformerDecoder(new nn.TransformerDecoderLayer(E, H, layerOptions), o.numLayers!, {
      norm: new nn.LayerNorm(E),
    });
  return new nn.Transformer({ dModel: E, nhead: H, numEncoderLayers: 2, numDecoderLayers: 2, ...layerOptions });
}

const camel = (k: string) => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const maskTensor = (e: Enc & { bool?: boolean }) =>
  e.bool
    ? maskOf(e)
    : shaped(
        e.data.map((v) => (typeof v === 'string' ? Number(v) : v)),
        e.shape,
      );

describe('Transformer decoder and Transformer against PyTorch 1.13', () => {
  for (const c of fx.cases) {
    it(c.name, () => {
      const m = build(c.options);
      m.loadStateDict(stateOf(c.state));
      const src = fromEnc(c.src, true);
      const tgt = fromEnc(c.tgt, true);
      const masks = Object.fromEntries(Object.entries(c.masks).map(([k, e]) => [camel(k), maskTensor(e)]));
      const y = m instanceof nn.Transformer ? m.forward(src, tgt, masks) : (m.call(tgt, src, masks) as Tensor);
      expect(y.shape).toEqual(c.yShape);
      close(y, c.y, 1e-5, 'forward');
      y.mul(shaped(c.g, y.shape)).sum().backward();
      close(tgt.grad, c.dtgt, 1e-4, 'd tgt');
      if (c.dsrc) close(src.grad, c.dsrc, 1e-4, 'd src (memory)');
      const params = Object.fromEntries(m.namedParameters());
      expect(Object.keys(params).sort()).toEqual(Object.keys(c.grads).sort());
      for (const [key, want] of Object.entries(c.grads)) close(params[key].grad, want, 1e-4, `grad ${key}`);
    });
  }

  it('generateSquareSubsequentMask equals torch.nn.Transformer.generate_square_subsequent_mask', () => {
    const mask = nn.Transformer.generateSquareSubsequentMask(4);
    expect(mask.shape).toEqual([4, 4]);
    expect(Array.from(mask.data)).toEqual(fx.squareSubsequentMask.map(Number));
  });
});

describe('Transformer: structure, masks, gradients, errors', () => {
  it("has PyTorch's parameter names, Xavier-initialised matrices and the final norms", () => {
    manualSeed(1);
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 16 });
    const names = [...t.namedParameters()].map(([k]) => k);
    expect(names).toContain('encoder.layers.0.self_attn.in_proj_weight');
    expect(names).toContain('decoder.layers.0.multihead_attn.out_proj.weight');
    expect(names).toContain('decoder.layers.0.norm3.bias');
    expect(names).toContain('encoder.norm.weight');
    expect(names).toContain('decoder.norm.bias');
    const w = Object.fromEntries(t.namedParameters())['decoder.layers.0.linear1.weight'];
    const bound = Math.sqrt(6 / (8 + 16));
    expect(w.abs().max().item()).toBeLessThanOrEqual(bound);
  });

  it('a causal tgtMask keeps each output independent of later target positions', () => {
    manualSeed(2);
    const layer = new nn.TransformerDecoderLayer(8, 2, { dimFeedforward: 16, dropout: 0, batchFirst: true });
    const memory = randn([1, 3, 8]);
    const tgt = randn([1, 4, 8]).requiresGrad_();
    const y = layer.forward(tgt, memory, { tgtMask: nn.Transformer.generateSquareSubsequentMask(4) });
    // (the square: a post-norm output's plain sum is the norm's bias sum, a constant)
    y.select(1, 1).pow(2).sum().backward();
    const g = tgt.grad!;
    expect(g.select(1, 2).abs().max().item()).toBe(0);
    expect(g.select(1, 3).abs().max().item()).toBe(0);
    expect(g.select(1, 0).abs().max().item()).toBeGreaterThan(0);
    const y2 = layer.forward(tgt.detach(), memory, { tgtIsCausal: true });
    close(y2, Array.from(y.detach().toTypedArray()), 1e-6, 'tgtIsCausal');
  });

  it('gradcheck through a decoder layer (tgt and memory)', () => {
    manualSeed(3);
    const layer = new nn.TransformerDecoderLayer(4, 2, { dimFeedforward: 6, dropout: 0, normFirst: true });
    const tgt = randn([3, 1, 4]).requiresGrad_();
    const mem = randn([2, 1, 4]).requiresGrad_();
    expect(
      gradcheck(
        (a: Tensor, b: Tensor) => layer.forward(a, b, { tgtMask: nn.Transformer.generateSquareSubsequentMask(3) }),
        [tgt, mem],
      ),
    ).toBe(true);
  });

  it('names the bad input', () => {
    const t = new nn.Transformer({ dModel: 8, nhead: 2, numEncoderLayers: 1, numDecoderLayers: 1, dimFeedforward: 8 });
    expect(() => t.forward(zeros([5, 2, 8]), zeros([4, 3, 8]))).toThrow(
      /Transformer: the batch number of src and tgt must be equal/,
    );
    expect(() => t.forward(zeros([5, 2, 8]), zeros([4, 2, 6]))).toThrow(
      /Transformer: the feature number of src and tgt must be equal to dModel 8/,
    );
    expect(() => new nn.Transformer({ d_model: 8 } as never)).toThrow(
      /Transformer: unknown option 'd_model'; did you mean 'dModel'\?/,
    );
    expect(() => new nn.TransformerDecoderLayer(8, 2, { activation: 'tanh' as never })).toThrow(
      /TransformerDecoderLayer: activation should be relu\/gelu or a function, not tanh/,
    );
    expect(() => t.forward(zeros([5, 2, 8]), zeros([4, 2, 8]), { tgt_mask: tensor([1]) } as never)).toThrow(
      /unknown option 'tgt_mask'; did you mean 'tgtMask'\?/,
    );
    expect(() => nn.Transformer.generateSquareSubsequentMask(0)).toThrow(/sz must be a positive integer, got 0/);
    expect(() => new nn.TransformerDecoder(new nn.Linear(2, 2) as never, 2)).toThrow(
      /TransformerDecoder: decoderLayer must be a TransformerDecoderLayer/,
    );
  });
});
