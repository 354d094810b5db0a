/** @module The registry of trace readers, format detection, and one entry point that dispatches on the format. */
import { InvalidInputError } from '../../core/errors.js';
import { readAzureTrace } from './read-azure-trace.js';
import { readJsonlTrace } from './read-jsonl-trace.js';
import { readMooncakeTrace } from './read-mooncake-trace.js';
import { readVidurTrace } from './read-vidur-trace.js';
import { TRACE_FORMATS, type TraceFormat, type TraceReadOptions, type TraceReader, type TraceReadResult } from './trace-reader.js';

/** Every trace reader, by format. A new format adds a reader here and fixtures to the contract test. */
export const traceReaders = {
  azure: readAzureTrace,
  mooncake: readMooncakeTrace,
  vidur: readVidurTrace,
  jsonl: readJsonlTrace,
} satisfies Record<TraceFormat, TraceReader>;

/** Reads `text` (the contents of `file`) as a trace in `format`. */
export function readTrace(text: string, file: string, format: TraceFormat, opts: TraceReadOptions = {}): TraceReadResult {
  return traceReaders[format](text, file, opts);
}

/**
 * The format of a trace, from its first line (the header of a CSV, the first
 * object of JSON Lines), falling back on the file's extension for JSON Lines.
 * Throws `InvalidInputError` when it cannot tell.
 */
export function detectTraceFormat(file: string, firstLine: string): TraceFormat {
  const line = firstLine.replace(/^\uFEFF/, '').trim();
  if (line.startsWith('{')) {
    if (/"arrival_ms"\s*:/.test(line)) return 'jsonl';
    if (/"input_length"\s*:/.test(line) && /"timestamp"\s*:/.test(line)) return 'mooncake';
  } else {
    const header = line.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
    if (header.includes('TIMESTAMP') && header.includes('ContextTokens')) return 'azure';
    if (header.includes('arrived_at') && header.includes('num_prefill_tokens')) return 'vidur';
  }
  if (/\.jsonl$/i.test(file)) return 'jsonl';
  throw new InvalidInputError(
    `cannot tell the trace format from the first line ${JSON.stringify(line.slice(0, 80))}; ` +
      `name it (one of ${TRACE_FORMATS.join(', ')}) or use the generic JSONL format (arrival_ms, prompt_tokens, output_tokens)`,
    `${file}:1`,
  );
}
