/** @module The trace-reader extension point: the formats, the options every reader takes, and its result. */
import type { Workload } from './workload.js';

/** The trace formats tokenfleet reads (one `read-<format>-trace.ts` each). */
export type TraceFormat = 'azure' | 'mooncake' | 'vidur' | 'jsonl';

/** Every format, in the order help texts list them. */
export const TRACE_FORMATS = ['azure', 'mooncake', 'vidur', 'jsonl'] as const satisfies readonly TraceFormat[];

export interface TraceReadOptions {
  /** Skip bad rows (malformed, out of time order, bad lengths, too long) and count them, instead of throwing. */
  readonly skipInvalid?: boolean;
  /** Reject (or skip) requests whose prompt + output exceeds this many tokens. */
  readonly maxContextTokens?: number;
  /** Tokens per hashed block for `hash_ids` in the generic JSONL format (default 512, as Mooncake). */
  readonly blockTokens?: number;
}

export interface TraceReadResult {
  readonly workload: Workload;
  /** Rows skipped under `skipInvalid` (always 0 without it). */
  readonly skipped: number;
}

/**
 * Reads the text of one trace file. `file` names it in error locations
 * (`${file}:${line}`, lines counted from 1 including any header). Bad rows
 * throw `InvalidInputError` unless `opts.skipInvalid` is set.
 */
export type TraceReader = (text: string, file: string, opts?: TraceReadOptions) => TraceReadResult;
