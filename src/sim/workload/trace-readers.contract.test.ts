/**
 * Every reader in the registry passes the same checks on its fixtures in
 * test/fixtures/traces: `<format>-valid`, `<format>-malformed` and
 * `<format>-unsorted`, each with one bad row at a known line.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { traceReaders } from './read-trace.js';
import type { TraceFormat } from './trace-reader.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces');

interface Fixtures {
  readonly ext: string;
  /** Requests in the valid file. */
  readonly count: number;
  /** Line of the bad row in the malformed and unsorted files, and the good rows they hold. */
  readonly malformed: { readonly line: number; readonly good: number };
  readonly unsorted: { readonly line: number; readonly good: number };
}

const cases = {
  azure: { ext: 'csv', count: 5, malformed: { line: 4, good: 4 }, unsorted: { line: 4, good: 4 } },
  mooncake: { ext: 'jsonl', count: 5, malformed: { line: 4, good: 4 }, unsorted: { line: 4, good: 4 } },
  vidur: { ext: 'csv', count: 5, malformed: { line: 4, good: 4 }, unsorted: { line: 4, good: 4 } },
  jsonl: { ext: 'jsonl', count: 5, malformed: { line: 4, good: 5 }, unsorted: { line: 4, good: 5 } },
} satisfies Record<TraceFormat, Fixtures>;

function fixture(format: TraceFormat, kind: 'valid' | 'malformed' | 'unsorted'): { text: string; file: string } {
  const file = `${format}-${kind}.${cases[format].ext}`;
  return { text: readFileSync(resolve(FIXTURES, file), 'utf8'), file };
}

function thrown(fn: () => unknown): InvalidInputError {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err;
    throw err;
  }
  throw new Error('expected an InvalidInputError');
}

describe.each(Object.keys(traceReaders) as TraceFormat[])('trace reader contract: %s', (format) => {
  const read = traceReaders[format];
  const c = cases[format];

  it('reads every row of a valid file, sorted, with positive lengths', () => {
    const { text, file } = fixture(format, 'valid');
    const { workload: w, skipped } = read(text, file);
    expect(skipped).toBe(0);
    expect(w.count).toBe(c.count);
    for (const arr of [w.arrivalMs, w.promptTokens, w.outputTokens, w.tenant]) expect(arr.length).toBe(c.count);
    for (let i = 1; i < w.count; i++) expect(w.arrivalMs[i]!).toBeGreaterThanOrEqual(w.arrivalMs[i - 1]!);
    expect(w.arrivalMs[0]!).toBeGreaterThanOrEqual(0);
    for (let i = 0; i < w.count; i++) {
      expect(w.promptTokens[i]!).toBeGreaterThanOrEqual(1);
      expect(w.outputTokens[i]!).toBeGreaterThanOrEqual(1);
      expect(w.tenantNames[w.tenant[i]!]).toBeDefined();
    }
    if (w.blockHashes !== undefined) expect(w.blockHashes.offsets.length).toBe(w.count + 1);
  });

  it('is deterministic', () => {
    const { text, file } = fixture(format, 'valid');
    expect(read(text, file)).toEqual(read(text, file));
  });

  it.each(['malformed', 'unsorted'] as const)('reports a %s row with its line, or skips and counts it', (kind) => {
    const { text, file } = fixture(format, kind);
    const err = thrown(() => read(text, file));
    expect(err.where).toBe(`${file}:${c[kind].line}`);
    expect(err.message).toMatch(/expected/);
    if (kind === 'unsorted') expect(err.message).toMatch(/backwards/);
    const { workload, skipped } = read(text, file, { skipInvalid: true });
    expect(skipped).toBe(1);
    expect(workload.count).toBe(c[kind].good);
  });

  it('enforces the context limit', () => {
    const { text, file } = fixture(format, 'valid');
    const { workload: w } = read(text, file);
    let longest = 0;
    for (let i = 0; i < w.count; i++) longest = Math.max(longest, w.promptTokens[i]! + w.outputTokens[i]!);
    expect(read(text, file, { maxContextTokens: longest }).workload.count).toBe(c.count);
    expect(() => read(text, file, { maxContextTokens: longest - 1 })).toThrow(/exceeds the context limit/);
    const skipping = read(text, file, { maxContextTokens: longest - 1, skipInvalid: true });
    expect(skipping.skipped).toBeGreaterThanOrEqual(1);
    expect(skipping.workload.count + skipping.skipped).toBe(c.count);
  });

  it('reads an empty file as an empty workload (or says what a header needs)', () => {
    try {
      expect(read('', 'empty').workload.count).toBe(0);
    } catch (err) {
      expect(err).toBeInstanceOf(InvalidInputError);
      expect((err as Error).message).toMatch(/expected a CSV header/);
    }
  });
});
