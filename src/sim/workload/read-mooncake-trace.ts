/**
 * @module Reads Mooncake traces (Kimi, FAST 2025; Apache-2.0): JSON Lines of
 * `{"timestamp": ms, "input_length": int, "output_length": int, "hash_ids": [int, ...]}`,
 * one hash id per 512-token block of the prompt (`hash_ids.length` is
 * ceil(input_length / 512) in the published traces; not enforced). Equal ids
 * in two requests mean an identical prefix up to that block.
 * Arrival times are the file's `timestamp`s as they are.
 */
import { forEachJsonLine, toHashIds } from './json-lines.js';
import { TraceCollector } from './trace-collector.js';
import type { TraceReadOptions, TraceReadResult } from './trace-reader.js';

/** Tokens per hashed block in Mooncake traces. */
export const MOONCAKE_BLOCK_TOKENS = 512;

/** Reads a Mooncake trace; see the module comment for the format. */
export function readMooncakeTrace(text: string, file: string, opts: TraceReadOptions = {}): TraceReadResult {
  const c = new TraceCollector(file, { arrival: 'timestamp', prompt: 'input_length', output: 'output_length' }, opts, {
    capacity: text.length / 200,
    blockTokens: MOONCAKE_BLOCK_TOKENS,
  });
  forEachJsonLine(
    text,
    (row, line) => {
      const ts = row.timestamp;
      if (typeof ts !== 'number') {
        c.reject(line, `expected timestamp to be a number of ms, got ${JSON.stringify(ts) ?? 'nothing'}`);
        return;
      }
      const ids = toHashIds(row.hash_ids, 'hash_ids');
      if (typeof ids === 'string') {
        c.reject(line, ids);
        return;
      }
      c.accept(line, ts, row.input_length, row.output_length, 0, ids);
    },
    (line, message) => c.reject(line, message),
  );
  return c.result();
}
