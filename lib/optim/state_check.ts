// Checks a saved state (a scheduler's state dict, JSON from a checkpoint) against the state the
// object has now, before anything is assigned: the same keys, and values of the same kinds all
// the way down, so a file cannot turn a number into a string that fails at the next step().
import { describe as describeValue } from '../errors.js';

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function describe(v: unknown): string {
  const text = describeValue(v);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}

/**
 * Throws naming the path of the first value of `saved` whose kind differs from `current`'s
 * (number, string, boolean, null, array, object). Arrays may differ in length (milestones, per-group
 * lists); their elements must be of the kind of current's elements. `null` in current accepts a
 * number or null (a value not yet known, such as a best metric).
 */
export function checkSameStructure(op: string, current: unknown, saved: unknown, path = 'state'): void {
  const want = kind(current);
  const got = kind(saved);
  if (want === 'null') {
    if (got !== 'null' && got !== 'number')
      throw new TypeError(`${op}: ${path} must be a number or null, got ${describe(saved)}`);
    return;
  }
  if (want !== got) throw new TypeError(`${op}: ${path} must be a ${want}, got ${describe(saved)}`);
  if (want === 'array') {
    const cur = current as unknown[];
    const sav = saved as unknown[];
    if (cur.length === 0) return;
    sav.forEach((v, i) => checkSameStructure(op, cur[Math.min(i, cur.length - 1)], v, `${path}[${i}]`));
  } else if (want === 'object') {
    const cur = current as Record<string, unknown>;
    const sav = saved as Record<string, unknown>;
    for (const k of Object.keys(cur)) if (!(k in sav)) throw new TypeError(`${op}: ${path} has no '${k}'`);
    for (const k of Object.keys(sav)) {
      if (!(k in cur)) throw new TypeError(`${op}: ${path} has an unknown key '${k}'`);
      checkSameStructure(op, cur[k], sav[k], `${path}.${k}`);
    }
  }
}
