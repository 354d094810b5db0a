import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readLengthStats } from './read-length-stats.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');
const LENGTHS = resolve(process.cwd(), '../shared/data/traces/lengths');

function means(pairs: Int32Array): [number, number] {
  let p = 0;
  let o = 0;
  for (let i = 0; i < pairs.length; i += 2) {
    p += pairs[i]!;
    o += pairs[i + 1]!;
  }
  return [p / (pairs.length / 2), o / (pairs.length / 2)];
}

describe('readLengthStats', () => {
  it('reads (prefill, decode) pairs', () => {
    const d = readLengthStats(readFileSync(resolve(FIXTURES, 'lengths-small.csv'), 'utf8'), 'l.csv');
    expect(Array.from(d.pairs)).toEqual([74, 918, 290, 905, 1000, 10]);
  });

  it('says which row is bad', () => {
    const text = 'num_prefill_tokens,num_decode_tokens\n5,6\n7,0\n';
    expect(() => readLengthStats(text, 'l.csv')).toThrow('l.csv:3: expected num_decode_tokens to be a positive integer, got 0');
    expect(() => readLengthStats('num_prefill_tokens,num_decode_tokens\n', 'l.csv')).toThrow(/at least one row/);
  });

  it.skipIf(!existsSync(LENGTHS)).each([
    ['sharegpt_8k_filtered_stats_llama2_tokenizer.csv', 30_731, 2340.0, 438.7],
    ['arxiv_summarization_stats_llama2_tokenizer_filtered_v2.csv', 28_257, 2588.1, 291.4],
    ['bwb_stats_llama2_tokenizer_filtered_v2.csv', 33_768, 1067.2, 1612.8],
  ])('reads %s', (file, rows, prompt, output) => {
    const d = readLengthStats(readFileSync(resolve(LENGTHS, file), 'utf8'), file);
    expect(d.pairs.length / 2).toBe(rows);
    const [p, o] = means(d.pairs);
    expect(p).toBeCloseTo(prompt, 0);
    expect(o).toBeCloseTo(output, 0);
  });
});
