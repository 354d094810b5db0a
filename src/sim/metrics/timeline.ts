/**
 * @module Per-interval time series of each pool (utilisation, batch size,
 * queue, KV occupancy, token rates), accumulated step by step by the
 * simulator in memory proportional to (duration / interval) x pools.
 */

/** What a replica reports about one executed step (or one jump of identical decode steps). */
export interface StepObservation {
  /** Sequences running in the batch. */
  readonly running: number;
  /** Requests waiting in the replica's queue. */
  readonly waiting: number;
  /** Share of the replica's KV cache in use, 0..1. */
  readonly kvUsedFraction: number;
  /** Prompt tokens processed by the step (0 for a jump of decode steps). */
  readonly prefillTokens: number;
  /** Output tokens produced by the step, or by the whole jump. */
  readonly decodeTokens: number;
}

/** One interval of one pool. Means are per replica, weighted by time over the whole interval (idle time counts as zero). */
export interface TimelineRow {
  /** Start of the interval, simulated seconds. */
  readonly intervalStartSeconds: number;
  readonly pool: number;
  /** Share of replica-time spent executing steps, 0..1. */
  readonly busyFraction: number;
  readonly runningMean: number;
  /** Largest batch seen on any replica of the pool in the interval. */
  readonly runningMax: number;
  readonly waitingMean: number;
  readonly waitingMax: number;
  readonly kvOccupancyMean: number;
  readonly kvOccupancyMax: number;
  /** Prompt tokens processed per second of the interval. */
  readonly inputTokensPerSecond: number;
  /** Output tokens produced per second of the interval. */
  readonly outputTokensPerSecond: number;
}

export const TIMELINE_CSV_HEADER =
  'interval_start_s,pool,replicas_busy_fraction,running_mean,waiting_mean,kv_occupancy_mean,kv_occupancy_max,input_tokens_per_s,output_tokens_per_s';

// Slots of one interval in a pool's Float64Array: time integrals (value x ms), maxima, token counts.
const BUSY = 0;
const RUNNING = 1;
const WAITING = 2;
const KV = 3;
const RUNNING_MAX = 4;
const WAITING_MAX = 5;
const KV_MAX = 6;
const INPUT = 7;
const OUTPUT = 8;
const STRIDE = 9;

export class Timeline {
  readonly intervalMs: number;
  private readonly replicasPerPool: readonly number[];
  /** Per pool, STRIDE slots per interval, grown geometrically. */
  private series: Float64Array[];
  /** Per pool, per replica: end of its last step, ms (steps of one replica must not overlap). */
  private readonly replicaEndMs: Float64Array[];
  private intervals = 0;
  private lastEndMs = 0;

  constructor(options: { readonly intervalMs: number; readonly replicasPerPool: readonly number[] }) {
    if (!(options.intervalMs > 0 && Number.isFinite(options.intervalMs))) {
      throw new RangeError(`intervalMs must be a positive number, got ${options.intervalMs}`);
    }
    for (const r of options.replicasPerPool) {
      if (!Number.isInteger(r) || r < 1) throw new RangeError(`replicas per pool must be positive integers, got ${r}`);
    }
    this.intervalMs = options.intervalMs;
    this.replicasPerPool = [...options.replicasPerPool];
    this.series = this.replicasPerPool.map(() => new Float64Array(64 * STRIDE));
    this.replicaEndMs = this.replicasPerPool.map((r) => new Float64Array(r));
  }

  /** Number of intervals observed so far (up to the end of the latest step). */
  get intervalCount(): number {
    return this.intervals;
  }

  /**
   * Records one step of a replica over [startMs, endMs] (simulated ms). Its
   * time-weighted values and its tokens are split between the intervals it
   * spans in proportion to the time in each. Allocates only when the series
   * grows (geometrically); pass a reused object to allocate nothing at all.
   */
  observeStep(poolIndex: number, replicaIndex: number, startMs: number, endMs: number, step: StepObservation): void {
    const series = this.series[poolIndex];
    const ends = this.replicaEndMs[poolIndex];
    if (!series || !ends || !(replicaIndex >= 0 && replicaIndex < ends.length && Number.isInteger(replicaIndex))) {
      throw new RangeError(`no replica ${replicaIndex} in pool ${poolIndex}`);
    }
    if (!(startMs >= ends[replicaIndex]! && endMs >= startMs && endMs < Number.POSITIVE_INFINITY)) {
      throw new RangeError(
        `step [${startMs}, ${endMs}] ms of pool ${poolIndex} replica ${replicaIndex} starts before its previous step ended (${ends[replicaIndex]} ms) or ends before it starts`,
      );
    }
    if (
      !(step.running >= 0 && step.waiting >= 0 && step.kvUsedFraction >= 0) ||
      !(step.prefillTokens >= 0 && step.decodeTokens >= 0)
    ) {
      throw new RangeError(`step of pool ${poolIndex} replica ${replicaIndex}: every observed count must be >= 0`);
    }
    ends[replicaIndex] = endMs;
    const interval = this.intervalMs;
    const first = Math.floor(startMs / interval);
    // An end exactly on a boundary belongs to the interval before it.
    const last = endMs > startMs ? Math.ceil(endMs / interval) - 1 : first;
    const data = this.ensure(poolIndex, last);
    const duration = endMs - startMs;
    for (let i = first; i <= last; i++) {
      const overlap = Math.min(endMs, (i + 1) * interval) - Math.max(startMs, i * interval);
      if (duration > 0 && overlap <= 0) continue;
      const share = duration > 0 ? overlap / duration : 1;
      const b = i * STRIDE;
      data[b + BUSY]! += overlap;
      data[b + RUNNING]! += step.running * overlap;
      data[b + WAITING]! += step.waiting * overlap;
      data[b + KV]! += step.kvUsedFraction * overlap;
      if (step.running > data[b + RUNNING_MAX]!) data[b + RUNNING_MAX] = step.running;
      if (step.waiting > data[b + WAITING_MAX]!) data[b + WAITING_MAX] = step.waiting;
      if (step.kvUsedFraction > data[b + KV_MAX]!) data[b + KV_MAX] = step.kvUsedFraction;
      data[b + INPUT]! += step.prefillTokens * share;
      data[b + OUTPUT]! += step.decodeTokens * share;
    }
    if (endMs > this.lastEndMs) this.lastEndMs = endMs;
  }

  /**
   * Every interval of every pool, interval by interval, up to `endMs`
   * (default: the end of the latest step). The last interval is averaged over
   * the part of it before `endMs`.
   */
  rows(endMs: number = this.lastEndMs): TimelineRow[] {
    const end = Math.max(endMs, this.lastEndMs);
    const interval = this.intervalMs;
    const count = Math.max(this.intervals, Math.ceil(end / interval));
    const rows: TimelineRow[] = [];
    for (let i = 0; i < count; i++) {
      const coveredMs = Math.min(interval, end - i * interval);
      if (coveredMs <= 0) break;
      for (let p = 0; p < this.series.length; p++) {
        const data = this.series[p]!;
        const b = i * STRIDE;
        const at = (slot: number): number => (b + slot < data.length ? data[b + slot]! : 0);
        const replicaMs = coveredMs * this.replicasPerPool[p]!;
        rows.push({
          intervalStartSeconds: (i * interval) / 1000,
          pool: p,
          busyFraction: at(BUSY) / replicaMs,
          runningMean: at(RUNNING) / replicaMs,
          runningMax: at(RUNNING_MAX),
          waitingMean: at(WAITING) / replicaMs,
          waitingMax: at(WAITING_MAX),
          kvOccupancyMean: at(KV) / replicaMs,
          kvOccupancyMax: at(KV_MAX),
          inputTokensPerSecond: at(INPUT) / (coveredMs / 1000),
          outputTokensPerSecond: at(OUTPUT) / (coveredMs / 1000),
        });
      }
    }
    return rows;
  }

  /** The series as CSV (header `TIMELINE_CSV_HEADER`); pools by name when names are given. */
  toCsv(opts: { readonly endMs?: number; readonly poolNames?: readonly string[] } = {}): string {
    const lines = [TIMELINE_CSV_HEADER];
    for (const r of this.rows(opts.endMs)) {
      lines.push(
        [
          num(r.intervalStartSeconds),
          opts.poolNames?.[r.pool] ?? String(r.pool),
          num(r.busyFraction),
          num(r.runningMean),
          num(r.waitingMean),
          num(r.kvOccupancyMean),
          num(r.kvOccupancyMax),
          num(r.inputTokensPerSecond),
          num(r.outputTokensPerSecond),
        ].join(','),
      );
    }
    return lines.join('\n') + '\n';
  }

  /** Makes room for interval `last` in a pool's series; pools not yet that long read as zeros. */
  private ensure(poolIndex: number, last: number): Float64Array {
    if (last >= this.intervals) this.intervals = last + 1;
    const needed = (last + 1) * STRIDE;
    const current = this.series[poolIndex]!;
    if (needed <= current.length) return current;
    let size = current.length;
    while (size < needed) size *= 2;
    const grown = new Float64Array(size);
    grown.set(current);
    this.series[poolIndex] = grown;
    return grown;
  }
}

/** Six decimals, without trailing zeros; deterministic. */
function num(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}
