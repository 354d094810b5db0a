/**
 * @module The row checks every trace reader shares: time order, lengths,
 * context limit, and what to do with a bad row (throw with its line, or skip
 * and count it). Readers parse their syntax; this decides what is valid.
 */
import { InvalidInputError } from '../../core/errors.js';
import type { TraceReadOptions, TraceReadResult } from './trace-reader.js';
import { WorkloadBuilder, type WorkloadBuilderOptions } from './workload.js';

/** The names a format gives its fields, for error messages. */
export interface TraceFieldNames {
  readonly arrival: string;
  readonly prompt: string;
  readonly output: string;
}

const MAX_TOKENS = 0x7fffffff;

/** A value as a message shows it: strings quoted, the rest as JSON. */
export function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value) ?? String(value);
}

export class TraceCollector {
  readonly builder: WorkloadBuilder;
  private skippedRows = 0;
  private lastLine = 0;
  private readonly skipInvalid: boolean;
  private readonly maxContextTokens: number;

  constructor(
    private readonly file: string,
    private readonly fields: TraceFieldNames,
    opts: TraceReadOptions = {},
    builderOpts: WorkloadBuilderOptions = {},
  ) {
    this.skipInvalid = opts.skipInvalid ?? false;
    const max = opts.maxContextTokens;
    if (max !== undefined && !(Number.isInteger(max) && max > 0)) {
      throw new InvalidInputError(`expected a positive integer, got ${max}`, 'maxContextTokens');
    }
    this.maxContextTokens = max ?? Number.POSITIVE_INFINITY;
    this.builder = new WorkloadBuilder(builderOpts);
  }

  /** A bad row: throws `InvalidInputError` at `file:line`, or counts it when skipping. Returns false. */
  reject(line: number, message: string): false {
    if (!this.skipInvalid) throw new InvalidInputError(message, `${this.file}:${line}`);
    this.skippedRows++;
    return false;
  }

  /** Checks one parsed row and adds it; false when it was skipped. `tenant` is an index or a name (added when the row is). */
  accept(line: number, arrivalMs: number, prompt: unknown, output: unknown, tenant: number | string = 0, hashIds?: ArrayLike<number>): boolean {
    const f = this.fields;
    if (!Number.isFinite(arrivalMs)) return this.reject(line, `expected ${f.arrival} to be a finite time`);
    const last = this.builder.lastArrivalMs;
    if (arrivalMs < last) {
      return this.reject(
        line,
        `${f.arrival} goes backwards (${arrivalMs} ms, after ${last} ms on line ${this.lastLine}); expected rows sorted by time`,
      );
    }
    if (arrivalMs < 0) return this.reject(line, `expected a non-negative ${f.arrival}, got ${arrivalMs} ms`);
    if (!isTokenCount(prompt)) return this.reject(line, `expected ${f.prompt} to be a positive integer, got ${show(prompt)}`);
    if (!isTokenCount(output)) return this.reject(line, `expected ${f.output} to be a positive integer, got ${show(output)}`);
    if (prompt + output > this.maxContextTokens) {
      return this.reject(
        line,
        `${f.prompt} + ${f.output} = ${prompt + output} tokens exceeds the context limit of ${this.maxContextTokens}; raise the limit or skip invalid rows`,
      );
    }
    const t = typeof tenant === 'number' ? tenant : this.builder.tenantIndex(tenant);
    this.builder.add(arrivalMs, prompt, output, t, hashIds);
    this.lastLine = line;
    return true;
  }

  result(): TraceReadResult {
    return { workload: this.builder.build(), skipped: this.skippedRows };
  }
}

function isTokenCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_TOKENS;
}
