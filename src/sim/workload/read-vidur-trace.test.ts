import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readVidurTrace } from './read-vidur-trace.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');

describe('readVidurTrace', () => {
  it('reads arrived_at in seconds as ms, ignoring extra columns', () => {
    const { workload: w } = readVidurTrace(readFileSync(resolve(FIXTURES, 'vidur-valid.csv'), 'utf8'), 'v.csv');
    expect(Array.from(w.arrivalMs)).toEqual([0, 500, 500, 1250, 10_000]);
    expect(Array.from(w.promptTokens)).toEqual([100, 2048, 300, 4096, 64]);
    expect(Array.from(w.outputTokens)).toEqual([20, 128, 30, 1, 512]);
  });

  it('finds its columns in any order, with CRLF line ends', () => {
    const text = 'num_decode_tokens,arrived_at,num_prefill_tokens\r\n5,0.001,7\r\n\r\n6,2e-3,8\r\n';
    const { workload: w } = readVidurTrace(text, 'v.csv');
    expect(Array.from(w.arrivalMs)).toEqual([1, 2]);
    expect(Array.from(w.promptTokens)).toEqual([7, 8]);
    expect(Array.from(w.outputTokens)).toEqual([5, 6]);
  });

  it('says what is wrong with a bad row', () => {
    const head = 'arrived_at,num_prefill_tokens,num_decode_tokens\n';
    expect(() => readVidurTrace(head + 'soon,1,1\n', 'v.csv')).toThrow('v.csv:2: expected arrived_at to be a number of seconds, got "soon"');
    expect(() => readVidurTrace(head + '-1,1,1\n', 'v.csv')).toThrow('v.csv:2: expected a non-negative arrived_at, got -1000 ms');
    expect(() => readVidurTrace(head + '1,1,1,1\n', 'v.csv')).toThrow('v.csv:2: expected 3 comma-separated fields, got 4');
    expect(() => readVidurTrace(head + '1,x7,1\n', 'v.csv')).toThrow('expected num_prefill_tokens to be a positive integer, got "x7"');
  });

  it('reads quoted CSV through the full parser, with the same line numbers', () => {
    const text = '"arrived_at","num_prefill_tokens","num_decode_tokens"\n"0.5",10,2\n\n"0.25",10,2\n';
    expect(readVidurTrace(text, 'q.csv', { skipInvalid: true })).toMatchObject({ skipped: 1, workload: { count: 1 } });
    expect(() => readVidurTrace(text, 'q.csv')).toThrow(/^q.csv:4: arrived_at goes backwards/);
    expect(() => readVidurTrace('"arrived_at\n1', 'q.csv')).toThrow(/expected well-formed CSV/);
  });
});
