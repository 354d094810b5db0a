/**
 * @module Synthetic open-loop workloads: a renewal process of arrivals
 * (Poisson, or Gamma inter-arrival gaps for a chosen burstiness) with lengths
 * from a `LengthDistribution`. Deterministic per seed: arrivals come from the
 * stream `workload.arrivals`, lengths from `workload.lengths`, so changing the
 * length distribution leaves the arrival times as they were.
 */
import { InvalidInputError } from '../../core/errors.js';
import { checkLengthDistribution, drawLengths, type LengthDistribution, type LengthPair } from './length-distribution.js';
import { createRng, type Stream } from './rng.js';
import { WorkloadBuilder, type Workload } from './workload.js';

export interface SyntheticWorkloadOptions {
  /** Mean arrival rate, requests per second. */
  readonly ratePerSecond: number;
  /** Stop after this many requests. At least one of `count` and `durationSeconds` is required; with both, the first reached ends it. */
  readonly count?: number;
  /** Stop at this time, seconds: requests arrive in (0, durationSeconds). */
  readonly durationSeconds?: number;
  /** Prompt and output lengths. */
  readonly lengths: LengthDistribution;
  /** Seed of the generator (a safe integer). */
  readonly seed: number;
  /** Tenant name of every request (default `default`). */
  readonly tenant?: string;
}

export interface GammaWorkloadOptions extends SyntheticWorkloadOptions {
  /** Coefficient of variation of the inter-arrival gaps (1: Poisson; above 1: burstier; below: more regular). */
  readonly cv: number;
}

/** Poisson arrivals: exponential gaps with mean 1 / rate. The first request arrives one gap after time 0. */
export function poissonWorkload(opts: SyntheticWorkloadOptions): Workload {
  const meanGapMs = checkRate(opts.ratePerSecond);
  return renewalWorkload(opts, (s) => s.exponential(meanGapMs));
}

/** Gamma-distributed gaps with mean 1 / rate and the given CV (shape 1 / cv², scale mean × cv²). */
export function gammaWorkload(opts: GammaWorkloadOptions): Workload {
  const meanGapMs = checkRate(opts.ratePerSecond);
  if (!(opts.cv > 0) || !Number.isFinite(opts.cv)) throw new InvalidInputError(`expected a positive coefficient of variation, got ${opts.cv}`, 'cv');
  const shape = 1 / (opts.cv * opts.cv);
  const scale = meanGapMs / shape;
  return renewalWorkload(opts, (s) => s.gamma(shape, scale));
}

function checkRate(ratePerSecond: number): number {
  if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
    throw new InvalidInputError(`expected a positive request rate, got ${ratePerSecond}`, 'ratePerSecond');
  }
  return 1000 / ratePerSecond;
}

/** Requests at the points of a renewal process whose gaps (ms) `drawGapMs` draws. */
function renewalWorkload(opts: SyntheticWorkloadOptions, drawGapMs: (s: Stream) => number): Workload {
  const { count, durationSeconds } = opts;
  if (count === undefined && durationSeconds === undefined) {
    throw new InvalidInputError('expected a request count or a duration (or both)', 'synthetic workload');
  }
  if (count !== undefined && !(Number.isInteger(count) && count >= 0)) {
    throw new InvalidInputError(`expected a non-negative integer, got ${count}`, 'count');
  }
  if (durationSeconds !== undefined && !(durationSeconds >= 0 && Number.isFinite(durationSeconds))) {
    throw new InvalidInputError(`expected a non-negative duration in seconds, got ${durationSeconds}`, 'durationSeconds');
  }
  checkLengthDistribution(opts.lengths);
  const maxCount = count ?? Number.POSITIVE_INFINITY;
  const endMs = durationSeconds === undefined ? Number.POSITIVE_INFINITY : durationSeconds * 1000;
  const expected = Math.min(maxCount, durationSeconds === undefined ? maxCount : opts.ratePerSecond * durationSeconds * 1.05 + 16);
  const b = new WorkloadBuilder({ capacity: expected, tenantNames: [opts.tenant ?? 'default'] });
  const rng = createRng(opts.seed);
  const arrivals = rng.stream('workload.arrivals');
  const lengths = rng.stream('workload.lengths');
  const pair: LengthPair = { prompt: 0, output: 0 };
  let t = 0;
  while (b.count < maxCount) {
    t += drawGapMs(arrivals);
    if (t >= endMs) break;
    drawLengths(opts.lengths, lengths, pair);
    b.add(t, pair.prompt, pair.output, 0);
  }
  return b.build();
}
