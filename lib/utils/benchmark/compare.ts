// Compare: PyTorch's torch.utils.benchmark.Compare table, laid out as compare.py lays it out
// (one table per label, a row per thread count, env and subLabel, a column per description,
// one time unit per table), so a table prints as PyTorch prints the same measurements.
import { describe, typeError } from '../../errors.js';
import { Measurement, selectUnit, trimSigfig, unitToEnglish } from './common.js';

const BEST = '\x1b[92m';
const GOOD = '\x1b[34m';
const BAD = '\x1b[2m\x1b[91m';
const VERY_BAD = '\x1b[31m';
const BOLD = '\x1b[1m';
const TERMINATE = '\x1b[0m';

type Colorize = 'none' | 'columnwise' | 'rowwise';

/** Python's str.center: the odd space goes left only when the width is odd. */
function center(s: string, width: number, fill = ' '): string {
  const marg = width - s.length;
  if (marg <= 0) return s;
  const left = Math.floor(marg / 2) + (marg & width & 1);
  return fill.repeat(left) + s + fill.repeat(marg - left);
}

/** Python's '{:>W.Df}'. */
function fixed(value: number, width: number, decimals: number): string {
  return value.toFixed(decimals).padStart(width);
}

interface Column {
  /** The column's cells by thread group, then row. */
  groups: (Measurement | null)[][];
  highlight: boolean;
  width: number;
  decimals: number;
}

function makeColumn(groups: (Measurement | null)[][], scale: number, trim: boolean, highlight: boolean): Column {
  const flat = groups.flat();
  const digits = flat.map((m) => (m ? Math.ceil(Math.log10(m.median / scale)) : null));
  const unitDigits = Math.max(...digits.filter((d): d is number => d !== null));
  const decimals = trim
    ? Math.min(
        ...flat.flatMap((m, i) =>
          m && digits[i] !== null ? [Math.max(m.significantFigures - (digits[i] ?? 0), 0)] : [],
        ),
      )
    : 1;
  return {
    groups,
    highlight: highlight && flat.some((m) => m?.hasWarnings),
    width: Math.max(unitDigits + decimals + (decimals ? 1 : 0), 0),
    decimals,
  };
}

function cellText(col: Column, trim: boolean, value: number | null, sigfigs: number, spread: number | null): string {
  if (value === null) return ' '.repeat(cellText(col, trim, 1, sigfigs, null).length);
  const v = trim ? trimSigfig(value, sigfigs) : value;
  const note = col.highlight && spread !== null ? ` (! ${(spread * 100).toFixed(0)}%)` : '';
  return fixed(v, col.width, col.decimals) + note.padStart(col.highlight ? 7 : 0);
}

function colorSegment(segment: string, value: number, best: number): string {
  if (value <= best * 1.01 || value <= best + 100e-9) return BEST + BOLD + segment + TERMINATE.repeat(2);
  if (value <= best * 1.1) return GOOD + BOLD + segment + TERMINATE.repeat(2);
  if (value >= best * 5) return VERY_BAD + BOLD + segment + TERMINATE.repeat(2);
  if (value >= best * 2) return BAD + segment + TERMINATE.repeat(2);
  return segment;
}

/** One label's table. */
function renderTable(results: Measurement[], colorize: Colorize, trim: boolean, highlight: boolean): string {
  const label = results[0].taskSpec.label;
  const { unit, scale } = selectUnit(Math.min(...results.map((r) => r.median)));
  const rowKey = (m: Measurement) => JSON.stringify([m.taskSpec.numThreads, m.taskSpec.env ?? '', m.asRowName]);
  const colKey = (m: Measurement) => m.taskSpec.description ?? '';
  const rowKeys = [...new Set(results.map(rowKey))];
  // Stable sort by thread count and env: rows keep the order their statements came in.
  const parsed = rowKeys.map((k) => JSON.parse(k) as [number, string, string]);
  const order = parsed.map((_, i) => i);
  order.sort(
    (a, b) => parsed[a][0] - parsed[b][0] || (parsed[a][1] < parsed[b][1] ? -1 : parsed[a][1] > parsed[b][1] ? 1 : 0),
  );
  const rows = order.map((i) => parsed[i]);
  const columnKeys = [...new Set(results.map(colKey))];
  const cells: (Measurement | null)[][] = rows.map(() => columnKeys.map(() => null));
  const rowIndex = new Map(order.map((i, pos) => [rowKeys[i], pos]));
  for (const r of results) cells[rowIndex.get(rowKey(r)) ?? 0][columnKeys.indexOf(colKey(r))] = r;

  const envs = new Set(results.map((r) => r.taskSpec.env ?? ''));
  const renderEnv = envs.size > 1;
  const envLen = renderEnv ? Math.max(...[...envs].map((e) => e.length)) : 0;

  // Rows grouped by thread count: each group opens with a "N threads: ----" line.
  const groupOf: number[] = [];
  const groups: (Measurement | null)[][][] = [];
  const separators: (number | null)[] = [];
  const showEnv: boolean[] = [];
  let priorThreads = -1;
  let priorEnv = '';
  rows.forEach(([threads, env], i) => {
    const transition = threads !== priorThreads;
    if (transition) {
      priorThreads = threads;
      priorEnv = '';
      groups.push([]);
    }
    groupOf.push(groups.length - 1);
    separators.push(transition ? threads : null);
    showEnv.push(renderEnv && env !== priorEnv);
    groups[groups.length - 1].push(cells[i]);
    priorEnv = env;
  });
  const columns = columnKeys.map((_, j) =>
    makeColumn(
      groups.map((g) => g.map((row) => row[j])),
      scale,
      trim,
      highlight,
    ),
  );

  const stringRows: string[][] = [['', ...columnKeys]];
  rows.forEach((_, i) => {
    const first = cells[i].find((m) => m !== null) as Measurement;
    const env = (showEnv[i] ? `(${first.taskSpec.env ?? ''})` : '').padEnd(envLen + 4);
    stringRows.push([
      `  ${env}${first.asRowName}`,
      ...cells[i].map((m, j) =>
        m === null
          ? cellText(columns[j], trim, null, 1, null)
          : cellText(columns[j], trim, m.median / scale, m.significantFigures, m.hasWarnings ? m.iqr / m.median : null),
      ),
    ]);
  });
  const widths = stringRows[0].map((_, j) => Math.max(...stringRows.map((r) => r[j].length)));
  const lines = [stringRows[0].map((s, j) => center(s, widths[j])).join('  |  ')];
  const overall = lines[0].length;
  rows.forEach((_, i) => {
    if (separators[i] !== null) lines.push(`${separators[i]} threads: `.padEnd(overall, '-'));
    const present = cells[i].filter((m): m is Measurement => m !== null);
    const best: (number | null)[] =
      colorize === 'rowwise'
        ? columns.map(() => Math.min(...present.map((m) => m.median)))
        : colorize === 'columnwise'
          ? columns.map((c) => {
              const ms = c.groups[groupOf[i]].filter((m): m is Measurement => m !== null);
              return ms.length ? Math.min(...ms.map((m) => m.median)) : null;
            })
          : columns.map(() => -1);
    const parts = [stringRows[i + 1][0].padEnd(widths[0])];
    for (let j = 0; j < columnKeys.length; j++) {
      let s = center(stringRows[i + 1][j + 1], widths[j + 1]);
      const m = cells[i][j];
      const b = best[j];
      if (colorize !== 'none' && m !== null && b !== null) s = colorSegment(s, m.median, b);
      parts.push(s);
    }
    lines.push(parts.join('  |  '));
  });
  const warned = highlight && results.some((r) => r.hasWarnings);
  return (
    `[${center(` ${label ?? ''} `, overall - 2, '-')}]\n${lines.join('\n')}\n\n` +
    `Times are in ${unitToEnglish(unit)}s (${unit}).\n` +
    (warned ? '(! XX%) Measurement has high variance, where XX is the IQR / median * 100.\n' : '')
  );
}

/**
 * Tables of measurements, as PyTorch's `torch.utils.benchmark.Compare`: one table per label, a
 * row per subLabel (or statement) at each thread count and env, a column per description, the
 * median of each in one time unit per table (the unit of its fastest). Measurements of the
 * same task are merged first (Measurement.merge).
 *
 * ```ts
 * const c = new utils.benchmark.Compare([m1, m2, m3]);
 * c.trimSignificantFigures();
 * c.print();
 * ```
 * @throws TypeError naming `utils.benchmark.Compare` unless given an array of Measurements
 */
export class Compare {
  private readonly _results: Measurement[] = [];
  private _trim = false;
  private _colorize: Colorize = 'none';
  private _highlight = false;

  constructor(results: readonly Measurement[]) {
    this.extendResults(results);
  }

  /**
   * Adds measurements to the tables.
   * @throws TypeError naming `utils.benchmark.Compare` unless given an array of Measurements
   */
  extendResults(results: readonly Measurement[]): void {
    const op = 'utils.benchmark.Compare';
    if (!Array.isArray(results))
      throw typeError(op, `results must be an array of Measurements, got ${describe(results)}`);
    for (const r of results) {
      if (!(r instanceof Measurement)) throw typeError(op, `expected a Measurement, got ${describe(r)}`);
    }
    this._results.push(...results);
  }

  /** Prints each median to the significant figures its spread supports (PyTorch's trim_significant_figures). */
  trimSignificantFigures(): void {
    this._trim = true;
  }

  /**
   * Colours each cell (ANSI escapes) by how far it is from the best of its column in its
   * thread group, or of its row with `rowwise`: green within 1%, blue within 10%, dim red at
   * 2x, red at 5x. Off until called: a table written to a file stays plain text.
   */
  colorize(rowwise = false): void {
    if (typeof rowwise !== 'boolean')
      throw typeError('utils.benchmark.Compare.colorize', `rowwise must be a boolean, got ${describe(rowwise)}`);
    this._colorize = rowwise ? 'rowwise' : 'columnwise';
  }

  /** Marks each cell whose IQR is 10% of its median or more with "(! XX%)". */
  highlightWarnings(): void {
    this._highlight = true;
  }

  /** The tables, one per label, in the order their labels first appear. */
  toString(): string {
    const byLabel = new Map<string | undefined, Measurement[]>();
    for (const m of Measurement.merge(this._results)) {
      const group = byLabel.get(m.taskSpec.label) ?? [];
      group.push(m);
      byLabel.set(m.taskSpec.label, group);
    }
    return [...byLabel.values()].map((g) => renderTable(g, this._colorize, this._trim, this._highlight)).join('\n');
  }

  /** Writes toString() to standard output. */
  print(): void {
    console.log(this.toString());
  }
}
