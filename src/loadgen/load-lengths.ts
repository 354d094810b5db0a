/**
 * @module Prompt and output lengths of generated requests: a ShareGPT-like
 * lognormal pair (the default), fixed lengths, or the empirical pairs of a
 * length-statistics file (`/work/shared/data/traces/lengths/*.csv`, read by
 * the simulator's reader), each capped so that prompts stay cheap to build.
 */
import { InvalidInputError } from '../core/errors.js';
import { drawLengths, type LengthDistribution, type LengthPair } from '../sim/workload/length-distribution.js';
import type { Stream } from '../sim/workload/rng.js';

/** How requests get their lengths, in tokens. */
export type LoadLengths =
  /**
   * Prompt and output drawn independently from lognormals with these medians
   * and log-space standard deviation `sigma` (0: always the median). ShareGPT's
   * lengths are close to lognormal with sigma about 1.
   */
  | { readonly kind: 'lognormal'; readonly medianPromptTokens: number; readonly medianOutputTokens: number; readonly sigma: number }
  /** A distribution of the simulator's workload module (fixed, uniform, empirical pairs). */
  | { readonly kind: 'distribution'; readonly distribution: LengthDistribution };

/** Longest generated prompt, tokens (also the cap of every distribution): keeps request bodies small. */
export const DEFAULT_MAX_PROMPT_TOKENS = 4096;
/** Longest generated output, tokens. */
export const DEFAULT_MAX_OUTPUT_TOKENS = 2048;

/** The default: ShareGPT-like medians of 128 prompt and 64 output tokens, sigma 1. */
export const SHAREGPT_LIKE_LENGTHS: LoadLengths = { kind: 'lognormal', medianPromptTokens: 128, medianOutputTokens: 64, sigma: 1 };

export interface LengthCaps {
  /** Tokens. */
  readonly maxPromptTokens: number;
  /** Tokens. */
  readonly maxOutputTokens: number;
}

/** @throws InvalidInputError for a median below 1 or a negative or non-finite sigma. */
export function checkLoadLengths(lengths: LoadLengths): void {
  if (lengths.kind === 'distribution') return;
  if (!(lengths.medianPromptTokens >= 1) || !Number.isFinite(lengths.medianPromptTokens)) {
    throw new InvalidInputError(`expected a median of at least 1 token, got ${lengths.medianPromptTokens}`, 'prompt-tokens');
  }
  if (!(lengths.medianOutputTokens >= 1) || !Number.isFinite(lengths.medianOutputTokens)) {
    throw new InvalidInputError(`expected a median of at least 1 token, got ${lengths.medianOutputTokens}`, 'output-tokens');
  }
  if (!(lengths.sigma >= 0) || !Number.isFinite(lengths.sigma)) throw new InvalidInputError(`expected a sigma of 0 or more, got ${lengths.sigma}`, 'length-sigma');
}

function clampTokens(x: number, max: number): number {
  return Math.min(max, Math.max(1, Math.round(x)));
}

/** Draws one request's lengths into `out` (no allocation), capped by `caps`. */
export function drawLoadLengths(lengths: LoadLengths, caps: LengthCaps, stream: Stream, out: LengthPair): void {
  if (lengths.kind === 'distribution') {
    drawLengths(lengths.distribution, stream, out);
  } else if (lengths.sigma === 0) {
    out.prompt = lengths.medianPromptTokens;
    out.output = lengths.medianOutputTokens;
  } else {
    out.prompt = lengths.medianPromptTokens * Math.exp(lengths.sigma * stream.normal());
    out.output = lengths.medianOutputTokens * Math.exp(lengths.sigma * stream.normal());
  }
  out.prompt = clampTokens(out.prompt, caps.maxPromptTokens);
  out.output = clampTokens(out.output, caps.maxOutputTokens);
}
