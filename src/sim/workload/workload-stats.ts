/** @module Summary figures of a workload: size, duration, rate, mean lengths, burstiness and prefix reuse. */
import type { Workload } from './workload.js';

export interface WorkloadSummary {
  /** Number of requests. */
  readonly count: number;
  /** Last minus first arrival, ms. */
  readonly durationMs: number;
  /** Mean arrival rate, requests per second: (count - 1) gaps over the duration (0 when undefined). */
  readonly ratePerSecond: number;
  /** Mean prompt length, tokens. */
  readonly meanPromptTokens: number;
  /** Mean output length, tokens. */
  readonly meanOutputTokens: number;
  /** Coefficient of variation of inter-arrival gaps (1 for Poisson arrivals; 0 when undefined). */
  readonly interArrivalCv: number;
}

/** Count, duration, rate, mean lengths and inter-arrival CV of `w`. */
export function summarizeWorkload(w: Workload): WorkloadSummary {
  const n = w.count;
  let prompt = 0;
  let output = 0;
  for (let i = 0; i < n; i++) {
    prompt += w.promptTokens[i]!;
    output += w.outputTokens[i]!;
  }
  const durationMs = n > 0 ? w.arrivalMs[n - 1]! - w.arrivalMs[0]! : 0;
  // Welford over the gaps.
  let mean = 0;
  let m2 = 0;
  for (let i = 1; i < n; i++) {
    const gap = w.arrivalMs[i]! - w.arrivalMs[i - 1]!;
    const d = gap - mean;
    mean += d / i;
    m2 += d * (gap - mean);
  }
  const gaps = n - 1;
  return {
    count: n,
    durationMs,
    ratePerSecond: durationMs > 0 ? (gaps * 1000) / durationMs : 0,
    meanPromptTokens: n > 0 ? prompt / n : 0,
    meanOutputTokens: n > 0 ? output / n : 0,
    interArrivalCv: gaps > 1 && mean > 0 ? Math.sqrt(m2 / (gaps - 1)) / mean : 0,
  };
}

/**
 * Fraction of prompt blocks whose hash id was seen before in the workload:
 * the block hit rate of an unbounded prefix cache shared by every request
 * (0 when the workload carries no block hashes).
 */
export function repeatedBlockFraction(w: Workload): number {
  const h = w.blockHashes;
  if (h === undefined || h.ids.length === 0) return 0;
  const seen = new Set<number>();
  let repeats = 0;
  for (let j = 0; j < h.ids.length; j++) {
    const id = h.ids[j]!;
    if (seen.has(id)) repeats++;
    else seen.add(id);
  }
  return repeats / h.ids.length;
}
