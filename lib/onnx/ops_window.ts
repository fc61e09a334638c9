// ONNX mappings of the sliding-window ops (ops/fold.ts) in opset-17 ops. Tensor.unfold and
// F.unfold (im2col) gather the windows with constant indices, as PyTorch exports im2col; F.fold
// (col2im, ONNX's Col2Im is opset 18) scatters the blocks back with ScatterElements' add
// reduction, each pixel's blocks added in myelin's order. The indices are fixed by the sizes of
// the windowed dims, so those may not follow a dynamic axis; the batch and channels may.
import type { Tensor } from '../tensor.js';
import type { OpContext, OpHandler } from './export.js';
import { floatTypeOf } from './ops_math.js';

interface Geometry {
  kernel: [number, number];
  dilation: [number, number];
  padding: [number, number];
  stride: [number, number];
}

/** Tensor argument k's size at each of dims, which must be the same in both traces. */
function fixedDims(c: OpContext, k: number, dims: number[], what: string): number[] {
  const t1 = c.args[k] as Tensor;
  const t2 = c.args2[k] as Tensor;
  return dims.map((d) => c.same(t1.shape[d], t2.shape[d], `${what} (dim ${d} of its input)`));
}

/** An int64 constant of the given shape with values f(index...) over it, row-major. */
function indexGrid(c: OpContext, shape: number[], f: (...ix: number[]) => number, stem: string): string {
  const data: number[] = [];
  const walk = (prefix: number[]) => {
    if (prefix.length === shape.length) data.push(f(...prefix));
    else for (let i = 0; i < shape[prefix.length]; i++) walk([...prefix, i]);
  };
  walk([]);
  return c.g.constant({ dtype: 'int64', shape, data }, stem);
}

const blocks = (size: number, k: number, d: number, p: number, s: number) =>
  Math.floor((size + 2 * p - d * (k - 1) - 1) / s) + 1;

/** Tensor.unfold(dim, size, step): Gather [windows, size] indices along dim, the size axis moved last. */
const unfoldDim: OpHandler = (c) => {
  const x = c.args[0] as Tensor;
  const dim = c.static(1, 'the dim') as number;
  const size = c.static(2, 'the size') as number;
  const step = c.static(3, 'the step') as number;
  const g = c.g;
  if (x.ndim === 0) {
    const flat = g.op('Reshape', [c.input(0), g.ints([1], 'shape')]);
    return g.op('Gather', [flat, g.ints(new Array(size).fill(0), 'index')], { axis: 0 });
  }
  const [n] = fixedDims(c, 0, [dim], 'the unfolded dim');
  const windows = Math.floor((n - size) / step) + 1;
  const idx = indexGrid(c, [windows, size], (w, k) => w * step + k, 'windows');
  const gathered = g.op('Gather', [c.input(0), idx], { axis: dim });
  if (dim === x.ndim - 1) return gathered;
  const perm = [...Array(x.ndim + 1).keys()].filter((a) => a !== dim + 1);
  return g.op('Transpose', [gathered], { perm: [...perm, dim + 1] });
};

/** im2col: zero padding, Gather of the kernel rows' and columns' positions, then [N, C*kh*kw, L]. */
const im2col: OpHandler = (c) => {
  const geo = c.static(1, 'the window geometry') as Geometry;
  const [h, w] = fixedDims(c, 0, [2, 3], 'the image size');
  const [kh, kw] = geo.kernel;
  const [dh, dw] = geo.dilation;
  const [ph, pw] = geo.padding;
  const [sh, sw] = geo.stride;
  const bh = blocks(h, kh, dh, ph, sh);
  const bw = blocks(w, kw, dw, pw, sw);
  const g = c.g;
  let x = c.input(0);
  if (ph || pw) x = g.op('Pad', [x, g.ints([0, 0, ph, pw, 0, 0, ph, pw], 'pads')], { mode: 'constant' });
  const rows = indexGrid(c, [kh, bh], (i, y) => y * sh + i * dh, 'rows'); // [N, C, kh, bh, Wp]
  const cols = indexGrid(c, [kw, bw], (j, xb) => xb * sw + j * dw, 'cols'); // [N, C, kh, bh, kw, bw]
  const gathered = g.op('Gather', [g.op('Gather', [x, rows], { axis: 2 }), cols], { axis: 4 });
  const ordered = g.op('Transpose', [gathered], { perm: [0, 1, 2, 4, 3, 5] }); // [N, C, kh, kw, bh, bw]
  return g.op('Reshape', [ordered, g.ints([0, -1, bh * bw], 'shape')]);
};

/**
 * col2im: the blocks [N, C, kh*kw*L] added into a zero padded image [N, C, Hp*Wp] at their
 * positions (ScatterElements, reduction add), reshaped, the padding cut off.
 */
const col2im: OpHandler = (c) => {
  const [h, w] = c.static(1, 'the output size') as [number, number];
  const geo = c.static(2, 'the window geometry') as Geometry;
  const [ckk, L] = fixedDims(c, 0, [1, 2], 'the block layout');
  const [kh, kw] = geo.kernel;
  const [dh, dw] = geo.dilation;
  const [ph, pw] = geo.padding;
  const [sh, sw] = geo.stride;
  const bw = blocks(w, kw, dw, pw, sw);
  const C = ckk / (kh * kw);
  const hp = h + 2 * ph;
  const wp = w + 2 * pw;
  const g = c.g;
  const updates = g.op('Reshape', [c.input(0), g.ints([0, C, kh * kw * L], 'shape')]);
  // Block element k = (i * kw + j) * L + l of a channel goes to padded pixel (row, col).
  const positions = indexGrid(
    c,
    [1, 1, kh * kw * L],
    (_n, _c, k) => {
      const l = k % L;
      const ij = Math.floor(k / L);
      const row = Math.floor(l / bw) * sh + Math.floor(ij / kw) * dh;
      return row * wp + (l % bw) * sw + (ij % kw) * dw;
    },
    'positions',
  );
  const index = g.op('Expand', [positions, g.op('Shape', [updates])]);
  const zerosShape = g.op('Concat', [g.op('Shape', [updates], { start: 0, end: 1 }), g.ints([C, hp * wp], 'shape')], {
    axis: 0,
  });
  const zeros = g.op('ConstantOfShape', [zerosShape], { value: { dtype: floatTypeOf(c), shape: [1], data: [0] } });
  const summed = g.op('ScatterElements', [zeros, index, updates], { axis: 2, reduction: 'add' });
  const image = g.op('Reshape', [summed, g.ints([0, C, hp, wp], 'shape')]);
  if (!ph && !pw) return image;
  return g.op('Slice', [image, g.ints([ph, pw], 'starts'), g.ints([ph + h, pw + w], 'ends'), g.ints([2, 3], 'axes')]);
};

export function registerWindows(reg: (name: string, h: OpHandler) => void): void {
  reg('unfold', unfoldDim);
  reg('im2col', im2col);
  reg('col2im', col2im);
}
