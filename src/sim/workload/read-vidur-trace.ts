/**
 * @module Reads Vidur's request traces (microsoft/vidur `data/processed_traces`):
 * CSV with at least `arrived_at` (seconds), `num_prefill_tokens` and
 * `num_decode_tokens`; other columns (`num_total_tokens`, `pd_ratio`) are
 * ignored. Arrival times are `arrived_at` × 1000 ms, as in the file.
 */
import { forEachCsvRow } from './csv-rows.js';
import { TraceCollector } from './trace-collector.js';
import type { TraceReadOptions, TraceReadResult } from './trace-reader.js';

/** Reads a Vidur trace; see the module comment for the format. */
export function readVidurTrace(text: string, file: string, opts: TraceReadOptions = {}): TraceReadResult {
  const c = new TraceCollector(file, { arrival: 'arrived_at', prompt: 'num_prefill_tokens', output: 'num_decode_tokens' }, opts, {
    capacity: text.length / 24,
  });
  forEachCsvRow(
    text,
    file,
    ['arrived_at', 'num_prefill_tokens', 'num_decode_tokens'],
    (row) => {
      const seconds = row.number(0);
      if (Number.isNaN(seconds)) {
        c.reject(row.line, `expected arrived_at to be a number of seconds, got ${JSON.stringify(row.text(0))}`);
        return;
      }
      c.accept(row.line, seconds * 1000, row.value(1), row.value(2));
    },
    (line, message) => c.reject(line, message),
  );
  return c.result();
}
