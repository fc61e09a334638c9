// Upsample, UpsamplingNearest2d, UpsamplingBilinear2d: modules over interpolate, printed as
// PyTorch prints them (Upsample(scale_factor=2.0, mode=nearest)).
import { checkOptions } from '../../errors.js';
import {
  checkInterpolateMode,
  INTERPOLATE_OPTIONS,
  interpolate,
  type InterpolateMode,
  type InterpolateOptions,
} from '../../ops/interpolate.js';
import type { Tensor } from '../../tensor.js';
import { Module } from '../module.js';
import { pyFloat } from '../repr.js';

/** interpolate's options, fixed when the module is made. */
export type UpsampleOptions = InterpolateOptions;

/** Up- (or down-) samples [N, C, W] / [N, C, H, W] by a size or a scale factor. */
export class Upsample extends Module {
  /** The output's spatial size, or undefined (then scaleFactor). */
  readonly size: number | readonly number[] | undefined;
  /** The multiplier of the spatial size, or undefined (then size). */
  readonly scaleFactor: number | readonly number[] | undefined;
  /** The interpolation: 'nearest', 'nearest-exact', 'linear' or 'bilinear'. */
  readonly mode: InterpolateMode;
  /** Whether the corner pixels' centres line up (linear modes). */
  readonly alignCorners: boolean | undefined;
  /** Compute the interpolation from the output size rather than the given scale factor. */
  readonly recomputeScaleFactor: boolean | undefined;

  constructor(options: UpsampleOptions = {}) {
    super();
    // Messages name the class made (UpsamplingNearest2d builds an Upsample).
    const name = new.target.name;
    const o = checkOptions(`nn.${name}`, options, INTERPOLATE_OPTIONS);
    const mode = o.mode ?? 'nearest';
    checkInterpolateMode(name, mode);
    const hasSize = o.size !== undefined && o.size !== null;
    const hasScale = o.scaleFactor !== undefined && o.scaleFactor !== null;
    if (hasSize === hasScale) {
      throw new RangeError(
        `${name}: ${hasSize ? 'only one of size or scaleFactor should be given, got both' : 'either size or scaleFactor should be given, got neither'}`,
      );
    }
    this.size = o.size ?? undefined;
    this.scaleFactor = o.scaleFactor ?? undefined;
    this.mode = mode;
    this.alignCorners = o.alignCorners;
    this.recomputeScaleFactor = o.recomputeScaleFactor;
  }

  forward(x: Tensor): Tensor {
    return interpolate(x, {
      size: this.size,
      scaleFactor: this.scaleFactor,
      mode: this.mode,
      alignCorners: this.alignCorners,
      recomputeScaleFactor: this.recomputeScaleFactor,
    });
  }

  override extraRepr(): string {
    const tuple = (v: number | readonly number[], f: (e: number) => string) =>
      typeof v === 'number' ? f(v) : v.length === 1 ? `(${f(v[0])},)` : `(${v.map(f).join(', ')})`;
    const info =
      this.scaleFactor !== undefined
        ? `scale_factor=${tuple(this.scaleFactor, pyFloat)}`
        : `size=${tuple(this.size!, String)}`;
    return `${info}, mode=${this.mode}`;
  }
}

/** Nearest-neighbour upsampling of [N, C, H, W]: Upsample with mode 'nearest'. */
export class UpsamplingNearest2d extends Upsample {
  constructor(
    options: { size?: number | readonly [number, number]; scaleFactor?: number | readonly [number, number] } = {},
  ) {
    checkOptions('nn.UpsamplingNearest2d', options, { size: true, scaleFactor: true });
    super({ size: options?.size, scaleFactor: options?.scaleFactor, mode: 'nearest' });
  }
}

/** Bilinear upsampling of [N, C, H, W] with alignCorners true (as torch's UpsamplingBilinear2d). */
export class UpsamplingBilinear2d extends Upsample {
  constructor(
    options: { size?: number | readonly [number, number]; scaleFactor?: number | readonly [number, number] } = {},
  ) {
    checkOptions('nn.UpsamplingBilinear2d', options, { size: true, scaleFactor: true });
    super({ size: options?.size, scaleFactor: options?.scaleFactor, mode: 'bilinear', alignCorners: true });
  }
}
