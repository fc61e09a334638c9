// curvesSvg / saveCurves: one panel per metric, one line per series, NaN as a gap, text escaped.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { curvesSvg } from '../../lib/train/plot.js';
import { train } from '../../lib/index.js';

const count = (text: string, re: RegExp) => (text.match(re) ?? []).length;

describe('curvesSvg', () => {
  it('draws one panel per metric and one line with a dot per value per series', () => {
    const svg = curvesSvg([
      {
        title: 'loss',
        series: [
          { name: 'train', values: [2.3, 1.1, 0.7] },
          { name: 'test', values: [2.0, 1.3, 0.9] },
        ],
      },
      { title: 'accuracy', series: [{ name: 'test', values: [0.5, 0.7, 0.8] }] },
    ]);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="840" height="300"/);
    expect(svg).toContain('>loss</text>');
    expect(svg).toContain('>accuracy</text>');
    expect(count(svg, /<polyline /g)).toBe(3);
    expect(count(svg, /<circle /g)).toBe(9);
  });

  it('leaves a gap at a NaN, and escapes names', () => {
    const svg = curvesSvg([{ title: 'a < b & c', series: [{ name: '<train>', values: [1, 2, Number.NaN, 3, 4] }] }]);
    expect(count(svg, /<polyline /g)).toBe(2);
    expect(count(svg, /<circle /g)).toBe(4);
    expect(svg).toContain('a &lt; b &amp; c');
    expect(svg).toContain('&lt;train&gt;');
  });
});

describe('saveCurves', () => {
  it('writes the SVG to the file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-curves-'));
    try {
      const file = path.join(dir, 'curves.svg');
      const panels = [{ title: 'loss', series: [{ name: 'train', values: [1, 0.5] }] }];
      train.saveCurves(file, panels);
      expect(fs.readFileSync(file, 'utf8')).toBe(curvesSvg(panels));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
