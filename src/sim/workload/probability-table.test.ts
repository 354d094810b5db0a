import { describe, expect, it } from 'vitest';
import { drawFromTable, parsePythonNumberDict, tableMean, type ProbabilityTable } from './probability-table.js';

function table(text: string): ProbabilityTable {
  const t = parsePythonNumberDict(text);
  if (typeof t === 'string') throw new Error(t);
  return t;
}

describe('parsePythonNumberDict', () => {
  it('parses int and float keys, normalising the probabilities', () => {
    const t = table('{45: 0.25, 46: 0.5, 1e3: 1.25e-0}');
    expect(Array.from(t.values)).toEqual([45, 46, 1000]);
    expect(Array.from(t.cdf)).toEqual([0.125, 0.375, 1]);
    expect(tableMean(t)).toBeCloseTo(45 * 0.125 + 46 * 0.25 + 1000 * 0.625);
    expect(table(' {} ').values.length).toBe(0);
  });

  it('says what is wrong', () => {
    expect(parsePythonNumberDict('[1, 2]')).toMatch(/expected a dict literal/);
    expect(parsePythonNumberDict('{1: 0.5, 2 0.5}')).toMatch(/entry 2/);
    expect(parsePythonNumberDict('{1: 0.5, 2: nan}')).toMatch(/entry 2/);
    expect(parsePythonNumberDict('{1: -0.5}')).toMatch(/non-negative/);
    expect(parsePythonNumberDict('{1: 0.0}')).toMatch(/vanish/);
  });
});

describe('drawFromTable', () => {
  it('inverts the cumulative distribution, never drawing a value of probability 0', () => {
    const t = table('{0.0: 0.0, 1: 0.5, 2: 0.0, 3: 0.5, 4: 0.0}');
    expect(drawFromTable(t, 0)).toBe(1);
    expect(drawFromTable(t, 0.4999)).toBe(1);
    expect(drawFromTable(t, 0.5)).toBe(3);
    expect(drawFromTable(t, 0.9999999999)).toBe(3);
  });
});
