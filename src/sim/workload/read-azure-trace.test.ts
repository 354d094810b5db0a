import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAzureTimestamp, readAzureTrace } from './read-azure-trace.js';
import { summarizeWorkload } from './workload-stats.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');
const AZURE = resolve(process.cwd(), '../shared/data/traces/azure-2023');

describe('parseAzureTimestamp', () => {
  it('keeps 7 fractional digits', () => {
    const a = parseAzureTimestamp('2023-11-16 18:15:46.6805900')!;
    const b = parseAzureTimestamp('2023-11-16 18:15:50.9951690')!;
    expect((b.seconds - a.seconds) * 1000 + (b.fractionMs - a.fractionMs)).toBeCloseTo(4314.579, 6);
    expect(a.seconds).toBe(Date.UTC(2023, 10, 16, 18, 15, 46) / 1000);
    expect(parseAzureTimestamp('2023-11-16 18:15:46')!.fractionMs).toBe(0);
  });

  it('refuses malformed and out-of-range times', () => {
    for (const bad of ['2023-11-16', '2023-13-16 18:15:46.1', '2023-11-16 25:15:46.1', '2023-11-16 18:15:46.', '16/11/2023 18:15:46', '2023-11-16 18:15:4x']) {
      expect(parseAzureTimestamp(bad), bad).toBeUndefined();
    }
  });
});

describe('readAzureTrace', () => {
  it('reads times relative to the first row, in ms', () => {
    const { workload: w } = readAzureTrace(readFileSync(resolve(FIXTURES, 'azure-valid.csv'), 'utf8'), 'azure-valid.csv');
    expect(Array.from(w.arrivalMs).map((t) => Math.round(t * 1e4) / 1e4)).toEqual([0, 4314.579, 4314.579, 4319.41, 14442.8667]);
    expect(Array.from(w.promptTokens)).toEqual([374, 396, 879, 1024, 50]);
    expect(Array.from(w.outputTokens)).toEqual([44, 109, 12, 256, 7]);
    expect(w.tenantNames).toEqual(['default']);
  });

  it('says what is wrong with a bad row', () => {
    const head = 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,374,44\n';
    expect(() => readAzureTrace(head + 'yesterday,1,1\n', 't.csv')).toThrow('t.csv:3: expected TIMESTAMP like 2023-11-16 18:15:46.6805900, got "yesterday"');
    expect(() => readAzureTrace(head + '2023-11-16 18:15:47.0,-4,1\n', 't.csv')).toThrow('t.csv:3: expected ContextTokens to be a positive integer, got -4');
    expect(() => readAzureTrace(head + '2023-11-16 18:15:47.0,12,1.5\n', 't.csv')).toThrow('expected GeneratedTokens to be a positive integer, got 1.5');
    expect(() => readAzureTrace(head + '2023-11-16 18:15:47.0,12,\n', 't.csv')).toThrow('expected GeneratedTokens to be a positive integer, got ""');
    expect(() => readAzureTrace('when,ContextTokens\n', 't.csv')).toThrow(/t.csv:1: expected a header with columns TIMESTAMP, ContextTokens, GeneratedTokens; missing TIMESTAMP, GeneratedTokens/);
  });

  it('takes the time origin from the first row it keeps', () => {
    const text = 'TIMESTAMP,ContextTokens,GeneratedTokens\nnot a time,1,1\n2023-11-16 18:15:47.5,1,1\n2023-11-16 18:15:48.0,1,1\n';
    const { workload, skipped } = readAzureTrace(text, 't.csv', { skipInvalid: true });
    expect(skipped).toBe(1);
    expect(Array.from(workload.arrivalMs)).toEqual([0, 500]);
  });

  describe.skipIf(!existsSync(AZURE))('on the published traces', () => {
    it('reads the conversation trace: 19,366 requests, Poisson-like at 5.5 req/s', () => {
      const { workload: w, skipped } = readAzureTrace(readFileSync(resolve(AZURE, 'AzureLLMInferenceTrace_conv.csv'), 'utf8'), 'conv.csv');
      const s = summarizeWorkload(w);
      expect(skipped).toBe(0);
      expect(s.count).toBe(19_366);
      expect(s.meanPromptTokens).toBeCloseTo(1154.7, 1);
      expect(s.meanOutputTokens).toBeCloseTo(211.1, 1);
      expect(s.ratePerSecond).toBeCloseTo(5.53, 2);
      expect(s.durationMs).toBeCloseTo(3_501_721.937, 3);
      expect(s.interArrivalCv).toBeGreaterThan(0.9);
      expect(s.interArrivalCv).toBeLessThan(1.3);
    });

    it('reads the code trace: 8,819 bursty requests', () => {
      const { workload: w } = readAzureTrace(readFileSync(resolve(AZURE, 'AzureLLMInferenceTrace_code.csv'), 'utf8'), 'code.csv');
      const s = summarizeWorkload(w);
      expect(s.count).toBe(8_819);
      expect(s.meanPromptTokens).toBeCloseTo(2047.8, 1);
      expect(s.meanOutputTokens).toBeCloseTo(27.9, 1);
      expect(s.interArrivalCv).toBeGreaterThan(5);
    });
  });
});
