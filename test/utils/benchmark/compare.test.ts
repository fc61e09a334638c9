// Compare's tables against PyTorch 1.13's for the same measurements (scripts/gen_fixtures_benchmark.py).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { utils } from '../../../lib/index.js';

const { Compare, Measurement } = utils.benchmark;

interface Sample {
  numberPerRun: number;
  rawTimes: number[];
  taskSpec: utils.benchmark.TaskSpec;
}
const fixtures = JSON.parse(readFileSync(new URL('../../fixtures/benchmark.json', import.meta.url), 'utf8')) as {
  sets: Record<string, Sample[]>;
  compares: { results: string; setup: string[]; expected: string }[];
};

function compare(name: string, setup: string[]) {
  const c = new Compare(fixtures.sets[name].map((s) => new Measurement(s.numberPerRun, s.rawTimes, s.taskSpec)));
  for (const step of setup) {
    if (step === 'trim') c.trimSignificantFigures();
    else if (step === 'colorize') c.colorize();
    else if (step === 'rowwise') c.colorize(true);
    else if (step === 'highlight') c.highlightWarnings();
  }
  return c;
}

describe('Compare', () => {
  it.each(fixtures.compares.map((c) => [`${c.results} [${c.setup.join(', ')}]`, c] as const))(
    '%s prints as PyTorch',
    (_, c) => {
      expect(compare(c.results, c.setup).toString()).toBe(c.expected);
    },
  );

  it('prints no ANSI escapes unless colorize() was called', () => {
    expect(compare('grid', ['trim', 'highlight']).toString()).not.toContain('\x1b');
    expect(compare('grid', ['colorize']).toString()).toContain('\x1b[92m');
  });

  it('refuses what is not a Measurement, naming itself', () => {
    expect(() => new Compare(3 as never)).toThrow(/^utils\.benchmark\.Compare: results must be an array/);
    expect(() => new Compare([{}] as never)).toThrow(
      /^utils\.benchmark\.Compare: expected a Measurement, got an object/,
    );
    expect(() => compare('grid', []).colorize('yes' as never)).toThrow(/^utils\.benchmark\.Compare\.colorize: /);
  });
});
