import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJsonlTrace } from './read-jsonl-trace.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');

describe('readJsonlTrace', () => {
  it('reads tenants (default when absent) and optional hash ids', () => {
    const { workload: w } = readJsonlTrace(readFileSync(resolve(FIXTURES, 'jsonl-valid.jsonl'), 'utf8'), 'g.jsonl');
    expect(Array.from(w.arrivalMs)).toEqual([0, 3.5, 3.5, 40, 1000.25]);
    expect(w.tenantNames).toEqual(['chat', 'search', 'default']);
    expect(Array.from(w.tenant)).toEqual([0, 1, 2, 1, 0]);
    expect(Array.from(w.blockHashes!.offsets)).toEqual([0, 0, 2, 2, 5, 5]);
    expect(Array.from(w.blockHashes!.ids)).toEqual([7, 8, 7, 8, 9]);
    expect(w.blockTokens).toBe(512);
  });

  it('takes the block size from the options', () => {
    const text = '{"arrival_ms": 0, "prompt_tokens": 40, "output_tokens": 1, "hash_ids": [1, 2, 3]}';
    expect(readJsonlTrace(text, 'g', { blockTokens: 16 }).workload.blockTokens).toBe(16);
  });

  it('keeps tenants of skipped rows out of the names', () => {
    const text = '{"arrival_ms": 0, "prompt_tokens": 0, "output_tokens": 1, "tenant": "ghost"}\n{"arrival_ms": 1, "prompt_tokens": 4, "output_tokens": 1}';
    const { workload, skipped } = readJsonlTrace(text, 'g', { skipInvalid: true });
    expect(skipped).toBe(1);
    expect(workload.tenantNames).toEqual(['default']);
  });

  it('says what is wrong with a bad row', () => {
    expect(() => readJsonlTrace('{"arrival_ms": 0, "prompt_tokens": 4, "output_tokens": 1, "tenant": 3}', 'g')).toThrow('g:1: expected tenant to be a string, got 3');
    expect(() => readJsonlTrace('{"prompt_tokens": 4, "output_tokens": 1}', 'g')).toThrow('g:1: expected arrival_ms to be a number of ms, got nothing');
    expect(() => readJsonlTrace('{"arrival_ms": 0, "prompt_tokens": "4", "output_tokens": 1}', 'g')).toThrow('expected prompt_tokens to be a positive integer, got "4"');
    expect(() => readJsonlTrace('\n\n{"arrival_ms": 0,', 'g')).toThrow(/^g:3: expected one JSON object per line/);
  });
});
