/**
 * @module A built-in emulated backend: one engine replica of a model on an
 * accelerator configuration, run in (scaled) real time by the simulator's own
 * pieces, so that the gateway works end to end without a GPU.
 *
 * The replica scheduler (continuous batching under a token budget, chunked
 * prefill or prefill-first, paged KV with preemption) decides each step; the
 * step-time model says how long it takes; a timer on the injected clock ends
 * the step after that long (times `timeScale`), and then every request the
 * step advanced gets its next token, finished ones their usage. The token
 * text is a word from a fixed list, a pure function of the request id and the
 * token's position.
 *
 * Aborts: the stream ends at once; the request leaves the scheduler (its
 * queue place, or its batch slot and KV) before the next step is planned, as
 * a real engine frees it at its next step.
 */
import type { AcceleratorSpec, EngineId } from '../../core/catalogue/accelerator-spec.js';
import { getEngine } from '../../core/catalogue/engines.js';
import type { ModelSpec } from '../../core/catalogue/model-spec.js';
import { InvalidInputError } from '../../core/errors.js';
import { calibrationFor } from '../../core/perf/calibration.js';
import { makeDeployment, type Deployment, type ParallelConfig, type PrecisionConfig, type SpeculativeConfig } from '../../core/perf/deployment.js';
import type { Efficiencies } from '../../core/perf/efficiency.js';
import { planMemory, type MemoryPlan } from '../../core/perf/memory-plan.js';
import { compileStepModel, type StepModel } from '../../core/perf/step-time.js';
import { ReplicaScheduler, newRequest, type ScheduledRequest } from '../../sim/replica-scheduler.js';
import type { AbortLike } from './abort-switch.js';
import type { Backend, BackendChatRequest, BackendChunk, BackendSnapshot } from './backend.js';
import { ChunkStream } from './chunk-stream.js';
import { realClock, type Clock, type TimerHandle } from './clock.js';

export interface EmulatedBackendOptions {
  readonly id: string;
  readonly pool: string;
  readonly model: ModelSpec;
  readonly accelerator: AcceleratorSpec;
  readonly engine: EngineId;
  readonly parallel: Partial<ParallelConfig>;
  readonly precision?: Partial<PrecisionConfig>;
  /** Token budget per step (per attention-DP rank); default: the engine's. */
  readonly maxBatchedTokens?: number;
  /** Fraction of device memory the engine may use, in (0, 1]; default: the engine's. */
  readonly memoryUtilization?: number;
  /** Speculative decoding (a one-layer drafter); absent: one token per decode step. */
  readonly speculative?: SpeculativeConfig;
  /** Override of the calibrated efficiencies. */
  readonly efficiencies?: Efficiencies;
  /** Model name clients use; default: the model's id. */
  readonly servedModelName?: string;
  /** Default: real timers. */
  readonly clock?: Clock;
  /** Clock milliseconds per modelled millisecond: 1 is real time, 0.01 runs 100 times faster. Default 1. */
  readonly timeScale?: number;
  /**
   * Requests in flight before the gateway holds the rest in its fair queue; default the sequences the
   * engine runs at once (its maxRunningSequences x dp): more would only wait in the replica's own FIFO.
   */
  readonly maxInFlight?: number;
}

export interface EmulatedBackend extends Backend {
  readonly deployment: Deployment;
  readonly memory: MemoryPlan;
  readonly stepModel: StepModel;
  /** Engine steps run so far. */
  readonly steps: number;
  /** Ends every open stream with a 503 error and stops the engine; health() turns false. */
  close(): void;
}

/** Token texts: short words, so that emulated output reads as text and has a stable length. */
const WORDS = [
  'the', 'fleet', 'serves', 'tokens', 'on', 'many', 'chips', 'and', 'every', 'request', 'gets', 'its', 'fair',
  'share', 'of', 'a', 'busy', 'pool', 'while', 'batches', 'grow', 'with', 'load', 'so', 'time', 'per', 'step',
  'rises', 'as', 'context', 'fills', 'cache',
] as const;
const SPACED = WORDS.map((w) => ` ${w}`);

/** FNV-1a hash of a string, 32 bits. */
function hashId(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The text of output token `i` of a request whose id hashes to `seed`. */
export function emulatedTokenText(seed: number, i: number): string {
  let x = (seed ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = (x ^ (x >>> 13)) >>> 0;
  const w = x % WORDS.length;
  return i === 0 ? WORDS[w]! : SPACED[w]!;
}

/** Lateness of the clock, ms, beyond which steps stop catching up on lost time. */
const MAX_CATCH_UP_MS = 50;

interface LiveRequest {
  readonly sched: ScheduledRequest;
  readonly seed: number;
  readonly stream: ChunkStream;
  readonly finishReason: 'stop' | 'length';
  emitted: number;
  readonly onAbort: () => void;
  readonly signal: AbortLike;
}

function invalid(message: string): BackendChunk {
  return { type: 'error', status: 400, message };
}

function checkRequest(req: BackendChatRequest): string | undefined {
  if (!Number.isInteger(req.promptTokens) || req.promptTokens < 0) return `promptTokens must be a non-negative integer, got ${req.promptTokens}`;
  if (!Number.isInteger(req.maxOutputTokens) || req.maxOutputTokens < 1) return `maxOutputTokens must be a positive integer, got ${req.maxOutputTokens}`;
  if (req.outputTokens !== undefined && (!Number.isInteger(req.outputTokens) || req.outputTokens < 1)) {
    return `outputTokens must be a positive integer, got ${req.outputTokens}`;
  }
  return undefined;
}

/**
 * Builds the replica (deployment, memory plan, step model, scheduler) as the
 * cluster simulator does for one replica of a pool.
 * @throws InvalidInputError when the layout is invalid or the model does not fit.
 */
export function createEmulatedBackend(opts: EmulatedBackendOptions): EmulatedBackend {
  const where = `backend ${opts.id}`;
  const timeScale = opts.timeScale ?? 1;
  if (!(timeScale > 0) || !Number.isFinite(timeScale)) throw new InvalidInputError(`timeScale must be a positive number, got ${timeScale}`, where);
  const util = opts.memoryUtilization;
  if (util !== undefined && !(util > 0 && util <= 1)) throw new InvalidInputError(`memoryUtilization must be above 0 and at most 1, got ${util}`, where);
  let deployment: Deployment;
  try {
    deployment = makeDeployment({ model: opts.model, accelerator: opts.accelerator, engine: opts.engine, parallel: opts.parallel, precision: opts.precision, speculative: opts.speculative });
  } catch (e) {
    if (e instanceof InvalidInputError) throw new InvalidInputError(e.message, where);
    throw e;
  }
  const memory = planMemory(deployment, { memoryUtilization: util, maxBatchedTokens: opts.maxBatchedTokens });
  if (!memory.fits) throw new InvalidInputError(`${opts.model.id} does not fit: ${memory.reason ?? 'not enough memory'}`, where);
  const stepModel = compileStepModel(deployment, opts.efficiencies ?? calibrationFor(opts.accelerator, opts.engine).efficiencies);
  const engine = getEngine(opts.engine);
  const dp = deployment.parallel.dp;
  const maxRunningSequences = engine.maxRunningSequences * dp;
  const maxInFlight = opts.maxInFlight ?? maxRunningSequences;
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) throw new InvalidInputError(`maxInFlight must be a positive integer, got ${maxInFlight}`, where);
  const sched = new ReplicaScheduler({
    batching: engine.batching,
    maxBatchedTokens: (opts.maxBatchedTokens ?? engine.maxBatchedTokens) * dp,
    maxRunningSequences,
    kvCapacityTokens: memory.kvCapacityTokens,
    kvBlockTokens: memory.kvBlockTokens,
    dpRanks: dp,
    reserveWholeSequence: engine.kvAdmission === 'whole-sequence',
  });
  const clock = opts.clock ?? realClock;

  /** Requests whose streams are open, by scheduler id, in arrival order. */
  const live = new Map<number, LiveRequest>();
  let nextId = 0;
  let timer: TimerHandle | undefined;
  /** A step is in flight (or a start is scheduled): arrivals wait for the next plan. */
  let busy = false;
  let closed = false;
  let steps = 0;

  const modelNowMs = () => clock.now() / timeScale;

  /** Requests aborted since the last plan: taken out of the scheduler before the next one (never mid-step). */
  const cancelled: ScheduledRequest[] = [];

  const drop = (l: LiveRequest) => {
    live.delete(l.sched.id);
    l.signal.removeEventListener('abort', l.onAbort);
  };

  /** Clock time the step in flight is due to end: the next step starts from it, so timer lateness does not accumulate. */
  let stepEndClockMs = 0;

  /** Plans and starts the next step (`backToBack`: right after the previous one), or goes idle. */
  const startStep = (backToBack: boolean) => {
    timer = undefined;
    for (const r of cancelled) sched.cancel(r);
    cancelled.length = 0;
    if (closed || !sched.plan(modelNowMs())) {
      busy = false;
      return;
    }
    busy = true;
    const now = clock.now();
    // Real timers fire late (by a millisecond or more); steps run back to back start at the previous step's due
    // end instead of now, unless the process fell too far behind to catch up without a burst.
    const start = backToBack && now - stepEndClockMs < MAX_CATCH_UP_MS ? stepEndClockMs : now;
    stepEndClockMs = start + stepModel.stepTimeMs(sched.shape) * timeScale;
    timer = clock.setTimeout(endStep, Math.max(0, stepEndClockMs - now));
  };

  const endStep = () => {
    steps++;
    const finished = sched.commit(modelNowMs());
    // Every live request the step advanced gets its new token(s): one per step, except after a preemption's recompute.
    for (const l of live.values()) {
      const generated = sched.generatedTokens(l.sched);
      while (l.emitted < generated) l.stream.push({ type: 'token', text: emulatedTokenText(l.seed, l.emitted++) });
    }
    for (const r of finished) {
      const l = live.get(r.id);
      if (!l) continue; // aborted during its last step
      l.stream.push({
        type: 'done',
        usage: { promptTokens: r.promptTokens, completionTokens: r.outputTokens, cachedTokens: 0 },
        finishReason: l.finishReason,
      });
      l.stream.end();
      drop(l);
    }
    startStep(true);
  };

  const wake = () => {
    if (busy || closed) return;
    busy = true;
    // Start on a fresh tick, so that requests arriving together share the first step.
    timer = clock.setTimeout(() => startStep(false), 0);
  };

  const chat = (req: BackendChatRequest): AsyncIterable<BackendChunk> => {
    const problem = checkRequest(req);
    if (problem !== undefined || closed || req.signal.aborted) {
      const s = new ChunkStream();
      if (problem !== undefined) s.push(invalid(problem));
      else if (closed) s.push({ type: 'error', status: 503, message: `backend ${opts.id} is closed` });
      s.end();
      return s;
    }
    const outputTokens = Math.min(req.maxOutputTokens, req.outputTokens ?? req.maxOutputTokens);
    const sr = newRequest(nextId++, req.promptTokens, outputTokens, modelNowMs());
    if (sched.tooLarge(sr)) {
      const s = new ChunkStream();
      s.push(invalid(`${req.promptTokens} prompt + ${outputTokens} output tokens exceed the KV cache of this replica (${memory.kvCapacityTokens} tokens)`));
      s.end();
      return s;
    }
    const abort = () => {
      const l = live.get(sr.id);
      if (!l) return;
      drop(l);
      cancelled.push(sr);
      l.stream.cancel();
    };
    const l: LiveRequest = {
      sched: sr,
      seed: hashId(req.requestId),
      stream: new ChunkStream(abort),
      finishReason: outputTokens < req.maxOutputTokens ? 'stop' : 'length',
      emitted: 0,
      onAbort: abort,
      signal: req.signal,
    };
    req.signal.addEventListener('abort', abort, { once: true });
    live.set(sr.id, l);
    sched.enqueue(sr);
    wake();
    return l.stream;
  };

  return {
    id: opts.id,
    pool: opts.pool,
    model: opts.servedModelName ?? opts.model.id,
    maxInFlight,
    deployment,
    memory,
    stepModel,
    get steps() {
      return steps;
    },
    chat,
    health: () => Promise.resolve(!closed),
    snapshot: (): BackendSnapshot => ({ outstanding: sched.outstanding, queuedPromptTokens: sched.pendingPrefillTokens }),
    close() {
      if (closed) return;
      closed = true;
      if (timer !== undefined) clock.clearTimeout(timer);
      timer = undefined;
      busy = false;
      for (const l of [...live.values()]) {
        l.stream.push({ type: 'error', status: 503, message: `backend ${opts.id} closed` });
        l.stream.end();
        drop(l);
      }
    },
  };
}
