/**
 * @module The request traces a dashboard simulation can replay: the known
 * per-request traces of the shared data folder (see
 * ../shared/data/SOURCES.md), listed only when their file exists, with their
 * request counts.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceFormat } from '../sim/workload/trace-reader.js';

export interface TraceEntry {
  readonly id: string;
  readonly label: string;
  readonly format: TraceFormat;
  /** Requests in the file (data rows). */
  readonly requests: number;
  /** Absolute path. */
  readonly file: string;
}

/** Per-request traces, relative to the traces folder (ServeGen and the length statistics are not per-request traces). */
export const KNOWN_TRACES: readonly { readonly id: string; readonly label: string; readonly path: string; readonly format: TraceFormat }[] = [
  { id: 'azure-conv-2023', label: 'Azure LLM inference 2023, conversation', path: 'azure-2023/AzureLLMInferenceTrace_conv.csv', format: 'azure' },
  { id: 'azure-code-2023', label: 'Azure LLM inference 2023, code', path: 'azure-2023/AzureLLMInferenceTrace_code.csv', format: 'azure' },
  { id: 'mooncake-2025', label: 'Mooncake (Kimi) 2025, synthetic, with prefix hashes', path: 'mooncake/synthetic_trace.jsonl', format: 'mooncake' },
];

/** Data rows: non-empty lines, less the header of a CSV. */
function countRequests(text: string, format: TraceFormat): number {
  let lines = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    if (text.slice(start, end).trim() !== '') lines++;
    start = end + 1;
  }
  return format === 'azure' || format === 'vidur' ? Math.max(0, lines - 1) : lines;
}

/** The known traces present under `tracesDir` (read once, at start: a few MB). */
export function listTraces(tracesDir: string): TraceEntry[] {
  return KNOWN_TRACES.flatMap((t) => {
    const file = join(tracesDir, t.path);
    if (!existsSync(file)) return [];
    return [{ id: t.id, label: t.label, format: t.format, file, requests: countRequests(readFileSync(file, 'utf8'), t.format) }];
  });
}
