// Training curves as a standalone SVG file (no dependencies): one panel per metric, one line per
// series, axes with ticks. Open it in any browser.
import { checkOptions, checkPath, describe } from '../errors.js';
import { writeFileAtomic } from '../io/atomic.js';

/** One line of a panel. */
export interface Series {
  /** The legend's label. */
  name: string;
  /** y values, one per x step (epoch or logged batch); NaN leaves a gap. */
  values: readonly number[];
}

/** One chart of curvesSvg: its lines share the axes. */
export interface Panel {
  /** The chart's title. */
  title: string;
  /** The lines. */
  series: Series[];
  /** The x axis's label (default 'epoch'). */
  xLabel?: string;
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = 10 ** Math.floor(Math.log10((hi - lo) / count));
  const nice = [1, 2, 5, 10].map((m) => m * step).find((s) => (hi - lo) / s <= count) ?? step * 10;
  const out: number[] = [];
  for (let v = Math.ceil(lo / nice) * nice; v <= hi + 1e-12; v += nice) out.push(Number(v.toPrecision(12)));
  return out;
}

function checkPanels(op: string, panels: unknown): void {
  const ok = (p: unknown) => {
    const q = p as Panel;
    return (
      typeof q === 'object' &&
      q !== null &&
      Array.isArray(q.series) &&
      q.series.every((s) => typeof s === 'object' && s !== null && Array.isArray(s.values))
    );
  };
  if (!Array.isArray(panels) || !panels.every(ok))
    throw new TypeError(
      `${op}: panels must be an array of { title, series: [{ name, values }] }, got ${describe(panels)}`,
    );
}

/** The SVG text for the panels, side by side. */
export function curvesSvg(panels: Panel[], size: { width?: number; height?: number } = {}): string {
  const { width = 420, height = 300 } = checkOptions('train.curvesSvg', size, { width: 'number', height: 'number' });
  const pad = { l: 56, r: 12, t: 28, b: 40 };
  const parts: string[] = [];
  checkPanels('train.curvesSvg', panels);
  panels.forEach((panel, pi) => {
    const ox = pi * width;
    const all = panel.series.flatMap((s) => s.values.filter(Number.isFinite));
    const n = Math.max(1, ...panel.series.map((s) => s.values.length));
    let lo = all.length ? Math.min(...all) : 0;
    let hi = all.length ? Math.max(...all) : 1;
    if (hi === lo) {
      hi += 0.5;
      lo -= 0.5;
    }
    const x = (i: number) => ox + pad.l + (width - pad.l - pad.r) * (n === 1 ? 0.5 : i / (n - 1));
    const y = (v: number) => pad.t + (height - pad.t - pad.b) * (1 - (v - lo) / (hi - lo));
    parts.push(`<text x="${ox + width / 2}" y="18" text-anchor="middle" font-size="14">${esc(panel.title)}</text>`);
    parts.push(
      `<rect x="${ox + pad.l}" y="${pad.t}" width="${width - pad.l - pad.r}" height="${height - pad.t - pad.b}" fill="none" stroke="#888"/>`,
    );
    for (const t of ticks(lo, hi)) {
      parts.push(`<line x1="${ox + pad.l - 4}" x2="${ox + pad.l}" y1="${y(t)}" y2="${y(t)}" stroke="#888"/>`);
      parts.push(`<text x="${ox + pad.l - 6}" y="${y(t) + 4}" text-anchor="end" font-size="10">${t}</text>`);
    }
    for (const t of ticks(1, n, Math.min(n, 8)).filter(Number.isInteger)) {
      parts.push(`<text x="${x(t - 1)}" y="${height - pad.b + 14}" text-anchor="middle" font-size="10">${t}</text>`);
    }
    parts.push(
      `<text x="${ox + width / 2}" y="${height - 8}" text-anchor="middle" font-size="11">${esc(panel.xLabel ?? 'epoch')}</text>`,
    );
    panel.series.forEach((s, si) => {
      const color = COLORS[si % COLORS.length];
      // One polyline per run of finite values: a NaN (a step not measured) leaves a gap.
      const runs: string[][] = [[]];
      s.values.forEach((v, i) => {
        if (Number.isFinite(v)) runs[runs.length - 1].push(`${x(i).toFixed(1)},${y(v).toFixed(1)}`);
        else if (runs[runs.length - 1].length) runs.push([]);
      });
      for (const pts of runs) {
        if (pts.length > 1)
          parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
        for (const p of pts) {
          const [px, py] = p.split(',');
          parts.push(`<circle cx="${px}" cy="${py}" r="2.5" fill="${color}"/>`);
        }
      }
      parts.push(
        `<text x="${ox + pad.l + 8}" y="${pad.t + 14 + 14 * si}" font-size="11" fill="${color}">${esc(s.name)}</text>`,
      );
    });
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width * panels.length}" height="${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}

/** Writes the curves to `path` (atomically). */
export function saveCurves(path: string, panels: Panel[], size?: { width?: number; height?: number }): void {
  checkPath('train.saveCurves', path);
  checkPanels('train.saveCurves', panels);
  checkOptions('train.saveCurves', size, { width: 'number', height: 'number' });
  writeFileAtomic(path, new TextEncoder().encode(curvesSvg(panels, size)));
}
