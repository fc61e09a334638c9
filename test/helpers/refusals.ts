// The sweep behind "every other op refuses dtype X": every export, every nn.functional function and
// every Tensor method, called on tensors a maker gives, with a few argument lists; what computed
// and which refusals fail to name the dtype are returned for the test to assert on.
import type * as M from '../../lib/index.js';

export type Fn = (...a: unknown[]) => unknown;

/** A callable of the library: its name, how to call it (a method takes its tensor first), whether it is a method. */
export interface Callable {
  name: string;
  f: Fn;
  method: boolean;
}

/** Every lower-case export, every nn.functional function and every Tensor method of m. */
export function callables(m: typeof M): Callable[] {
  const out: Callable[] = [];
  for (const [name, v] of Object.entries(m))
    if (typeof v === 'function' && !/^[A-Z]/.test(name)) out.push({ name, f: v as Fn, method: false });
  for (const [name, v] of Object.entries(m.nn.functional))
    if (typeof v === 'function') out.push({ name, f: v as Fn, method: false });
  const proto = m.Tensor.prototype as unknown as Record<string, Fn>;
  for (const name of Object.getOwnPropertyNames(proto)) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (d && typeof d.value === 'function' && name !== 'constructor')
      out.push({
        name,
        f: (self: unknown, ...rest: unknown[]) => (self as Record<string, Fn>)[name](...rest),
        method: true,
      });
  }
  return out;
}

/**
 * Calls each of fns but the allowed ones with tensors from make (alone, twice, with 1, with 0 and
 * 1, with [1], and a function in a list of two, as cat takes them) until one call computes.
 * computed: the names (with the dtype) that computed; unnamed: the errors matching `refusal`
 * that do not name the dtype.
 */
export function probeRefusals(
  fns: Callable[],
  make: () => M.Tensor,
  allowed: ReadonlySet<string>,
  dtype: string,
  refusal: RegExp,
): { computed: string[]; unnamed: string[] } {
  const computed: string[] = [];
  const unnamed: string[] = [];
  for (const { name, f, method } of fns) {
    if (allowed.has(name)) continue;
    const calls: unknown[][] = [[make()], [make(), make()], [make(), 1], [make(), 0, 1], [make(), [1]]];
    if (!method) calls.push([[make(), make()]]);
    for (const args of calls) {
      try {
        f(...args);
        computed.push(`${name}(${dtype})`);
        break;
      } catch (e) {
        const msg = (e as Error).message;
        if (refusal.test(msg) && !msg.includes(dtype)) unnamed.push(`${name}: ${msg}`);
      }
    }
  }
  return { computed, unnamed };
}
