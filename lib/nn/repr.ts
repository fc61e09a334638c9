// Python-style formatting for module reprs, so toString() matches PyTorch's text.

/** A number as Python prints a float: 1.0, 0.1, 1e-05, 1e+20. */
export function pyFloat(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e16)) {
    const [mant, exp] = v.toExponential().split('e');
    const e = Number(exp);
    return `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  return Number.isInteger(v) ? `${v}.0` : String(v);
}

/** A boolean as Python prints it. */
export function pyBool(v: boolean): string {
  return v ? 'True' : 'False';
}

/** A tuple of ints as Python prints it: (3,) or (2, 5). */
export function pyTuple(values: readonly number[]): string {
  return values.length === 1 ? `(${values[0]},)` : `(${values.join(', ')})`;
}
