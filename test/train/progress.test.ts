// train.Progress: the bar on a TTY stays within the terminal's width (a wrapped line leaves a
// stale row at every redraw), plain lines elsewhere.
import { describe, expect, it } from 'vitest';
import { train } from '../../lib/index.js';

/** A stream that records what is written; a TTY of `columns` columns when given. */
function stream(columns?: number) {
  const writes: string[] = [];
  return {
    writes,
    isTTY: columns !== undefined,
    columns,
    write(chunk: string) {
      writes.push(chunk);
      return true;
    },
  } as unknown as NodeJS.WritableStream & { writes: string[] };
}

/** What a redraw shows: the text between '\r' and the erase-to-end-of-line sequence. */
const ERASE = '\x1b[K';
const shown = (w: string) => {
  const body = w.replace(/^\r/, '').replace(/\n$/, '');
  return body.endsWith(ERASE) ? body.slice(0, -ERASE.length) : body;
};

function epoch(p: train.Progress, total: number, extra = '') {
  p.startEpoch(0);
  for (let i = 0; i < total; i++) p.step({ loss: 2.302585 - i / 1000, accuracy: 0.123456, samples: 128 });
  return p.endEpoch(extra);
}

describe('Progress', () => {
  it('redraws one line in place on a TTY, with the bar, where the terminal is wide enough', () => {
    const s = stream(200);
    epoch(new train.Progress({ stream: s, total: 126, epochs: 3 }), 126);
    expect(s.writes).toHaveLength(127);
    for (const w of s.writes.slice(0, -1)) {
      expect(w.startsWith('\r') && w.endsWith(ERASE)).toBe(true);
      expect(w).not.toContain('\n');
    }
    expect(shown(s.writes[5])).toMatch(
      /^epoch 1\/3 {2}\[#+\.+\] batch 6\/126 {2}loss [\d.]+ {2}acc 12\.35% {2}\d+ samples\/s {2}eta /,
    );
    expect(s.writes[126]).toMatch(/batch 126\/126 .*\n$/);
  });

  it.each([80, 60, 30])('keeps every redraw within %i columns (less one), so no line wraps', (columns) => {
    const s = stream(columns);
    epoch(new train.Progress({ stream: s, total: 126, epochs: 3 }), 126, 'test loss 0.5000  test acc 81.00%');
    for (const w of s.writes.slice(0, -1)) expect(shown(w).length).toBeLessThanOrEqual(columns - 1);
    // The line keeps its numbers, dropping the bar graphic first.
    if (columns === 80)
      expect(shown(s.writes[10])).toMatch(/^epoch 1\/3 {2}batch 11\/126 {2}loss [\d.]+ {2}acc 12\.35%/);
    // The summary is written once, then a newline: it keeps the test figures.
    expect(s.writes[126]).toContain('test acc 81.00%');
    expect(s.writes[126].endsWith('\n')).toBe(true);
  });

  it('writes plain lines, about ten an epoch, where the stream is not a TTY', () => {
    const s = stream();
    const summary = epoch(new train.Progress({ stream: s, total: 100 }), 100);
    expect(s.writes).toHaveLength(10);
    for (const w of s.writes) expect(w).toMatch(/^epoch 1 {2}batch \d+\/100 {2}loss [\d.]+ {2}acc 12\.35% {2}.*\n$/);
    expect(summary.accuracy).toBeCloseTo(0.123456, 6);
    expect(summary.loss).toBeCloseTo(2.302585 - 0.0495, 5);
  });
});
