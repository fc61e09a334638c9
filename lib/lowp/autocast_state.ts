// Autocast (torch.autocast('cpu', dtype=torch.bfloat16)): while a scope is on, the matrix
// products of PyTorch's CPU lower-precision list run with bf16 products and fp32 sums, their
// outputs rounded to bf16. This module holds the state only; the ops read it.
import { checkFunction, checkOptions, describe, optionKeys } from '../errors.js';

/** The lower-precision dtypes autocast can run in (PyTorch's CPU autocast: bfloat16 only). */
export type AutocastDtype = 'bfloat16';

/** The options of autocast (torch.autocast's keyword arguments, in camelCase). */
export interface AutocastOptions {
  /** The lower precision: 'bfloat16' (the default; the only one CPU autocast supports). */
  dtype?: AutocastDtype;
  /** false turns autocast off inside the scope, even inside an enabled one (default true). */
  enabled?: boolean;
}

const AUTOCAST_OPTIONS = optionKeys<AutocastOptions>({ dtype: 'string', enabled: 'boolean' });

interface State {
  enabled: boolean;
  dtype: AutocastDtype;
}

let state: State = { enabled: false, dtype: 'bfloat16' };

/** Whether autocast is on now (torch.is_autocast_cpu_enabled). */
export function isAutocastEnabled(): boolean {
  return state.enabled;
}

/** The dtype autocast casts to now ('bfloat16'), or null when it is off. */
export function autocastDtype(): AutocastDtype | null {
  return state.enabled ? state.dtype : null;
}

/**
 * Runs fn with autocast off: for ops PyTorch keeps in float32 under autocast that myelin builds
 * from listed ones (bilinear: torch's _trilinear is in no list, myelin's uses linear).
 */
export function withoutAutocast<T>(fn: () => T): T {
  const before = state;
  state = { ...state, enabled: false };
  try {
    return fn();
  } finally {
    state = before;
  }
}

function parseOptions(op: string, options: AutocastOptions | undefined): State {
  const o = checkOptions(op, options, AUTOCAST_OPTIONS);
  const dtype = o.dtype ?? 'bfloat16';
  if (dtype !== 'bfloat16') {
    throw new RangeError(
      `${op}: dtype must be 'bfloat16' (CPU autocast runs in bfloat16 only, as PyTorch's), got ${describe(dtype)}`,
    );
  }
  return { enabled: o.enabled ?? true, dtype };
}

/**
 * An autocast scope opened by enter() and closed by exit() (torch.autocast used as a context
 * manager): exit() restores the state enter() found. Scopes nest; exit them in reverse order.
 */
export class AutocastScope {
  readonly #state: State;
  #saved: State | null = null;

  constructor(options?: AutocastOptions) {
    this.#state = parseOptions('AutocastScope', options);
  }

  /** Turns this scope's autocast state on; an error if it is already entered. */
  enter(): this {
    if (this.#saved) throw new Error('autocast.enter: this scope is already entered; exit it first');
    this.#saved = state;
    state = this.#state;
    return this;
  }

  /** Restores the state found by enter(); an error if it is not entered or not the innermost scope. */
  exit(): void {
    if (!this.#saved) throw new Error('autocast.exit: this scope is not entered');
    if (state !== this.#state)
      throw new Error('autocast.exit: an autocast scope entered inside this one is still open; exit it first');
    state = this.#saved;
    this.#saved = null;
  }
}

/**
 * Runs fn with autocast on and returns what it returns (torch.autocast('cpu',
 * dtype=torch.bfloat16)): inside, linear, matmul, mm, bmm, addmm, baddbmm, addbmm, conv1d,
 * conv2d, and the products of attention and of the RNN layers run with bf16 products and fp32
 * sums, outputs rounded to bfloat16 (held in float32 tensors); everything else stays float32.
 * Without fn, returns an AutocastScope to enter() and exit(). fn must be synchronous: the scope
 * closes when it returns.
 */
export function autocast(options?: AutocastOptions): AutocastScope;
export function autocast<T>(options: AutocastOptions | undefined, fn: () => T): T;
export function autocast<T>(options?: AutocastOptions, fn?: () => T): T | AutocastScope {
  const inner = parseOptions('autocast', options); // errors name autocast, not the scope class
  if (fn === undefined) return new AutocastScope(options);
  checkFunction('autocast', 'fn', fn);
  const before = state;
  state = inner;
  try {
    const result = fn();
    if (result instanceof Promise)
      throw new TypeError(
        'autocast: fn returned a Promise; autocast is synchronous (its scope closes when fn returns)',
      );
    return result;
  } finally {
    // The state found on entry, even when an exception left a scope entered inside fn open.
    state = before;
  }
}

/**
 * PyTorch 1.13's CPU autocast float32 list (the losses, prod, trace, the transposed
 * convolutions, the reflect and replicate pads): under autocast those ops widen bfloat16 inputs
 * to float32 and compute in float32. The inputs with each bfloat16 tensor widened, when autocast
 * is on and one of them is bfloat16; else null (the op runs as it would without autocast).
 */
export function widenedForFloat32List<T extends readonly unknown[]>(...inputs: T): T | null {
  const isBf16 = (t: unknown): t is { float(): unknown } =>
    typeof t === 'object' && t !== null && (t as { dtype?: unknown }).dtype === 'bfloat16';
  if (!state.enabled || !inputs.some(isBf16)) return null;
  return inputs.map((t) => (isBf16(t) ? t.float() : t)) as unknown as T;
}
