/**
 * @module What the simulation charts draw, for the dashboard's Simulate view
 * and `tokenfleet simulate --report` alike, from the simulator's
 * bounded-memory outputs: TTFT and TPOT histograms on log-spaced bins from its
 * latency sketches (no per-request arrays), and one cluster-wide timeline from
 * its per-pool timeline CSV (read by header name so that a renamed column
 * fails loudly; pools summed, KV occupancy averaged over replicas).
 */
import { TokenfleetError } from '../core/errors.js';
import type { SimulationResult } from '../sim/cluster/simulate-cluster.js';
import { simulationJson } from '../sim/cluster/simulation-json.js';
import type { LogHistogram } from '../sim/metrics/log-histogram.js';
import type { Workload } from '../sim/workload/workload.js';

export interface HistogramBin {
  /** Lower edge of the bin, ms. */
  readonly lowMs: number;
  /** Upper edge of the bin, ms. */
  readonly highMs: number;
  /** Requests in the bin. */
  readonly count: number;
}

export interface TimelinePoint {
  /** Start of the interval, simulated seconds. */
  readonly tS: number;
  /** Sequences in running batches, all replicas. */
  readonly runningRequests: number;
  /** Requests waiting in replica queues, all replicas. */
  readonly queuedRequests: number;
  /** Share of the KV cache in use, replica-weighted mean, 0..1. */
  readonly kvOccupancy: number;
  /** Output tokens produced per second of the interval, all pools. */
  readonly outputTokensPerSecond: number;
}

/** What the charts of one run draw: the dashboard's simulate job result (docs/dashboard-api.md). */
export interface SimulationChartData {
  /** The `tokenfleet simulate --json` object. */
  readonly summary: Record<string, unknown>;
  readonly ttftMsHistogram: readonly HistogramBin[];
  readonly tpotMsHistogram: readonly HistogramBin[];
  readonly timeline: readonly TimelinePoint[];
}

/** Timeline intervals aimed at over the arrivals' span (the drain after the last arrival adds a few). */
const TIMELINE_POINTS = 120;

/** A timeline interval giving about 120 points over the workload's arrivals, whole seconds, at least 1 s; ms. */
export function chartTimelineIntervalMs(workload: Workload): number {
  const spanMs = workload.count > 0 ? workload.arrivalMs[workload.count - 1]! - workload.arrivalMs[0]! : 0;
  return Math.max(1000, Math.ceil(spanMs / TIMELINE_POINTS / 1000) * 1000);
}

/**
 * `bins` log-spaced bins from the smallest positive value of a latency sketch
 * (ms) to its largest; zeros fall in the first bin; [] when empty. Each sketch
 * bucket (about 1% wide) goes whole to the bin holding its geometric middle,
 * so a count is never split and the counts add up to the sketch's.
 */
export function sketchHistogram(sketch: LogHistogram, bins = 30): HistogramBin[] {
  if (sketch.count === 0) return [];
  const buckets = sketch.buckets();
  const positive = buckets.filter((b) => b.high > 0);
  const hi = sketch.max;
  if (positive.length === 0) return [{ lowMs: 0, highMs: 0, count: sketch.count }];
  const lo = positive[0]!.low > 0 ? positive[0]!.low : positive[0]!.high;
  if (hi <= lo) return [{ lowMs: lo, highMs: hi, count: sketch.count }];
  const ratio = Math.log(hi / lo) / bins;
  const edge = (i: number) => (i === 0 ? lo : i === bins ? hi : lo * Math.exp(i * ratio));
  const counts = new Array<number>(bins).fill(0);
  for (const b of buckets) {
    const mid = b.low > 0 ? Math.sqrt(b.low * b.high) : b.high;
    const i = mid <= lo ? 0 : Math.min(bins - 1, Math.floor(Math.log(mid / lo) / ratio));
    counts[i]! += b.count;
  }
  return counts.map((count, i) => ({ lowMs: edge(i), highMs: edge(i + 1), count }));
}

/** Columns of a CSV with a header line, by name. */
function csvColumns(csv: string, wanted: readonly string[]): { rows: string[][]; col: Record<string, number> } {
  const lines = csv.split('\n').filter((l) => l !== '');
  const header = (lines[0] ?? '').split(',');
  const col: Record<string, number> = {};
  for (const name of wanted) {
    const i = header.indexOf(name);
    if (i < 0) throw new TokenfleetError(`the simulator's CSV has no column '${name}' (header: ${header.join(',')})`);
    col[name] = i;
  }
  return { rows: lines.slice(1).map((l) => l.split(',')), col };
}

/** The cluster-wide timeline from the per-pool timeline CSV; `replicasByPool`: pool name -> replicas. */
export function clusterTimeline(timelineCsv: string, replicasByPool: ReadonlyMap<string, number>): TimelinePoint[] {
  const { rows, col } = csvColumns(timelineCsv, ['interval_start_s', 'pool', 'running_mean', 'waiting_mean', 'kv_occupancy_mean', 'output_tokens_per_s']);
  const byStart = new Map<number, { running: number; queued: number; kvWeighted: number; replicas: number; output: number }>();
  for (const r of rows) {
    const tS = Number(r[col.interval_start_s!]);
    const replicas = replicasByPool.get(r[col.pool!] ?? '') ?? 1;
    let p = byStart.get(tS);
    if (p === undefined) byStart.set(tS, (p = { running: 0, queued: 0, kvWeighted: 0, replicas: 0, output: 0 }));
    p.running += Number(r[col.running_mean!]) * replicas;
    p.queued += Number(r[col.waiting_mean!]) * replicas;
    p.kvWeighted += Number(r[col.kv_occupancy_mean!]) * replicas;
    p.replicas += replicas;
    p.output += Number(r[col.output_tokens_per_s!]);
  }
  return [...byStart]
    .sort((a, b) => a[0] - b[0])
    .map(([tS, p]) => ({ tS, runningRequests: p.running, queuedRequests: p.queued, kvOccupancy: p.replicas > 0 ? p.kvWeighted / p.replicas : 0, outputTokensPerSecond: p.output }));
}

/**
 * The chart data of a finished run; its timeline is empty unless the run was
 * configured with `timelineIntervalMs`. `wallSeconds` and `skipped` go to the
 * summary as in `--json`.
 */
export function simulationChartData(result: SimulationResult, wallSeconds: number, skipped: number): SimulationChartData {
  return {
    summary: simulationJson(result, wallSeconds, skipped),
    ttftMsHistogram: sketchHistogram(result.latencySketches.ttftMs),
    tpotMsHistogram: sketchHistogram(result.latencySketches.tpotMs),
    timeline: result.timelineCsv === undefined ? [] : clusterTimeline(result.timelineCsv, new Map(result.pools.map((p) => [p.name, p.replicas]))),
  };
}
