import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { detectTraceFormat, readTrace, traceReaders } from './read-trace.js';
import { TRACE_FORMATS } from './trace-reader.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');
const SHARED = resolve(process.cwd(), '../shared/data/traces');

function firstLine(path: string): string {
  return readFileSync(path, 'utf8').split('\n')[0]!;
}

describe('readTrace', () => {
  it('has a reader for every format', () => {
    expect(Object.keys(traceReaders).sort()).toEqual([...TRACE_FORMATS].sort());
  });

  it('dispatches on the format', () => {
    const text = readFileSync(resolve(FIXTURES, 'vidur-valid.csv'), 'utf8');
    expect(readTrace(text, 'v.csv', 'vidur').workload.count).toBe(5);
    expect(() => readTrace(text, 'v.csv', 'azure')).toThrow(/missing TIMESTAMP/);
  });
});

describe('detectTraceFormat', () => {
  it.each([
    ['azure-valid.csv', 'azure'],
    ['mooncake-valid.jsonl', 'mooncake'],
    ['vidur-valid.csv', 'vidur'],
    ['jsonl-valid.jsonl', 'jsonl'],
  ] as const)('tells %s is %s', (file, format) => {
    expect(detectTraceFormat(file, firstLine(resolve(FIXTURES, file)))).toBe(format);
  });

  it.skipIf(!existsSync(SHARED))('recognises the published traces', () => {
    expect(detectTraceFormat('conv.csv', firstLine(resolve(SHARED, 'azure-2023/AzureLLMInferenceTrace_conv.csv')))).toBe('azure');
    expect(detectTraceFormat('t.jsonl', firstLine(resolve(SHARED, 'mooncake/synthetic_trace.jsonl')))).toBe('mooncake');
  });

  it('falls back on a .jsonl extension, and otherwise says how to fix it', () => {
    expect(detectTraceFormat('x.jsonl', '')).toBe('jsonl');
    expect(() => detectTraceFormat('x.csv', 'a,b,c')).toThrow(InvalidInputError);
    expect(() => detectTraceFormat('x.csv', 'a,b,c')).toThrow(/x.csv:1: cannot tell the trace format .* \(one of azure, mooncake, vidur, jsonl\)/);
  });
});
