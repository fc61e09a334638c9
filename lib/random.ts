// Seeded random numbers that are the same on every CPU, ISA and thread count.
//
// Choice: Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11;
// the counter-based generator torch uses on CUDA), written in plain TypeScript with 32-bit
// integer arithmetic only. The 64-bit seed is the key; a 64-bit block counter advances by one
// per 4 outputs. Floats are derived on one thread in a fixed order, so no kernel, ISA or thread
// count changes a value:
//   uniform [0,1): the top 24 bits of one output times 2^-24 (exact in float32, never 1).
//   normal: Box-Muller on two 32-bit uniforms in float64 (u1 in (0,1], so log(u1) is finite);
//   both outputs of a pair are used. Math.log/cos/sin are V8's fdlibm ports (no CPU intrinsics),
//   so they too give the same bits everywhere.
// The numbers differ from torch's CPU generator (mt19937); seeds are reproducible within myelin.
import { describe } from './errors.js';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** High 32 bits of the 64-bit product of two uint32 (exact: every partial product < 2^32). */
function mulhi(a: number, b: number): number {
  const aL = a & 0xffff;
  const aH = a >>> 16;
  const bL = b & 0xffff;
  const bH = b >>> 16;
  const lh = aL * bH;
  const hl = aH * bL;
  const mid = ((aL * bL) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (aH * bH + (lh >>> 16) + (hl >>> 16) + Math.floor(mid / 65536)) >>> 0;
}

/** One Philox4x32-10 block: 4 uint32 outputs for counter (c0..c3) and key (k0, k1). */
export function philox4x32(
  c0: number,
  c1: number,
  c2: number,
  c3: number,
  k0: number,
  k1: number,
  out: Uint32Array,
): void {
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0);
    const lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2);
    const lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

/** torch's default seed, so an unseeded process is reproducible too. */
const DEFAULT_SEED = 67280421310721;

/** A generator's state (`Generator.getState`), to resume its sequence with `setState`. */
export interface GeneratorState {
  /** The seed (the Philox key). */
  seed: number;
  /** uint32 outputs drawn so far. */
  offset: number;
  /** The second Box-Muller output waiting to be used, if any. */
  spareNormal: number | null;
}

/** Throws unless `state` is a GeneratorState a Generator can take (op names the caller). */
export function checkGeneratorState(op: string, state: unknown): asserts state is GeneratorState {
  const s = state as GeneratorState;
  if (s === null || typeof s !== 'object')
    throw new TypeError(`${op}: a generator state must be { seed, offset, spareNormal }, got ${String(state)}`);
  for (const key of Object.keys(s))
    if (key !== 'seed' && key !== 'offset' && key !== 'spareNormal')
      throw new TypeError(`${op}: unknown generator state key '${key}'`);
  if (!Number.isSafeInteger(s.seed))
    throw new RangeError(`${op}: generator seed must be a safe integer, got ${String(s.seed)}`);
  if (!Number.isSafeInteger(s.offset) || s.offset < 0)
    throw new RangeError(`${op}: generator offset must be a non-negative integer, got ${String(s.offset)}`);
  if (s.spareNormal !== null && (typeof s.spareNormal !== 'number' || !Number.isFinite(s.spareNormal)))
    throw new TypeError(`${op}: generator spareNormal must be null or a finite number, got ${String(s.spareNormal)}`);
}

/**
 * A seeded random number generator (`torch.Generator`): Philox4x32-10, giving the same numbers on
 * every CPU, ISA and thread count (not torch's CPU numbers, which come from mt19937). Pass one as
 * `{ generator }` to the random functions, or use the default one (`manualSeed`).
 */
export class Generator {
  private _seed = DEFAULT_SEED;
  private k0 = 0;
  private k1 = 0;
  private counter = 0; // blocks used (exact up to 2^53)
  private block = new Uint32Array(4);
  private used = 4; // outputs of `block` already handed out
  private spare: number | null = null;

  constructor() {
    this.manualSeed(DEFAULT_SEED);
  }

  /** Re-seeds (any non-negative integer up to 2^53; negative seeds wrap as torch's do). */
  manualSeed(seed: number): this {
    if (!Number.isSafeInteger(seed))
      throw new RangeError(`manualSeed: seed must be a safe integer, got ${describe(seed)}`);
    const s = seed < 0 ? seed + 2 ** 53 : seed;
    this._seed = seed;
    this.k0 = (s % 2 ** 32) >>> 0;
    this.k1 = Math.floor(s / 2 ** 32) >>> 0;
    this.counter = 0;
    this.used = 4;
    this.spare = null;
    return this;
  }

  /** The seed this generator was last seeded with (`torch.Generator.initial_seed`). */
  initialSeed(): number {
    return this._seed;
  }

  /** Its state, a plain object (`torch.Generator.get_state`). */
  getState(): GeneratorState {
    return { seed: this._seed, offset: this.counter * 4 - (4 - this.used), spareNormal: this.spare };
  }

  /**
   * Restores a state from `getState` (`torch.Generator.set_state`).
   * @throws TypeError or RangeError naming the field of a state that is not one.
   */
  setState(state: GeneratorState): this {
    checkGeneratorState('Generator.setState', state);
    this.manualSeed(state.seed);
    this.counter = Math.floor(state.offset / 4);
    const rest = state.offset % 4;
    if (rest) {
      this.refill();
      this.used = rest;
    }
    this.spare = state.spareNormal;
    return this;
  }

  private refill(): void {
    const c = this.counter++;
    philox4x32((c % 2 ** 32) >>> 0, Math.floor(c / 2 ** 32) >>> 0, 0, 0, this.k0, this.k1, this.block);
    this.used = 0;
  }

  /** The next uint32. */
  nextUint32(): number {
    if (this.used === 4) this.refill();
    return this.block[this.used++];
  }

  /** Uniform in [0, 1) with 24 random bits (every value is a float32). */
  nextFloat(): number {
    return (this.nextUint32() >>> 8) * 2 ** -24;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextDouble(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal (Box-Muller). */
  nextNormal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    const u1 = (this.nextUint32() + 1) / 4294967296; // (0, 1]
    const u2 = this.nextUint32() / 4294967296;
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }

  /** Uniform integer in [low, high), unbiased enough for ranges below 2^32 (53-bit draw). */
  nextInt(low: number, high: number): number {
    if (!(Number.isSafeInteger(low) && Number.isSafeInteger(high) && high > low))
      throw new RangeError(
        `Generator.nextInt: expects integers low < high, got ${describe(low)} and ${describe(high)}`,
      );
    return low + Math.floor(this.nextDouble() * (high - low));
  }
}

/** The process-wide generator the random functions use when none is given. */
export const defaultGenerator = new Generator();

/** Seeds the default generator (torch.manual_seed). */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** The default generator's seed (`torch.initial_seed`). */
export function initialSeed(): number {
  return defaultGenerator.initialSeed();
}
