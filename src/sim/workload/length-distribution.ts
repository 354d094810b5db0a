/** @module Distributions of request lengths (prompt and output tokens) for synthetic workloads, and drawing from them. */
import { InvalidInputError } from '../../core/errors.js';
import type { Stream } from './rng.js';
import type { Workload } from './workload.js';

/** How synthetic requests get their prompt and output lengths, in tokens. */
export type LengthDistribution =
  /** Every request has the same lengths. */
  | { readonly kind: 'fixed'; readonly prompt: number; readonly output: number }
  /** Prompt and output drawn independently and uniformly from integer ranges, ends included. */
  | { readonly kind: 'uniform'; readonly promptMin: number; readonly promptMax: number; readonly outputMin: number; readonly outputMax: number }
  /**
   * Observed (prompt, output) pairs, interleaved `[p0, o0, p1, o1, ...]`; each
   * request copies one pair drawn uniformly, which keeps the correlation of
   * prompt and output lengths.
   */
  | { readonly kind: 'empirical'; readonly pairs: Int32Array };

/** The lengths of one request, tokens (filled in place to avoid an allocation per draw). */
export interface LengthPair {
  prompt: number;
  output: number;
}

/** Throws `InvalidInputError` unless every length `dist` can produce is a positive integer. */
export function checkLengthDistribution(dist: LengthDistribution): void {
  const where = `lengths (${dist.kind})`;
  const positive = (name: string, v: number): void => {
    if (!Number.isInteger(v) || v < 1) throw new InvalidInputError(`expected ${name} to be a positive integer, got ${v}`, where);
  };
  switch (dist.kind) {
    case 'fixed':
      positive('prompt', dist.prompt);
      positive('output', dist.output);
      return;
    case 'uniform':
      positive('promptMin', dist.promptMin);
      positive('outputMin', dist.outputMin);
      positive('promptMax', dist.promptMax);
      positive('outputMax', dist.outputMax);
      if (dist.promptMax < dist.promptMin) throw new InvalidInputError(`expected promptMax >= promptMin`, where);
      if (dist.outputMax < dist.outputMin) throw new InvalidInputError(`expected outputMax >= outputMin`, where);
      return;
    case 'empirical':
      if (dist.pairs.length === 0 || dist.pairs.length % 2 !== 0) {
        throw new InvalidInputError(`expected a non-empty, even number of values (prompt, output pairs), got ${dist.pairs.length}`, where);
      }
      for (let i = 0; i < dist.pairs.length; i++) if (!(dist.pairs[i]! >= 1)) positive(`pairs[${i}]`, dist.pairs[i]!);
      return;
    default: {
      const never: never = dist;
      throw new InvalidInputError(`unknown length distribution ${JSON.stringify(never)}`, 'lengths');
    }
  }
}

/** Draws one request's lengths from `dist` into `out`, using `stream`. */
export function drawLengths(dist: LengthDistribution, stream: Stream, out: LengthPair): void {
  switch (dist.kind) {
    case 'fixed':
      out.prompt = dist.prompt;
      out.output = dist.output;
      return;
    case 'uniform':
      out.prompt = stream.int(dist.promptMin, dist.promptMax);
      out.output = stream.int(dist.outputMin, dist.outputMax);
      return;
    case 'empirical': {
      const k = 2 * Math.floor(stream.next() * (dist.pairs.length / 2));
      out.prompt = dist.pairs[k]!;
      out.output = dist.pairs[k + 1]!;
      return;
    }
    default: {
      const never: never = dist;
      throw new Error(`unknown length distribution ${JSON.stringify(never)}`);
    }
  }
}

/** The empirical distribution of the (prompt, output) pairs of `w`. */
export function empiricalFromWorkload(w: Workload): LengthDistribution {
  const pairs = new Int32Array(2 * w.count);
  for (let i = 0; i < w.count; i++) {
    pairs[2 * i] = w.promptTokens[i]!;
    pairs[2 * i + 1] = w.outputTokens[i]!;
  }
  return { kind: 'empirical', pairs };
}
