// nn.summary's multiply-adds follow torchinfo 1.8.0's rule (lib/nn/summary.ts): weight and bias
// elements times the batch size (times the output's spatial size in a convolution); an RNN's or
// attention's other weights times batch x time; Linear times every leading output dim.
import { describe, expect, it } from 'vitest';
import { nn, tensor } from '../../lib/index.js';
import { simpleCnn } from '../helpers/models.js';

describe('summary multiply-adds as torchinfo counts them', () => {
  it("seed 002's SimpleCNN on [1, 3, 224, 224]: 508.59 M (505.78 M without the biases and norms)", () => {
    const model = simpleCnn();
    const s = nn.summary(model, [1, 3, 224, 224]);
    const conv = (cin: number, cout: number, hw: number) => (cin * cout * 9 + cout) * hw * hw;
    const byLayer = s.layers.map((l) => l.macs);
    expect(byLayer[1]).toBe(conv(3, 32, 224));
    expect(byLayer[2]).toBe(2 * 32); // BatchNorm2d: weight + bias, times the batch
    expect(byLayer[5]).toBe(conv(32, 64, 112));
    expect(byLayer[9]).toBe(conv(64, 128, 56));
    expect(byLayer[14]).toBe(128 * 10 + 10);
    expect(s.totalMacs).toBe(508_585_674);
    expect(s.toString()).toMatch(/Total mult-adds \(M\): 508\.59/);
    // The products alone (no biases, no norm layers), the figure often quoted for this model.
    const products = 3 * 32 * 9 * 224 * 224 + 32 * 64 * 9 * 112 * 112 + 64 * 128 * 9 * 56 * 56 + 128 * 10;
    expect(products).toBe(505_775_360);
  });

  it('ConvTranspose, Conv1d and the norm layers', () => {
    const s = nn.summary(
      new nn.Sequential(
        new nn.ConvTranspose2d(4, 6, 3, { stride: 2 }),
        new nn.GroupNorm(2, 6),
        new nn.Flatten(2),
        new nn.Conv1d(6, 5, 3),
        new nn.LayerNorm(119),
      ),
      [2, 4, 5, 5],
    );
    // ConvTranspose2d: output [2, 6, 11, 11]; the convolution rule uses the output's spatial size.
    expect(s.layers[1].macs).toBe((4 * 6 * 9 + 6) * 2 * 11 * 11);
    expect(s.layers[2].macs).toBe(2 * 12);
    expect(s.layers[4].macs).toBe((6 * 5 * 3 + 5) * 2 * 119);
    expect(s.layers[4].outputShape).toEqual([2, 5, 119]);
    expect(s.layers[5].macs).toBe(2 * 2 * 119); // LayerNorm: weight + bias, times the batch
  });

  it('RNN, LSTM, GRU: every weight_* and bias_* times batch x time', () => {
    const lstm = new nn.LSTM(8, 16, { numLayers: 2, batchFirst: true, bidirectional: true });
    const p = [...lstm.parameters()].reduce((n, t) => n + t.numel(), 0);
    expect(nn.summary(lstm, [3, 7, 8]).totalMacs).toBe(3 * 7 * p);
    const gru = new nn.GRU(8, 16);
    const q = [...gru.parameters()].reduce((n, t) => n + t.numel(), 0);
    expect(nn.summary(gru, [7, 3, 8]).totalMacs).toBe(7 * 3 * q);
    const rnn = new nn.RNN(8, 16);
    expect(nn.summary(rnn, [5, 2, 8]).totalMacs).toBe(5 * 2 * (16 * 8 + 16 * 16 + 32));
  });

  it('MultiheadAttention counts its in- and out-projections; an encoder layer its parts', () => {
    const mha = new nn.MultiheadAttention(16, 4, { batchFirst: true });
    const s = nn.summary(mha, [
      [2, 5, 16],
      [2, 5, 16],
      [2, 5, 16],
    ]);
    expect(s.totalMacs).toBe(2 * 5 * (3 * 16 * 16 + 3 * 16 + 16 * 16 + 16));
    const layer = new nn.TransformerEncoderLayer(16, 4, { dimFeedforward: 32, batchFirst: true });
    const t = nn.summary(layer, [2, 5, 16]);
    const attn = 2 * 5 * (4 * 16 * 16 + 4 * 16);
    const ff = 2 * 5 * (16 * 32 + 32) + 2 * 5 * (32 * 16 + 16);
    const norms = 2 * 2 * 32;
    expect(t.totalMacs).toBe(attn + ff + norms);
  });

  it('Embedding counts as torchinfo: its weight times the batch size', () => {
    expect(
      nn.summary(new nn.Embedding(50, 8), [tensor([1, 2, 3, 4, 5, 6, 7, 8], { dtype: 'int32' }).reshape(4, 2)])
        .totalMacs,
    ).toBe(4 * 50 * 8);
  });
});
