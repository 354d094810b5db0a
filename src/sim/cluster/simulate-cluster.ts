/**
 * @module The discrete-event simulation of a serving cluster: requests arrive
 * from a workload, a router sends each to a replica of a mixed or prefill
 * pool, replicas run engine iterations whose duration the step-time model
 * predicts, prefill pools hand requests to decode pools after the KV transfer,
 * and every completed request is measured.
 *
 * Events are ordered by (time, kind, sequence): at equal times step ends come
 * first (they free capacity), then KV transfers, then arrivals; among step ends
 * the heap breaks ties by insertion order. A replica's run of identical decode
 * steps is one event, shortened when a request reaches that replica mid-run,
 * so an idle-arrival-free stretch of decoding costs O(1). Pure: no clock, no
 * I/O; the same configuration, workload and seed give the same result.
 */
import { InvalidInputError } from '../../core/errors.js';
import { kvTransferMs } from '../estimate-serving.js';
import { costPerMillionTokens, type CostResult } from '../metrics/cost.js';
import type { LogHistogram } from '../metrics/log-histogram.js';
import { MetricsCollector, type CompletedRequest, type MetricsSummary } from '../metrics/request-metrics.js';
import { Timeline } from '../metrics/timeline.js';
import { MinHeap } from '../min-heap.js';
import { newRequest, type ScheduledRequest } from '../replica-scheduler.js';
import { makeRouter } from '../routers/index.js';
import type { RouteRequest } from '../routers/router.js';
import { createRng } from '../workload/rng.js';
import type { Workload } from '../workload/workload.js';
import { buildCluster, type BuiltPool, type Replica } from './build-cluster.js';
import type { ClusterConfig } from './cluster-config.js';

export interface SimulationOptions {
  /** Called every `progressEvery` completed requests and at the end. */
  readonly onProgress?: (completed: number, total: number) => void;
  readonly progressEvery?: number;
}

export interface SimulationResult {
  readonly summary: MetricsSummary;
  /** Requests that could never fit a replica's KV cache, not simulated. */
  readonly rejected: number;
  readonly simulatedSeconds: number;
  /** Engine iterations simulated, all replicas (a jump of identical decode steps counts its steps). */
  readonly steps: number;
  /** Events processed (arrivals, step ends, transfers). */
  readonly events: number;
  readonly cost: CostResult;
  /** Prefix-cache blocks found and looked up, over all replicas. */
  readonly prefixCache: { readonly hitBlocks: number; readonly lookedUpBlocks: number };
  readonly pools: readonly { readonly name: string; readonly accelerator: string; readonly replicas: number; readonly acceleratorsPerReplica: number; readonly kvCapacityTokens: number }[];
  /**
   * TTFT and TPOT of every completed request as log-histogram sketches, ms
   * (TPOT over requests with more than one output token): the distributions
   * in bounded memory, for charts.
   */
  readonly latencySketches: { readonly ttftMs: LogHistogram; readonly tpotMs: LogHistogram };
  /** Per-interval CSV when a timeline was asked for. */
  readonly timelineCsv?: string;
  /** Per-request CSV when requests were kept. */
  readonly requestsCsv?: string;
}

const ROUTE_REQUEST = { id: 0, promptTokens: 0, outputTokens: 0, blockHashes: undefined as ArrayLike<number> | undefined, tenant: 0 } satisfies RouteRequest;

export function simulateCluster(config: ClusterConfig, workload: Workload, options: SimulationOptions = {}): SimulationResult {
  const { pools, replicas } = buildCluster(config, workload.blockTokens);
  const front = replicas.filter((r) => pools[r.pool]!.config.role !== 'decode');
  const back = replicas.filter((r) => pools[r.pool]!.config.role === 'decode');
  const disagg = back.length > 0;
  const router = makeRouter(config.router);
  const decodeRouter = makeRouter(config.decodeRouter ?? 'least-outstanding');
  const routing = createRng(config.seed).stream('routing');
  const ctx = { random: () => routing.next() };
  const metrics = new MetricsCollector({ poolCount: pools.length, tenantCount: Math.max(1, workload.tenantNames.length), slo: config.slo, keepRequests: config.keepRequests });
  const timeline = config.timelineIntervalMs ? new Timeline({ intervalMs: config.timelineIntervalMs, replicasPerPool: pools.map((p) => p.replicas.length) }) : undefined;
  const firstDecodePool = pools.find((p) => p.config.role === 'decode');
  const transferMsPerPool = pools.map((p) => (p.config.role === 'prefill' && firstDecodePool ? (isl: number) => kvTransferMs(p.deployment, firstDecodePool.deployment, p.stepModel, isl) : () => 0));

  const n = workload.count;
  const reqs: (ScheduledRequest | undefined)[] = new Array<ScheduledRequest | undefined>(n);
  const poolOf = new Uint16Array(n);
  const cachedOf = new Int32Array(n);
  const frontFirstTokenMs = disagg ? new Float64Array(n) : undefined;
  const frontAdmittedMs = disagg ? new Float64Array(n) : undefined;
  const frontPreemptions = disagg ? new Uint16Array(n) : undefined;
  const busy = new MinHeap<Replica>();
  const transfers = new MinHeap<number>();
  const hashes = workload.blockHashes;
  const blockTokens = workload.blockTokens ?? 0;
  const record: { -readonly [K in keyof CompletedRequest]: CompletedRequest[K] } = {
    id: 0, poolIndex: 0, tenantIndex: 0, arrivalMs: 0, admittedMs: 0, firstTokenMs: 0, finishMs: 0, promptTokens: 0, outputTokens: 0, cachedTokens: 0, preemptions: 0,
  };
  const observation = { running: 0, waiting: 0, kvUsedFraction: 0, prefillTokens: 0, decodeTokens: 0 };
  let next = 0;
  let now = 0;
  let steps = 0;
  let events = 0;
  let completed = 0;
  let rejected = 0;
  const every = options.progressEvery ?? 65536;

  const startStep = (r: Replica): void => {
    if (!r.sched.plan(now)) return;
    const shape = r.sched.shape;
    const dp = r.sched.config.dpRanks;
    const t0 = r.model.stepTimeMs(shape);
    let run = r.sched.decodeRunLength();
    let dur = t0;
    let slope = 0;
    if (run > 1) {
      const c0 = shape.decodeContextTokens;
      shape.decodeContextTokens = c0 + shape.decodeSeqs;
      slope = r.model.stepTimeMs(shape) - t0;
      shape.decodeContextTokens = c0;
      dur = run * t0 + (slope * run * (run - 1)) / 2;
    } else {
      run = 1;
    }
    r.runSteps = run;
    r.runStartMs = now;
    r.runT0 = t0;
    r.runSlope = slope;
    r.stepPrefillTokens = shape.prefillTokens * dp;
    r.stepDecodeTokens = shape.decodeSeqs * dp;
    r.busy = true;
    r.busyUntil = now + dur;
    busy.push(r.busyUntil, r);
  };

  /** A request reached `r`: start it if idle, or cut its decode run at the next step boundary. */
  const wake = (r: Replica): void => {
    if (!r.busy) {
      startStep(r);
      return;
    }
    if (r.runSteps <= 1) return;
    const a = r.runSlope / 2;
    const b = r.runT0 - a;
    const budget = now - r.runStartMs;
    // Smallest k whose end is at or after now: the step in progress completes, then the newcomer is considered.
    let k = a > 1e-12 ? Math.ceil((-b + Math.sqrt(b * b + 4 * a * budget)) / (2 * a)) : Math.ceil(budget / r.runT0);
    k = Math.min(r.runSteps, Math.max(1, k));
    if (k === r.runSteps) return;
    r.runSteps = k;
    r.busyUntil = r.runStartMs + k * r.runT0 + a * k * (k - 1);
    busy.push(r.busyUntil, r);
  };

  const finish = (req: ScheduledRequest, pool: number): void => {
    const id = req.id;
    record.id = id;
    record.poolIndex = poolOf[id]!;
    record.tenantIndex = workload.tenant[id]!;
    record.arrivalMs = workload.arrivalMs[id]!;
    record.admittedMs = frontAdmittedMs ? frontAdmittedMs[id]! : req.admittedMs;
    record.firstTokenMs = frontFirstTokenMs ? frontFirstTokenMs[id]! : req.firstTokenMs;
    record.finishMs = req.finishMs;
    record.promptTokens = req.promptTokens;
    record.outputTokens = req.outputTokens;
    record.cachedTokens = cachedOf[id]!;
    record.preemptions = req.preemptions + (frontPreemptions ? frontPreemptions[id]! : 0);
    if (pool !== record.poolIndex && !disagg) throw new Error('pool bookkeeping');
    metrics.record(record);
    reqs[id] = undefined;
    completed++;
    if (options.onProgress && completed % every === 0) options.onProgress(completed, n);
  };

  for (;;) {
    const tArrival = next < n ? workload.arrivalMs[next]! : Number.POSITIVE_INFINITY;
    const tStep = busy.peekKey();
    const tTransfer = transfers.peekKey();
    if (tStep === Number.POSITIVE_INFINITY && tTransfer === Number.POSITIVE_INFINITY && tArrival === Number.POSITIVE_INFINITY) break;
    events++;
    if (tStep <= tTransfer && tStep <= tArrival) {
      const r = busy.pop()!;
      if (!r.busy || r.busyUntil !== tStep) continue; // stale entry of a shortened run
      now = tStep;
      r.busy = false;
      steps += r.runSteps;
      const done = r.runSteps > 1 ? r.sched.commitDecodeRun(r.runSteps, now) : r.sched.commit(now);
      if (timeline) {
        observation.running = r.sched.runningCount;
        observation.waiting = r.sched.waitingCount;
        observation.kvUsedFraction = r.kvUsedFraction;
        observation.prefillTokens = r.stepPrefillTokens;
        observation.decodeTokens = r.stepDecodeTokens * r.runSteps;
        timeline.observeStep(r.pool, r.indexInPool, r.runStartMs, now, observation);
      }
      const pool = pools[r.pool]!;
      if (pool.config.role === 'prefill') {
        for (const req of r.sched.prefilledRequests()) {
          frontFirstTokenMs![req.id] = now;
          frontAdmittedMs![req.id] = req.admittedMs;
          frontPreemptions![req.id] = req.preemptions;
          if (req.outputTokens <= 1) {
            req.finishMs = now;
            finish(req, r.pool);
          } else {
            transfers.push(now + transferMsPerPool[r.pool]!(req.promptTokens), req.id);
          }
        }
      } else {
        for (const req of done) finish(req, r.pool);
      }
      startStep(r);
    } else if (tTransfer <= tArrival) {
      now = tTransfer;
      const id = transfers.pop()!;
      const prev = reqs[id]!;
      const req = newRequest(id, prev.promptTokens, prev.outputTokens, prev.arrivalMs, prev.promptTokens);
      req.producedAtJoin = 1; // the prefill pool produced the first token
      reqs[id] = req;
      const pos = decodeRouter.pick(routeRequest(id), back, ctx);
      const r = back[pos]!;
      r.sched.enqueue(req);
      wake(r);
    } else {
      now = tArrival;
      const id = next++;
      const pos = router.pick(routeRequest(id), front, ctx);
      const r = front[pos]!;
      const prompt = workload.promptTokens[id]!;
      const output = workload.outputTokens[id]!;
      let cached = 0;
      if (r.prefixCache && hashes) {
        const hits = r.prefixCache.lookupAndInsert(hashes.ids, hashes.offsets[id]!, hashes.offsets[id + 1]!);
        // The last prompt token is always computed, to produce the first output token.
        cached = Math.min(hits * blockTokens, prompt - 1);
      }
      const req = newRequest(id, prompt, output, now, cached);
      poolOf[id] = r.pool;
      cachedOf[id] = cached;
      metrics.recordArrival(r.pool, workload.tenant[id]!);
      if (r.sched.tooLarge(req)) {
        rejected++;
        continue;
      }
      reqs[id] = req;
      r.sched.enqueue(req);
      wake(r);
    }
  }
  options.onProgress?.(completed, n);

  function routeRequest(id: number): RouteRequest {
    ROUTE_REQUEST.id = id;
    ROUTE_REQUEST.promptTokens = workload.promptTokens[id]!;
    ROUTE_REQUEST.outputTokens = workload.outputTokens[id]!;
    ROUTE_REQUEST.tenant = workload.tenant[id]!;
    ROUTE_REQUEST.blockHashes = hashes ? hashes.ids.subarray(hashes.offsets[id]!, hashes.offsets[id + 1]!) : undefined;
    return ROUTE_REQUEST;
  }

  if (completed + rejected !== n) throw new InvalidInputError(`${n - completed - rejected} requests never completed (a scheduler deadlock)`, 'simulate');
  const poolNames = pools.map((p) => p.config.name);
  const summary = metrics.summary({ simulatedMs: now, poolNames, tenantNames: workload.tenantNames.length ? workload.tenantNames : ['default'] });
  const cost = costPerMillionTokens({
    accelerators: pools.map((p) => ({
      id: p.config.accelerator.id,
      count: p.replicas.length * p.deployment.devices,
      priceUsd: p.config.accelerator.priceUsd.value,
      tdpWatts: p.config.accelerator.tdpWatts.value,
    })),
    simulatedSeconds: summary.windowSeconds,
    outputTokens: summary.tokens.output,
    inputTokens: summary.tokens.input,
  });
  return {
    summary,
    rejected,
    simulatedSeconds: now / 1000,
    steps,
    events,
    cost,
    latencySketches: metrics.latencySketches(),
    prefixCache: {
      hitBlocks: replicas.reduce((sum, r) => sum + (r.prefixCache?.hits ?? 0), 0),
      lookedUpBlocks: replicas.reduce((sum, r) => sum + (r.prefixCache?.lookups ?? 0), 0),
    },
    pools: pools.map((p: BuiltPool) => ({
      name: p.config.name,
      accelerator: p.config.accelerator.id,
      replicas: p.replicas.length,
      acceleratorsPerReplica: p.deployment.devices,
      kvCapacityTokens: p.memory.kvCapacityTokens,
    })),
    ...(timeline ? { timelineCsv: timeline.toCsv({ endMs: now, poolNames }) } : {}),
    ...(config.keepRequests ? { requestsCsv: metrics.requestsCsv(poolNames, workload.tenantNames.length ? workload.tenantNames : ['default']) } : {}),
  };
}
