/**
 * @module The iteration scheduler of one engine replica: continuous batching
 * with a token budget and a sequence cap (vLLM v1 style), chunked prefill
 * (Sarathi style), or prefill-first batches (SGLang's default), and a KV cache
 * with admission control. It decides what each step computes and applies the
 * step's outcome; the caller owns the clock and asks the step-time model how
 * long a step takes.
 *
 * Decoding sequences are not touched one by one per step: each remembers the
 * decode-step count at which it joined, and a heap orders them by the count at
 * which they finish, so a step costs O(1) plus O(log n) per sequence that
 * joins or leaves.
 */
import type { BatchingPolicy } from '../core/catalogue/engines.js';
import type { BatchShape } from '../core/perf/step-time.js';
import { MinHeap } from './min-heap.js';

export type RequestStatus = 'waiting' | 'prefilling' | 'decoding' | 'finished';

export interface ScheduledRequest {
  readonly id: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly arrivalMs: number;
  /** Prompt tokens already in KV when admitted (prefix-cache hit, or KV received from a prefill worker). */
  cachedTokens: number;
  status: RequestStatus;
  /** Prompt tokens computed so far (including cached). */
  prefilledTokens: number;
  /** Time the request was admitted into the running batch, ms. */
  admittedMs: number;
  /** Time the first output token was produced, ms. */
  firstTokenMs: number;
  /** Time the last output token was produced, ms. */
  finishMs: number;
  /** Decode-step count when it joined the decode batch. */
  joinedDecodeStep: number;
  /** KV tokens reserved for it. */
  reservedKvTokens: number;
}

export function newRequest(id: number, promptTokens: number, outputTokens: number, arrivalMs: number, cachedTokens = 0): ScheduledRequest {
  return {
    id, promptTokens, outputTokens, arrivalMs, cachedTokens,
    status: 'waiting', prefilledTokens: 0, admittedMs: -1, firstTokenMs: -1, finishMs: -1, joinedDecodeStep: 0, reservedKvTokens: 0,
  };
}

export interface ReplicaSchedulerConfig {
  readonly batching: BatchingPolicy;
  /** Token budget of one step, summed over attention-DP ranks. */
  readonly maxBatchedTokens: number;
  /** Running sequences at most, summed over attention-DP ranks. */
  readonly maxRunningSequences: number;
  /** KV capacity of the replica, tokens. */
  readonly kvCapacityTokens: number;
  readonly kvBlockTokens: number;
  /** Attention-DP ranks: the step shape reported is per rank (work divided evenly). */
  readonly dpRanks: number;
  /**
   * When true, a request leaves after its prefill (first token): a prefill
   * worker of a disaggregated deployment.
   */
  readonly prefillOnly?: boolean;
}

interface Chunk {
  req: ScheduledRequest;
  tokens: number;
}

export class ReplicaScheduler {
  private readonly waiting: ScheduledRequest[] = [];
  private waitingHead = 0;
  private readonly prefilling: ScheduledRequest[] = [];
  private readonly decoding = new MinHeap<ScheduledRequest>();
  private decodeSteps = 0;
  private decodeContextTokens = 0;
  private kvUsedTokens = 0;
  private readonly chunks: Chunk[] = [];
  private stepHasDecode = false;
  private readonly finished: ScheduledRequest[] = [];
  private readonly prefilled: ScheduledRequest[] = [];
  /** The shape of the step planned last (per attention-DP rank). */
  readonly shape: BatchShape = { decodeSeqs: 0, decodeContextTokens: 0, prefillSeqs: 0, prefillTokens: 0, prefillAttentionPairs: 0, logitTokens: 0 };

  constructor(readonly config: ReplicaSchedulerConfig) {}

  get waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }
  get runningCount(): number {
    return this.prefilling.length + this.decoding.size;
  }
  get kvUsed(): number {
    return this.kvUsedTokens;
  }
  /** Requests queued or running. */
  get outstanding(): number {
    return this.waitingCount + this.runningCount;
  }

  enqueue(req: ScheduledRequest): void {
    req.status = 'waiting';
    this.waiting.push(req);
  }

  /** KV tokens a request reserves at admission: its whole prompt and output, rounded up to blocks (no preemption needed later). */
  private reservation(req: ScheduledRequest): number {
    const b = this.config.kvBlockTokens;
    const out = this.config.prefillOnly ? 1 : req.outputTokens;
    return Math.ceil((req.promptTokens + out) / b) * b;
  }

  /** True when the request can never fit, even in an empty replica. */
  tooLarge(req: ScheduledRequest): boolean {
    return this.reservation(req) > this.config.kvCapacityTokens;
  }

  private tryAdmit(nowMs: number): ScheduledRequest | undefined {
    if (this.waitingHead >= this.waiting.length) return undefined;
    if (this.runningCount >= this.config.maxRunningSequences) return undefined;
    const req = this.waiting[this.waitingHead]!;
    const need = this.reservation(req);
    if (this.kvUsedTokens + need > this.config.kvCapacityTokens) return undefined;
    this.waitingHead++;
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    this.kvUsedTokens += need;
    req.reservedKvTokens = need;
    req.admittedMs = nowMs;
    req.prefilledTokens = Math.min(req.cachedTokens, req.promptTokens);
    if (req.prefilledTokens >= req.promptTokens) {
      // KV already present (received from a prefill worker): straight to decode.
      this.joinDecode(req);
    } else {
      req.status = 'prefilling';
      this.prefilling.push(req);
    }
    return req;
  }

  private joinDecode(req: ScheduledRequest): void {
    req.status = 'decoding';
    req.joinedDecodeStep = this.decodeSteps;
    // The first output token exists; `outputTokens - 1` decode steps remain.
    this.decoding.push(this.decodeSteps + req.outputTokens - 1, req);
    this.decodeContextTokens += req.promptTokens + 1;
  }

  /**
   * Plans the next step at time `nowMs`. Returns false when there is nothing
   * to run. The step's shape is in `this.shape`.
   */
  plan(nowMs: number): boolean {
    const cfg = this.config;
    this.chunks.length = 0;
    let budget = cfg.maxBatchedTokens;
    let decodeSeqs = 0;
    const prefillFirst = cfg.batching === 'prefill-first';
    // Admit what fits first, so that prefill-first knows whether prefill work exists.
    while (this.tryAdmit(nowMs)) {
      /* admitted */
    }
    const havePrefill = this.prefilling.length > 0;
    this.stepHasDecode = this.decoding.size > 0 && !(prefillFirst && havePrefill);
    if (this.stepHasDecode) {
      decodeSeqs = this.decoding.size;
      budget -= decodeSeqs;
    }
    let prefillTokens = 0;
    let pairs = 0;
    let completing = 0;
    for (let i = 0; i < this.prefilling.length && budget > 0; i++) {
      const req = this.prefilling[i]!;
      const remaining = req.promptTokens - req.prefilledTokens;
      const n = remaining < budget ? remaining : budget;
      if (n <= 0) continue;
      this.chunks.push({ req, tokens: n });
      budget -= n;
      prefillTokens += n;
      pairs += n * (req.prefilledTokens + n / 2);
      if (n === remaining) completing++;
    }
    if (decodeSeqs === 0 && prefillTokens === 0) return false;
    const dp = cfg.dpRanks;
    const s = this.shape;
    s.decodeSeqs = decodeSeqs / dp;
    s.decodeContextTokens = (decodeSeqs > 0 ? this.decodeContextTokens : 0) / dp;
    s.prefillSeqs = this.chunks.length / dp;
    s.prefillTokens = prefillTokens / dp;
    s.prefillAttentionPairs = pairs / dp;
    s.logitTokens = (decodeSeqs + completing) / dp;
    return true;
  }

  /**
   * Applies the planned step, which ended at `endMs`. Returns the requests
   * that finished (all tokens produced); `prefilledRequests()` lists those
   * whose prompt completed in this step. Both arrays are reused by the next call.
   */
  commit(endMs: number): readonly ScheduledRequest[] {
    this.finished.length = 0;
    this.prefilled.length = 0;
    if (this.stepHasDecode) {
      this.decodeSteps++;
      this.decodeContextTokens += this.decoding.size;
      while (this.decoding.size > 0 && this.decoding.peekKey() <= this.decodeSteps) {
        const req = this.decoding.pop()!;
        this.decodeContextTokens -= req.promptTokens + req.outputTokens;
        this.finish(req, endMs);
      }
    }
    let removed = 0;
    for (const c of this.chunks) {
      const req = c.req;
      req.prefilledTokens += c.tokens;
      if (req.prefilledTokens >= req.promptTokens) {
        req.firstTokenMs = endMs;
        removed++;
        this.prefilled.push(req);
        if (this.config.prefillOnly || req.outputTokens <= 1) this.finish(req, endMs);
        else this.joinDecode(req);
      }
    }
    if (removed > 0) {
      let w = 0;
      for (let i = 0; i < this.prefilling.length; i++) {
        const r = this.prefilling[i]!;
        if (r.prefilledTokens < r.promptTokens) this.prefilling[w++] = r;
      }
      this.prefilling.length = w;
    }
    return this.finished;
  }

  /** Requests whose prompt completed in the step committed last. */
  prefilledRequests(): readonly ScheduledRequest[] {
    return this.prefilled;
  }

  private finish(req: ScheduledRequest, endMs: number): void {
    req.status = 'finished';
    req.finishMs = endMs;
    this.kvUsedTokens -= req.reservedKvTokens;
    this.finished.push(req);
  }

  /** Tokens generated so far by a decoding request. */
  generatedTokens(req: ScheduledRequest): number {
    if (req.status === 'finished') return req.outputTokens;
    if (req.status !== 'decoding') return 0;
    return 1 + this.decodeSteps - req.joinedDecodeStep;
  }
}
