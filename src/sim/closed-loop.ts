/**
 * @module A closed-loop benchmark, simulated: `concurrency` clients each send a
 * request of `inputTokens` prompt and `outputTokens` output tokens, and the next
 * one as soon as the previous completes (the setting of vLLM's and SGLang's
 * benchmark tools and of the AIConfigurator measurements). Runs aggregated
 * replicas or disaggregated prefill and decode pools, with the same step-time
 * model and replica scheduler as the full simulator.
 */
import type { StepModel } from '../core/perf/step-time.js';
import { MinHeap } from './min-heap.js';
import { ReplicaScheduler, newRequest, type ReplicaSchedulerConfig, type ScheduledRequest } from './replica-scheduler.js';

export interface PoolSpec {
  readonly stepModel: StepModel;
  readonly scheduler: ReplicaSchedulerConfig;
  /** Identical replicas in the pool. */
  readonly replicas: number;
}

export interface ClosedLoopInput {
  readonly concurrency: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Requests each client sends in total (default 3). */
  readonly requestsPerClient?: number;
  /**
   * Lengths drawn per request uniformly in [low * L, high * L] for L = inputTokens and
   * outputTokens (the random dataset of vLLM's benchmark with `--random-range-ratio`);
   * [1, 1] (the default) sends every request at exactly the stated lengths. Draws are
   * deterministic (a hash of the request number).
   */
  readonly lengthRange?: readonly [number, number];
  /**
   * Leave the first round of requests (the clients' simultaneous first burst) out of the latency
   * means: the steady state an open-loop service at this load sees, which is what capacity planning needs.
   */
  readonly steadyState?: boolean;
  /** Share of each prompt already in the prefix cache (multi-turn chat, shared system prompts), 0..1; default 0. */
  readonly prefixHitRate?: number;
  /** Aggregated serving: one pool does prefill and decode. */
  readonly pool?: PoolSpec;
  /** Disaggregated serving: prefill pool, decode pool, and the KV transfer between them. */
  readonly disagg?: { readonly prefill: PoolSpec; readonly decode: PoolSpec; readonly kvTransferMs: number };
}

export interface ClosedLoopResult {
  /** Mean time to first token, ms. */
  readonly ttftMs: number;
  /** Mean time per output token after the first, ms. */
  readonly tpotMs: number;
  /** Mean end-to-end latency, ms. */
  readonly e2eMs: number;
  /** Mean wait between arrival and admission, ms. */
  readonly queueMs: number;
  /** Completed requests per second at steady state (Little's law: concurrency / mean latency). */
  readonly requestsPerSecond: number;
  /** Output tokens per second: requestsPerSecond x the mean output length of the measured requests. */
  readonly outputTokensPerSecond: number;
  readonly completed: number;
  /** Simulated time, ms. */
  readonly simulatedMs: number;
  /** Steps simulated (all replicas). */
  readonly steps: number;
  /** Most sequences running at once in one replica. */
  readonly peakRunning: number;
}

interface Worker {
  readonly sched: ReplicaScheduler;
  readonly model: StepModel;
  busyUntil: number;
  busy: boolean;
  /** Pure-decode steps in the run being executed (1 for an ordinary step). */
  runSteps: number;
  /** Start, first-step time and per-step growth of the run, to shorten it when a request arrives mid-run. */
  runStartMs: number;
  runT0: number;
  runSlope: number;
}

/** Ends a worker's decode run at the last step boundary before `atMs`, so that a request arriving then is admitted on time. */
function truncateRun(w: Worker, atMs: number): void {
  if (!w.busy || w.runSteps <= 1 || w.busyUntil <= atMs) return;
  const k = Math.min(w.runSteps, Math.max(1, stepsWithin(atMs - w.runStartMs, w.runT0, w.runSlope)));
  w.runSteps = k;
  w.busyUntil = w.runStartMs + k * w.runT0 + (w.runSlope * k * (k - 1)) / 2;
}

function workersOf(pool: PoolSpec): Worker[] {
  const out: Worker[] = [];
  for (let i = 0; i < pool.replicas; i++) {
    out.push({ sched: new ReplicaScheduler(pool.scheduler), model: pool.stepModel, busyUntil: 0, busy: false, runSteps: 1, runStartMs: 0, runT0: 0, runSlope: 0 });
  }
  return out;
}

function leastOutstanding(ws: readonly Worker[]): Worker {
  let best = ws[0]!;
  for (let i = 1; i < ws.length; i++) if (ws[i]!.sched.outstanding < best.sched.outstanding) best = ws[i]!;
  return best;
}

/** Largest k >= 1 with k*t0 + slope*k(k-1)/2 <= budget (the steps of an affine run that fit in `budgetMs`). */
function stepsWithin(budgetMs: number, t0: number, slope: number): number {
  if (budgetMs <= t0) return 1;
  if (slope <= 1e-12) return Math.max(1, Math.floor(budgetMs / t0));
  // slope/2 k^2 + (t0 - slope/2) k - budget = 0
  const a = slope / 2;
  const b = t0 - a;
  const k = Math.floor((-b + Math.sqrt(b * b + 4 * a * budgetMs)) / (2 * a));
  return Math.max(1, k);
}

/** A deterministic number in [0, 1) from an integer (a 32-bit integer hash). */
function unitHash(n: number): number {
  let x = (n + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}

/** Thrown when a request can never be admitted (its KV exceeds the replica's capacity). */
export class RequestTooLargeError extends Error {}

export function runClosedLoop(input: ClosedLoopInput): ClosedLoopResult {
  const { concurrency, inputTokens, outputTokens } = input;
  const perClient = input.requestsPerClient ?? 3;
  const steadyState = input.steadyState ?? false;
  let measured = 0;
  const total = concurrency * perClient;
  const disagg = input.disagg;
  const front = workersOf(disagg ? disagg.prefill : input.pool!);
  const back = disagg ? workersOf(disagg.decode) : front;
  const all = disagg ? [...front, ...back] : front;
  const isBack = new Set(disagg ? back : []);
  const transfers = new MinHeap<ScheduledRequest>();
  const transferMs = disagg?.kvTransferMs ?? 0;

  let issued = 0;
  let completed = 0;
  let sumTtft = 0;
  let sumTpot = 0;
  let tpotCount = 0;
  let sumE2e = 0;
  /** Output tokens of the measured requests (their lengths vary with lengthRange). */
  let sumOut = 0;
  let sumQueue = 0;
  let steps = 0;
  let peakRunning = 0;
  let now = 0;
  // Request ids run densely from 0 to total - 1: per-request times live in typed arrays, not maps.
  const firstTokenAt = new Float64Array(total);
  const queueOf = new Float64Array(total);

  const [low, high] = input.lengthRange ?? [1, 1];
  const hitRate = Math.min(1, Math.max(0, input.prefixHitRate ?? 0));
  const draw = (id: number, salt: number, len: number): number =>
    low === high ? Math.max(1, Math.round(len * low)) : Math.max(1, Math.round(len * (low + (high - low) * unitHash(id * 2 + salt))));
  const issue = (t: number) => {
    const id = issued++;
    const prompt = draw(id, 0, inputTokens);
    // The last prompt token is always computed, to produce the first output token.
    const req = newRequest(id, prompt, draw(id, 1, outputTokens), t, Math.min(prompt - 1, Math.round(prompt * hitRate)));
    const w = leastOutstanding(front);
    truncateRun(w, t);
    if (w.sched.tooLarge(req)) throw new RequestTooLargeError(`a request of ${inputTokens}+${outputTokens} tokens exceeds the KV capacity of one replica`);
    w.sched.enqueue(req);
  };
  for (let i = 0; i < concurrency && issued < total; i++) issue(0);

  for (;;) {
    while (transfers.size > 0 && transfers.peekKey() <= now) {
      const r = transfers.pop()!;
      const next = newRequest(r.id, r.promptTokens, r.outputTokens, r.arrivalMs, r.promptTokens);
      next.producedAtJoin = 1; // the prefill worker produced the first token
      const w = leastOutstanding(back);
      if (w.sched.tooLarge(next)) throw new RequestTooLargeError(`a request of ${inputTokens}+${outputTokens} tokens exceeds the KV capacity of one decode replica`);
      w.sched.enqueue(next);
    }
    const horizon = transfers.peekKey();
    for (const w of all) {
      if (w.busy) continue;
      if (!w.sched.plan(now)) continue;
      const shape = w.sched.shape;
      const t0 = w.model.stepTimeMs(shape);
      let dur = t0;
      let run = w.sched.decodeRunLength();
      if (run > 1) {
        // Identical decode steps whose context grows by decodeSeqs each: the step time is affine
        // in the context, so k steps take k*t0 + (t1 - t0) * k(k-1)/2. Stop before an outside arrival.
        const c0 = shape.decodeContextTokens;
        shape.decodeContextTokens = c0 + shape.decodeSeqs;
        const slope = w.model.stepTimeMs(shape) - t0;
        shape.decodeContextTokens = c0;
        if (Number.isFinite(horizon)) run = Math.min(run, stepsWithin(horizon - now, t0, slope));
        dur = run * t0 + (slope * run * (run - 1)) / 2;
        w.runT0 = t0;
        w.runSlope = slope;
      }
      w.runSteps = run;
      w.runStartMs = now;
      w.busy = true;
      w.busyUntil = now + dur;
      steps++;
      const running = w.sched.runningCount;
      if (running > peakRunning) peakRunning = running;
    }
    let next: Worker | undefined;
    for (const w of all) if (w.busy && (next === undefined || w.busyUntil < next.busyUntil)) next = w;
    const nextTransfer = transfers.peekKey();
    if (next === undefined && !Number.isFinite(nextTransfer)) break;
    if (next === undefined || nextTransfer < next.busyUntil) {
      now = nextTransfer;
      continue;
    }
    now = next.busyUntil;
    next.busy = false;
    steps += next.runSteps - 1;
    const done = next.runSteps > 1 ? next.sched.commitDecodeRun(next.runSteps, now) : next.sched.commit(now);
    if (disagg && !isBack.has(next)) {
      for (const r of next.sched.prefilledRequests()) {
        firstTokenAt[r.id] = now + transferMs;
        queueOf[r.id] = r.admittedMs - r.arrivalMs;
        if (r.outputTokens <= 1) continue;
        transfers.push(now + transferMs, r);
        for (const b of back) truncateRun(b, now + transferMs);
      }
      for (const r of done) {
        if (r.outputTokens <= 1) {
          record(r.id, r.arrivalMs, now + transferMs, now + transferMs, r.outputTokens);
          if (issued < total) issue(now + transferMs);
        }
      }
      continue;
    }
    for (const r of done) {
      const first = disagg ? firstTokenAt[r.id]! : r.firstTokenMs;
      if (!disagg) queueOf[r.id] = r.admittedMs - r.arrivalMs;
      record(r.id, r.arrivalMs, first, now, r.outputTokens);
      if (issued < total) issue(now);
    }
    if (completed >= total) break;
  }

  function record(id: number, arrival: number, first: number, finish: number, out: number): void {
    completed++;
    if (steadyState && id < concurrency && total > concurrency) return;
    measured++;
    sumOut += out;
    sumTtft += first - arrival;
    sumE2e += finish - arrival;
    sumQueue += queueOf[id]!;
    if (out > 1) {
      sumTpot += (finish - first) / (out - 1);
      tpotCount++;
    }
  }

  const n = Math.max(measured, 1);
  const e2e = sumE2e / n;
  const rps = e2e > 0 ? (concurrency / e2e) * 1000 : 0;
  return {
    ttftMs: sumTtft / n,
    tpotMs: tpotCount > 0 ? sumTpot / tpotCount : 0,
    e2eMs: e2e,
    queueMs: sumQueue / n,
    requestsPerSecond: rps,
    outputTokensPerSecond: rps * (measured > 0 ? sumOut / measured : outputTokens),
    completed,
    simulatedMs: now,
    steps,
    peakRunning,
  };
}
