import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readMooncakeTrace } from './read-mooncake-trace.js';
import { repeatWorkload } from './workload.js';
import { repeatedBlockFraction, summarizeWorkload } from './workload-stats.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');
const MOONCAKE = resolve(process.cwd(), '../shared/data/traces/mooncake/synthetic_trace.jsonl');

describe('readMooncakeTrace', () => {
  it('reads lengths, times and block hashes', () => {
    const { workload: w } = readMooncakeTrace(readFileSync(resolve(FIXTURES, 'mooncake-valid.jsonl'), 'utf8'), 'm.jsonl');
    expect(Array.from(w.arrivalMs)).toEqual([0, 0, 250, 1000, 1500]);
    expect(Array.from(w.promptTokens)).toEqual([1200, 512, 1100, 1, 1536]);
    expect(w.blockTokens).toBe(512);
    expect(Array.from(w.blockHashes!.offsets)).toEqual([0, 3, 4, 7, 8, 11]);
    // Blocks 0, 1 repeat in row 3 and 0, 1, 2 in row 5: 5 of 11.
    expect(repeatedBlockFraction(w)).toBeCloseTo(5 / 11);
  });

  it('says what is wrong with a bad row', () => {
    const row = (o: object): string => JSON.stringify({ timestamp: 0, input_length: 10, output_length: 1, hash_ids: [1], ...o });
    expect(() => readMooncakeTrace(row({ hash_ids: [1, -2] }), 'm')).toThrow('m:1: expected hash_ids[1] to be an integer in [0, 2^32), got -2');
    expect(() => readMooncakeTrace(row({ hash_ids: undefined }), 'm')).toThrow('expected hash_ids to be an array');
    expect(() => readMooncakeTrace(`${row({})}\n${row({ timestamp: '5' })}`, 'm')).toThrow('m:2: expected timestamp to be a number of ms, got "5"');
    expect(() => readMooncakeTrace(`${row({})}\n[1, 2]`, 'm')).toThrow('m:2: expected one JSON object per line, got an array');
    expect(() => readMooncakeTrace(row({ output_length: 0 }), 'm')).toThrow('expected output_length to be a positive integer, got 0');
  });

  describe.skipIf(!existsSync(MOONCAKE))('on the published synthetic trace', () => {
    const { workload: w, skipped } = readMooncakeTrace(readFileSync(MOONCAKE, 'utf8'), 'synthetic_trace.jsonl');

    it('has 3,993 requests with one hash per 512-token block', () => {
      expect(skipped).toBe(0);
      expect(w.count).toBe(3993);
      const { offsets } = w.blockHashes!;
      for (let i = 0; i < w.count; i++) expect(offsets[i + 1]! - offsets[i]!).toBe(Math.ceil(w.promptTokens[i]! / 512));
      expect(summarizeWorkload(w).durationMs).toBe(1_022_025);
    });

    it('repeats about 64% of blocks with an unbounded cache, and tiling keeps that', () => {
      expect(repeatedBlockFraction(w)).toBeCloseTo(0.64, 2);
      expect(repeatedBlockFraction(repeatWorkload(w, 3))).toBeCloseTo(repeatedBlockFraction(w), 10);
    });
  });
});
