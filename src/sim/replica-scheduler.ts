/**
 * @module The iteration scheduler of one engine replica: continuous batching
 * with a token budget and a sequence cap (vLLM v1 style), chunked prefill
 * (Sarathi style) or prefill-first batches (SGLang's default), and a paged KV
 * cache that allocates as tokens are computed, admits a request when its
 * whole prompt fits beside the prompts already admitted, and preempts the newest running sequence (recompute) when
 * decoding runs out of blocks. It decides what each step computes and applies
 * the step's outcome; the caller owns the clock and asks the step-time model
 * how long a step takes.
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
  /** Tokens to compute before the next output token: the prompt, plus the outputs so far after a preemption. */
  prefillTarget: number;
  /** Of prefillTarget, tokens computed so far (including cached). */
  prefilledTokens: number;
  /** Output tokens produced before the current decode stint. */
  producedAtJoin: number;
  /** Time the request was first admitted into the running batch, ms. */
  admittedMs: number;
  /** Time the first output token was produced, ms. */
  firstTokenMs: number;
  /** Time the last output token was produced, ms. */
  finishMs: number;
  /** Decode-step count when it joined the decode batch. */
  joinedDecodeStep: number;
  /** Times it was preempted (its KV dropped, to be recomputed). */
  preemptions: number;
  /** Bumped at each join, to tell live heap entries from stale ones. */
  epoch: number;
  /** The replica's step count when it was queued (for the attention-DP context wait). */
  queuedAtStep: number;
}

export function newRequest(id: number, promptTokens: number, outputTokens: number, arrivalMs: number, cachedTokens = 0): ScheduledRequest {
  return {
    id, promptTokens, outputTokens, arrivalMs, cachedTokens,
    status: 'waiting', prefillTarget: promptTokens, prefilledTokens: 0, producedAtJoin: 0,
    admittedMs: -1, firstTokenMs: -1, finishMs: -1, joinedDecodeStep: 0, preemptions: 0, epoch: 0, queuedAtStep: 0,
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
  /** When true, a request leaves after its prefill (first token): a prefill worker of a disaggregated deployment. */
  readonly prefillOnly?: boolean;
  /**
   * With attention DP (dpRanks > 1): steps a new prompt is held back while the engine is busy and fewer
   * prompts than ranks wait, so that every rank gets one (TensorRT-LLM's attention-DP context balancing);
   * 0 or absent: none.
   */
  readonly contextWaitSteps?: number;
  /**
   * Admit a request only when the KV of its whole lifetime (prompt plus every output token) fits beside the
   * lifetimes of those running (TensorRT-LLM's GUARANTEED_NO_EVICT capacity scheduler): nothing is ever
   * preempted, and under a full cache requests wait in the queue instead. Absent or false: admit on the
   * prompt alone and preempt when decoding runs out (vLLM, SGLang).
   */
  readonly reserveWholeSequence?: boolean;
}

interface DecodeEntry {
  readonly req: ScheduledRequest;
  readonly epoch: number;
}

export class ReplicaScheduler {
  private readonly waiting: ScheduledRequest[] = [];
  private waitingHead = 0;
  private readonly prefilling: ScheduledRequest[] = [];
  /** Decoding sequences by the decode-step count at which they finish (stale entries skipped). */
  private readonly decoding = new MinHeap<DecodeEntry>();
  /** Decoding sequences in join order, for preempting the newest (stale entries skipped). */
  private readonly joinOrder: DecodeEntry[] = [];
  private decodingCount = 0;
  private decodeSteps = 0;
  /** Steps committed so far (decode or not). */
  private steps = 0;
  /** Sum over decoding sequences of prompt + outputs so far: their KV tokens. */
  private decodeContextTokens = 0;
  /** KV tokens held by sequences still prefilling. */
  private prefillKvTokens = 0;
  /** Prompt tokens of admitted, still-prefilling sequences not computed yet: KV promised to them. */
  private prefillReservedTokens = 0;
  /** With reserveWholeSequence: prompt plus output tokens of every admitted, unfinished request. */
  private lifetimeReservedTokens = 0;
  private preemptionCount = 0;
  /** Prompt tokens still to compute over queued and prefilling requests. */
  private pendingPrefill = 0;
  private readonly chunkReqs: ScheduledRequest[] = [];
  private readonly chunkTokens: number[] = [];
  private chunkCount = 0;
  private plannedPrefillTokens = 0;
  private plannedPairs = 0;
  private plannedCompleting = 0;
  private stepHasDecode = false;
  private readonly finished: ScheduledRequest[] = [];
  private readonly prefilled: ScheduledRequest[] = [];
  /** Blocks kept free when admitting, so that running sequences can grow (vLLM's watermark, 1%). */
  private readonly admitLimit: number;
  /** The shape of the step planned last (per attention-DP rank). */
  readonly shape: BatchShape = { decodeSeqs: 0, decodeContextTokens: 0, prefillSeqs: 0, prefillTokens: 0, prefillAttentionPairs: 0, logitTokens: 0 };

  constructor(readonly config: ReplicaSchedulerConfig) {
    this.admitLimit = config.kvCapacityTokens * 0.99;
  }

  get waitingCount(): number {
    return this.waiting.length - this.waitingHead;
  }
  get runningCount(): number {
    return this.prefilling.length + this.decodingCount;
  }
  /** KV tokens in use. */
  get kvUsed(): number {
    return this.decodeContextTokens + this.prefillKvTokens;
  }
  /** Requests queued or running. */
  get outstanding(): number {
    return this.waitingCount + this.runningCount;
  }
  /** Prompt tokens still to compute over queued and prefilling requests (for routers). */
  get pendingPrefillTokens(): number {
    return this.pendingPrefill;
  }
  /** Preemptions so far. */
  get preemptions(): number {
    return this.preemptionCount;
  }

  enqueue(req: ScheduledRequest): void {
    req.status = 'waiting';
    req.queuedAtStep = this.steps;
    this.waiting.push(req);
    this.pendingPrefill += Math.max(0, req.prefillTarget - req.cachedTokens);
  }

  /**
   * Takes a request out (its client went away): a queued one leaves the
   * queue, a running one frees its sequence slot and its KV, as an engine
   * does at its next step. Call only between steps (after `commit`, before
   * the next `plan`): the planned step refers to its requests. Returns false
   * when the request had already finished (or was cancelled).
   */
  cancel(req: ScheduledRequest): boolean {
    switch (req.status) {
      case 'waiting': {
        const i = this.waiting.indexOf(req, this.waitingHead);
        if (i < 0) return false;
        this.waiting.splice(i, 1);
        this.pendingPrefill -= Math.max(0, req.prefillTarget - req.cachedTokens);
        break;
      }
      case 'prefilling': {
        const i = this.prefilling.indexOf(req);
        if (i < 0) return false;
        this.prefilling.splice(i, 1);
        this.prefillKvTokens -= req.prefilledTokens;
        this.prefillReservedTokens -= req.prefillTarget - req.prefilledTokens;
        this.pendingPrefill -= req.prefillTarget - req.prefilledTokens;
        this.lifetimeReservedTokens -= this.lifetimeTokens(req);
        break;
      }
      case 'decoding':
        this.decodeContextTokens -= req.promptTokens + this.produced(req);
        this.lifetimeReservedTokens -= this.lifetimeTokens(req);
        this.decodingCount--;
        req.epoch++; // its heap and join-order entries are now stale
        break;
      case 'finished':
        return false;
      default: {
        const never: never = req.status;
        return never;
      }
    }
    req.status = 'finished';
    return true;
  }

  /** True when the request can never complete, even alone in the replica. */
  tooLarge(req: ScheduledRequest): boolean {
    return this.lifetimeTokens(req) > this.config.kvCapacityTokens;
  }

  /** KV tokens a request holds at its end: its prompt and its outputs (one, on a prefill worker). */
  private lifetimeTokens(req: ScheduledRequest): number {
    return req.promptTokens + (this.config.prefillOnly ? 1 : req.outputTokens);
  }

  /**
   * Whether the head of the queue can be admitted now: a sequence slot and KV room for its whole prompt
   * beside the uncomputed rest of the prompts already admitted (an engine allocates a prompt's blocks when
   * it schedules it; counting only computed tokens admitted more prompts in one step than the cache holds,
   * and their decodes then preempted each other without end).
   */
  private canAdmit(): boolean {
    if (this.waitingHead >= this.waiting.length) return false;
    if (this.runningCount >= this.config.maxRunningSequences) return false;
    if (this.config.reserveWholeSequence && this.lifetimeReservedTokens + this.lifetimeTokens(this.waiting[this.waitingHead]!) > this.config.kvCapacityTokens) return false;
    return this.kvUsed + this.prefillReservedTokens + this.waiting[this.waitingHead]!.prefillTarget <= this.admitLimit;
  }

  /** Steps the head of the queue must still wait before its prompt may start (see contextWaitSteps); 0: it may start. */
  private contextWaitLeft(): number {
    const wait = this.config.contextWaitSteps ?? 0;
    if (wait <= 0 || this.config.dpRanks <= 1 || this.waitingHead >= this.waiting.length) return 0;
    // An idle engine has nothing to balance against; enough prompts for every rank start at once.
    if (this.runningCount === 0 || this.waitingCount >= this.config.dpRanks) return 0;
    return Math.max(0, wait - (this.steps - this.waiting[this.waitingHead]!.queuedAtStep));
  }

  /** Admits the head of the queue; call only after canAdmit(). */
  private admit(nowMs: number): ScheduledRequest {
    const req = this.waiting[this.waitingHead++]!;
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting.splice(0, this.waitingHead);
      this.waitingHead = 0;
    }
    if (req.admittedMs < 0) req.admittedMs = nowMs;
    this.lifetimeReservedTokens += this.lifetimeTokens(req);
    req.prefilledTokens = Math.min(req.cachedTokens, req.prefillTarget);
    if (req.prefilledTokens >= req.prefillTarget) {
      // KV already present (received from a prefill worker): straight to decode.
      this.joinDecode(req);
    } else {
      req.status = 'prefilling';
      this.prefillKvTokens += req.prefilledTokens;
      this.prefillReservedTokens += req.prefillTarget - req.prefilledTokens;
      this.prefilling.push(req);
    }
    return req;
  }

  private joinDecode(req: ScheduledRequest): void {
    req.status = 'decoding';
    req.joinedDecodeStep = this.decodeSteps;
    req.epoch++;
    const entry = { req, epoch: req.epoch };
    // `outputTokens - producedAtJoin` decode steps remain.
    this.decoding.push(this.decodeSteps + req.outputTokens - req.producedAtJoin, entry);
    this.joinOrder.push(entry);
    this.decodingCount++;
    this.decodeContextTokens += req.promptTokens + req.producedAtJoin;
  }

  /** Output tokens produced so far by a decoding request. */
  private produced(req: ScheduledRequest): number {
    return req.producedAtJoin + this.decodeSteps - req.joinedDecodeStep;
  }

  /** Drops the KV of the most recently joined decoding sequence; it waits at the head of the queue to recompute. */
  private preemptNewest(): boolean {
    while (this.joinOrder.length > 0) {
      const e = this.joinOrder.pop()!;
      const req = e.req;
      if (req.status !== 'decoding' || req.epoch !== e.epoch) continue;
      const produced = this.produced(req);
      this.decodeContextTokens -= req.promptTokens + produced;
      this.decodingCount--;
      req.epoch++; // its heap entry is now stale
      this.lifetimeReservedTokens -= this.lifetimeTokens(req);
      req.status = 'waiting';
      req.producedAtJoin = produced;
      req.prefillTarget = req.promptTokens + produced;
      req.cachedTokens = 0;
      req.prefilledTokens = 0;
      req.preemptions++;
      this.preemptionCount++;
      if (this.waitingHead > 0) this.waiting[--this.waitingHead] = req;
      else this.waiting.unshift(req);
      this.pendingPrefill += req.prefillTarget;
      return true;
    }
    return false;
  }

  /** Adds a prefill chunk of `req` to the step under `budget` and the free KV; returns the tokens taken. */
  private addChunk(req: ScheduledRequest, budget: number): number {
    const remaining = req.prefillTarget - req.prefilledTokens;
    const free = this.config.kvCapacityTokens - this.kvUsed - this.plannedPrefillTokens;
    let n = remaining < budget ? remaining : budget;
    if (n > free) n = Math.floor(free);
    if (n <= 0) return 0;
    const i = this.chunkCount++;
    this.chunkReqs[i] = req;
    this.chunkTokens[i] = n;
    this.plannedPrefillTokens += n;
    this.plannedPairs += n * (req.prefilledTokens + n / 2);
    if (n === remaining) this.plannedCompleting++;
    return n;
  }

  /**
   * Plans the next step at time `nowMs`. Returns false when there is nothing
   * to run. The step's shape is in `this.shape`.
   *
   * Order, as in vLLM v1: running decodes first (one token each, preempting
   * the newest sequences if their growth would overflow the KV cache), then
   * running partial prefills, then new requests from the queue while the
   * token budget, the sequence cap and the KV cache allow. Under
   * `prefill-first`, a step with prefill work carries no decodes.
   */
  plan(nowMs: number): boolean {
    const cfg = this.config;
    this.chunkCount = 0;
    this.plannedPrefillTokens = 0;
    this.plannedPairs = 0;
    this.plannedCompleting = 0;
    // Requests that need no prefill join the decode batch straight away.
    while (this.canAdmit() && this.waiting[this.waitingHead]!.cachedTokens >= this.waiting[this.waitingHead]!.prefillTarget) this.admit(nowMs);
    while (this.decodingCount > 0 && this.kvUsed + this.decodingCount > cfg.kvCapacityTokens) this.preemptNewest();
    let budget = cfg.maxBatchedTokens;
    const prefillPending = this.prefilling.length > 0 || this.canAdmit();
    this.stepHasDecode = this.decodingCount > 0 && !(cfg.batching === 'prefill-first' && prefillPending);
    const decodeSeqs = this.stepHasDecode ? this.decodingCount : 0;
    budget -= decodeSeqs;
    for (let i = 0; i < this.prefilling.length && budget > 0; i++) {
      const n = this.addChunk(this.prefilling[i]!, budget);
      if (n === 0) break;
      budget -= n;
    }
    // Under the attention-DP context wait the whole queue starts once the head may (balanced across ranks).
    const mayStart = this.contextWaitLeft() === 0;
    while (budget > 0 && mayStart && this.canAdmit()) {
      const req = this.admit(nowMs);
      if (req.status === 'prefilling') budget -= this.addChunk(req, budget);
    }
    if (decodeSeqs === 0 && this.chunkCount === 0) return false;
    const dp = cfg.dpRanks;
    const s = this.shape;
    s.decodeSeqs = decodeSeqs / dp;
    s.decodeContextTokens = (decodeSeqs > 0 ? this.decodeContextTokens : 0) / dp;
    s.prefillSeqs = this.chunkCount / dp;
    s.prefillTokens = this.plannedPrefillTokens / dp;
    s.prefillAttentionPairs = this.plannedPairs / dp;
    s.logitTokens = (decodeSeqs + this.plannedCompleting) / dp;
    return true;
  }

  /**
   * Applies the planned step, which ended at `endMs`. Returns the requests
   * that finished (all tokens produced); `prefilledRequests()` lists those
   * whose prompt completed in this step. Both arrays are reused by the next call.
   */
  commit(endMs: number): readonly ScheduledRequest[] {
    this.steps++;
    this.finished.length = 0;
    this.prefilled.length = 0;
    if (this.stepHasDecode) {
      this.decodeSteps++;
      this.decodeContextTokens += this.decodingCount;
      while (this.decoding.size > 0 && this.decoding.peekKey() <= this.decodeSteps) {
        const e = this.decoding.pop()!;
        const req = e.req;
        if (req.status !== 'decoding' || req.epoch !== e.epoch) continue;
        this.decodeContextTokens -= req.promptTokens + req.outputTokens;
        this.decodingCount--;
        this.finish(req, endMs);
      }
      if (this.joinOrder.length > 4 * this.decodingCount + 1024) this.compactJoinOrder();
    }
    let removed = 0;
    for (let i = 0; i < this.chunkCount; i++) {
      const req = this.chunkReqs[i]!;
      const n = this.chunkTokens[i]!;
      req.prefilledTokens += n;
      this.prefillKvTokens += n;
      this.prefillReservedTokens -= n;
      this.pendingPrefill -= n;
      if (req.prefilledTokens >= req.prefillTarget) {
        removed++;
        this.prefillKvTokens -= req.prefilledTokens;
        // The step that completes a prompt produces the next output token.
        req.producedAtJoin += 1;
        if (req.firstTokenMs < 0) {
          req.firstTokenMs = endMs;
          this.prefilled.push(req);
        }
        if (this.config.prefillOnly || req.producedAtJoin >= req.outputTokens) this.finish(req, endMs);
        else this.joinDecode(req);
      }
    }
    if (removed > 0) {
      let w = 0;
      for (let i = 0; i < this.prefilling.length; i++) {
        const r = this.prefilling[i]!;
        if (r.status === 'prefilling') this.prefilling[w++] = r;
      }
      this.prefilling.length = w;
    }
    return this.finished;
  }

  private compactJoinOrder(): void {
    let w = 0;
    for (const e of this.joinOrder) if (e.req.status === 'decoding' && e.req.epoch === e.epoch) this.joinOrder[w++] = e;
    this.joinOrder.length = w;
  }

  /**
   * After plan(): how many consecutive steps, this one included, will be
   * identical pure-decode steps (no prefill, nobody admitted or preempted)
   * before a sequence finishes. Nothing can change in between (sequence slots
   * free only when a sequence finishes, and the KV cache only fills), unless a
   * request arrives from outside. Across such a run only the context grows,
   * by `decodeSeqs` tokens a step.
   */
  decodeRunLength(): number {
    if (!this.stepHasDecode || this.chunkCount > 0) return 1;
    let next = this.decoding.peekKey() - this.decodeSteps;
    if (this.canAdmit()) {
      // A queued prompt held back by the context wait for `held` more steps: the run ends with the last of them.
      const held = this.contextWaitLeft();
      if (held <= 1) return 1;
      if (held < next) next = held;
    }
    // Stop before the cache would overflow and force a preemption.
    const room = Math.floor((this.config.kvCapacityTokens - this.kvUsed) / this.decodingCount);
    if (room < next) next = room;
    return Math.max(1, next);
  }

  /** Commits `steps` pure-decode steps planned as one run (see decodeRunLength); the last ends at `endMs`. */
  commitDecodeRun(steps: number, endMs: number): readonly ScheduledRequest[] {
    if (steps > 1) {
      // All but the last step: no sequence finishes in them.
      this.steps += steps - 1;
      this.decodeSteps += steps - 1;
      this.decodeContextTokens += (steps - 1) * this.decodingCount;
    }
    return this.commit(endMs);
  }

  /** Requests whose first token was produced in the step committed last. */
  prefilledRequests(): readonly ScheduledRequest[] {
    return this.prefilled;
  }

  private finish(req: ScheduledRequest, endMs: number): void {
    this.lifetimeReservedTokens -= this.lifetimeTokens(req);
    req.status = 'finished';
    req.finishMs = endMs;
    this.finished.push(req);
  }

  /** Output tokens generated so far by a request. */
  generatedTokens(req: ScheduledRequest): number {
    if (req.status === 'finished') return req.outputTokens;
    if (req.status !== 'decoding') return req.producedAtJoin;
    return this.produced(req);
  }
}
