/**
 * @module Reads tokenfleet's generic trace format, JSON Lines:
 *
 * ```jsonl
 * {"arrival_ms": 0, "prompt_tokens": 812, "output_tokens": 120}
 * {"arrival_ms": 3.5, "prompt_tokens": 1024, "output_tokens": 64, "tenant": "search", "hash_ids": [7, 8]}
 * ```
 *
 * - `arrival_ms` (number, required): arrival time in ms, >= 0, non-decreasing
 *   down the file (equal times are fine). Used as is: the time origin is 0,
 *   not the first row.
 * - `prompt_tokens`, `output_tokens` (integers >= 1, required): lengths in tokens.
 * - `tenant` (string, optional): who sent it; rows without one belong to `default`.
 * - `hash_ids` (array of integers in [0, 2^32), optional): prefix-cache block
 *   ids, one per `blockTokens`-token block of the prompt (512 unless the
 *   reader is given `blockTokens`); equal ids mean an identical prefix.
 * - Other keys are ignored, so a file can carry its own annotations.
 *
 * Empty lines are skipped; line numbers in errors count them.
 */
import { forEachJsonLine, toHashIds } from './json-lines.js';
import { TraceCollector } from './trace-collector.js';
import type { TraceReadOptions, TraceReadResult } from './trace-reader.js';

/** Reads a generic JSONL trace; see the module comment for the format. */
export function readJsonlTrace(text: string, file: string, opts: TraceReadOptions = {}): TraceReadResult {
  const c = new TraceCollector(file, { arrival: 'arrival_ms', prompt: 'prompt_tokens', output: 'output_tokens' }, opts, {
    capacity: text.length / 64,
    tenantNames: [],
    ...(opts.blockTokens === undefined ? {} : { blockTokens: opts.blockTokens }),
  });
  const b = c.builder;
  forEachJsonLine(
    text,
    (row, line) => {
      const at = row.arrival_ms;
      if (typeof at !== 'number') {
        c.reject(line, `expected arrival_ms to be a number of ms, got ${JSON.stringify(at) ?? 'nothing'}`);
        return;
      }
      const tenant = row.tenant ?? 'default';
      if (typeof tenant !== 'string') {
        c.reject(line, `expected tenant to be a string, got ${JSON.stringify(tenant)}`);
        return;
      }
      let ids: number[] | undefined;
      if (row.hash_ids !== undefined) {
        const parsed = toHashIds(row.hash_ids, 'hash_ids');
        if (typeof parsed === 'string') {
          c.reject(line, parsed);
          return;
        }
        ids = parsed;
      }
      c.accept(line, at, row.prompt_tokens, row.output_tokens, tenant, ids);
    },
    (line, message) => c.reject(line, message),
  );
  if (b.count === 0) b.tenantIndex('default');
  return c.result();
}
