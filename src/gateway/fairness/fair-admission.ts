/**
 * @module Admission of requests to one served model's backends, with a fair
 * queue in front of them when they are saturated: per-tenant queues served by
 * a virtual token counter (VTC, OSDI'24, see vtc-queue.ts) weighted by tenant
 * priority.
 *
 * Slots: each backend takes `maxInFlight` requests at once (its own figure,
 * else DEFAULT_MAX_IN_FLIGHT). A request holds one slot of the model from its
 * admission until it ends. It starts unattached; `pick` routes it through the
 * model's router, skipping backends with no free slot, and moves its slot to
 * the backend picked (a retry moves it again). The model is saturated when
 * the free slots of its eligible backends (healthy, circuit not open) do not
 * exceed the slots admitted but not yet routed: counting those keeps the
 * decision exact although routing happens a few microtasks after admission.
 * With no eligible backend at all, requests are admitted at once, so that
 * routing answers them with "no backend" now rather than after a wait.
 *
 * Queue: a request that finds the model saturated, or others already waiting
 * (no overtaking), waits under its tenant. Whenever a slot is freed, waiting
 * requests leave by smallest virtual counter while there is room. A wait ends
 * with a slot, or is refused: the queue already holds `maxQueued` requests
 * (`queue_full`), the request waited `maxWaitMs` (`queue_timeout`), its signal
 * aborted (`cancelled`: the client went away), or the admission was closed
 * (`closed`: the gateway is shutting down).
 *
 * Charging: a request's input tokens when it gets its slot, waiting or not;
 * its output tokens one by one as the backend produces them (the paper's
 * rule: charging only at completion would let a tenant with long generations
 * under way win several dispatches in a row before its counter catches up).
 *
 * Hot path: below saturation `tryAcquire` touches no queue and allocates only
 * the slot; counts live in typed arrays indexed like the backends.
 */
import { InvalidInputError } from '../../core/errors.js';
import { DEFAULT_MAX_IN_FLIGHT, type Backend } from '../backends/backend.js';
import type { Clock, TimerHandle } from '../backends/clock.js';
import type { BackendExclusion, BackendRouteRequest, BackendRouter } from '../routing/backend-router.js';
import { VtcQueue } from './vtc-queue.js';

/** Requests that may wait for one model, by default. */
export const DEFAULT_MAX_QUEUED = 1000;
/** Longest wait in the queue by default, milliseconds. */
export const DEFAULT_MAX_WAIT_MS = 30_000;

export interface FairQueueOptions {
  /** Requests that may wait at once; more are refused with `queue_full` (0: refuse at saturation). Default 1000. */
  readonly maxQueued?: number;
  /** A request waiting longer is refused with `queue_timeout`, milliseconds. Default 30,000. */
  readonly maxWaitMs?: number;
  /** Service counted per prompt token (the paper's wp). Default 1. */
  readonly inputTokenWeight?: number;
  /** Service counted per output token (the paper's wq). Default 2. */
  readonly outputTokenWeight?: number;
}

export interface FairAdmissionOptions extends FairQueueOptions {
  /** The model's backends, as its router was built over them. */
  readonly backends: readonly Backend[];
  /** The model's router: picks a backend, and says which are healthy. */
  readonly router: Pick<BackendRouter, 'pick' | 'isHealthy'>;
  /** Whether a backend's circuit lets a request through now (CircuitBreaker.allows); default always. */
  readonly allows?: (backendId: string) => boolean;
  /** Timers for maxWaitMs, and the time waited. */
  readonly clock: Clock;
  /** Called with the number of waiting requests whenever it changes. */
  readonly onQueueDepth?: (depth: number) => void;
}

/** Why a wait ended without a slot. */
export type QueueRefusal = 'queue_full' | 'queue_timeout' | 'cancelled' | 'closed';

export type QueueOutcome =
  | { readonly ok: true; readonly slot: AdmissionSlot; /** Milliseconds on the clock. */ readonly waitedMs: number }
  | { readonly ok: false; readonly reason: QueueRefusal; /** Milliseconds on the clock. */ readonly waitedMs: number };

/** A request that waits for a slot. */
export interface QueuedRequest {
  readonly tenantId: string;
  /** The tenant's weight (priority), positive. */
  readonly weight: number;
  /** Prompt tokens, charged when the request gets its slot. */
  readonly inputTokens: number;
  /** Output tokens at most (only for the queued-token figure). */
  readonly maxOutputTokens: number;
  /** Aborts the wait (the client went away): the request leaves the queue, refused as `cancelled`. */
  readonly signal?: AbortSignal;
}

/** The slot an admitted request holds until it ends. */
export interface AdmissionSlot {
  readonly tenantId: string;
  /** The backend it was last routed to; undefined before the first pick. */
  readonly backend: Backend | undefined;
  /**
   * Routes the request with the model's router to an eligible backend with a free slot that is
   * not in `tried`, and moves the slot there. When every such backend is full (a retry, or a
   * backend turned unhealthy since admission) it goes over capacity rather than wait again.
   * Undefined when no backend is left.
   */
  pick(req: BackendRouteRequest, tried?: BackendExclusion): Backend | undefined;
  /** Charges output tokens the backend produced to the tenant's counter. */
  chargeOutput(tokens: number): void;
  /** Frees the slot (idempotent): the next waiting request may be dispatched. */
  release(): void;
}

export interface FairAdmission {
  /** Requests waiting for a slot. */
  readonly queueDepth: number;
  /**
   * When a request refused now should come back, whole seconds from 1 to 60:
   * the queue's depth over the rate at which slots were freed lately (an
   * average over 1 s windows), 1 when nothing is known yet.
   */
  retryAfterSeconds(): number;
  /** Requests holding a slot (routed or about to be). */
  readonly inFlight: number;
  /** Slots of the eligible backends now. */
  capacity(): number;
  /** Requests holding a slot on `backendId`. */
  inFlightOn(backendId: string): number;
  /** Waiting requests by tenant id (tenants with none are absent). */
  queuedByTenant(): Map<string, number>;
  /** A slot at once when the model has room and nobody waits; otherwise undefined (then `wait`). */
  tryAcquire(tenantId: string, weight: number, inputTokens: number): AdmissionSlot | undefined;
  /** Waits in the tenant's queue for a slot; never rejects. */
  wait(req: QueuedRequest): Promise<QueueOutcome>;
  /** Refuses every waiting request and every later one as `closed`; slots held run to their end. */
  close(): void;
}

interface Waiter {
  readonly tenantId: string;
  readonly weight: number;
  readonly inputTokens: number;
  /** Clock milliseconds. */
  readonly enqueuedAtMs: number;
  readonly resolve: (outcome: QueueOutcome) => void;
  readonly signal: AbortSignal | undefined;
  timer: TimerHandle | undefined;
  onAbort: (() => void) | undefined;
}

/** What a slot asks of its admission. */
interface SlotOps {
  backendAt(index: number): Backend | undefined;
  route(slot: Slot, req: BackendRouteRequest, tried: BackendExclusion | undefined): Backend | undefined;
  chargeOutput(slot: Slot, tokens: number): void;
  release(slot: Slot): void;
}

class Slot implements AdmissionSlot {
  /** Index of the backend it is on; -1 before the first pick. */
  index = -1;
  released = false;

  constructor(
    private readonly ops: SlotOps,
    readonly tenantId: string,
  ) {}

  get backend(): Backend | undefined {
    return this.ops.backendAt(this.index);
  }

  pick(req: BackendRouteRequest, tried?: BackendExclusion): Backend | undefined {
    return this.ops.route(this, req, tried);
  }

  chargeOutput(tokens: number): void {
    this.ops.chargeOutput(this, tokens);
  }

  release(): void {
    this.ops.release(this);
  }
}

function checkOptions(opts: FairAdmissionOptions, capacity: Int32Array): void {
  const maxQueued = opts.maxQueued ?? DEFAULT_MAX_QUEUED;
  if (!Number.isInteger(maxQueued) || maxQueued < 0) throw new InvalidInputError(`maxQueued must be a non-negative integer, got ${maxQueued}`, 'fairQueue');
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  if (!(maxWaitMs > 0) || !Number.isFinite(maxWaitMs)) throw new InvalidInputError(`maxWaitMs must be a positive number, got ${maxWaitMs}`, 'fairQueue');
  opts.backends.forEach((b, i) => {
    const cap = b.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
    if (!Number.isInteger(cap) || cap < 1) throw new InvalidInputError(`maxInFlight must be a positive integer, got ${cap}`, `backend ${b.id}`);
    capacity[i] = cap;
  });
}

/** @throws InvalidInputError for a bound or a backend capacity out of range. */
/** The longest Retry-After a queue refusal suggests, seconds. */
export const MAX_RETRY_AFTER_SECONDS = 60;

export function createFairAdmission(opts: FairAdmissionOptions): FairAdmission {
  const { backends, router, clock } = opts;
  const n = backends.length;
  const capacity = new Int32Array(n);
  checkOptions(opts, capacity);
  const maxQueued = opts.maxQueued ?? DEFAULT_MAX_QUEUED;
  const maxWaitMs = opts.maxWaitMs ?? DEFAULT_MAX_WAIT_MS;
  const allows = opts.allows ?? (() => true);
  const onQueueDepth = opts.onQueueDepth;
  const inFlight = new Int32Array(n);
  const indexById = new Map(backends.map((b, i) => [b.id, i]));
  const queue = new VtcQueue<Waiter>({
    ...(opts.inputTokenWeight !== undefined && { inputTokenWeight: opts.inputTokenWeight }),
    ...(opts.outputTokenWeight !== undefined && { outputTokenWeight: opts.outputTokenWeight }),
  });
  /** Slots admitted and not yet routed to a backend. */
  let unattached = 0;
  /** Slots held, routed or not. */
  let held = 0;
  let closed = false;
  /** Slots freed per second, a moving average over whole-second windows of the clock. */
  let releasesPerSecond = 0;
  let releaseWindow = Math.floor(clock.now() / 1000);
  let releasesInWindow = 0;
  /** Brings the average up to the clock's current window. */
  const foldWindows = () => {
    const w = Math.floor(clock.now() / 1000);
    if (w === releaseWindow) return;
    // Fold the finished window in at half weight, then halve once more for each empty window since.
    releasesPerSecond = (0.5 * releasesPerSecond + 0.5 * releasesInWindow) * 0.5 ** (w - releaseWindow - 1);
    releaseWindow = w;
    releasesInWindow = 0;
  };
  const countRelease = () => {
    foldWindows();
    releasesInWindow++;
  };

  /** The `tried` of the pick under way (picks are synchronous, so one shared view serves every slot). */
  let pickTried: BackendExclusion | undefined;
  const triedOrFull: BackendExclusion = {
    has(id) {
      if (pickTried?.has(id) === true) return true;
      const i = indexById.get(id);
      return i !== undefined && inFlight[i]! >= capacity[i]!;
    },
  };

  const eligible = (i: number): boolean => {
    const id = backends[i]!.id;
    return router.isHealthy(id) && allows(id);
  };

  /** Whether one more request may be admitted now (see the module comment). */
  const hasRoom = (): boolean => {
    let free = 0;
    let anyEligible = false;
    for (let i = 0; i < n; i++) {
      if (!eligible(i)) continue;
      anyEligible = true;
      const left = capacity[i]! - inFlight[i]!;
      if (left > 0) {
        free += left;
        if (free > unattached) return true;
      }
    }
    return !anyEligible;
  };

  const depthChanged = () => onQueueDepth?.(queue.size);

  const grant = (tenantId: string, weight: number, inputTokens: number): Slot => {
    queue.charge(tenantId, inputTokens, 0, weight);
    unattached++;
    held++;
    return new Slot(ops, tenantId);
  };

  /** Stops a waiter's timer and signal listener. */
  const settle = (w: Waiter) => {
    if (w.timer !== undefined) clock.clearTimeout(w.timer);
    w.timer = undefined;
    if (w.onAbort !== undefined) w.signal?.removeEventListener('abort', w.onAbort);
    w.onAbort = undefined;
  };

  /** Dispatches waiting requests, smallest counter first, while there is room. */
  const drain = () => {
    let dispatched = false;
    while (queue.size > 0 && hasRoom()) {
      const w = queue.dequeue()!;
      settle(w);
      const slot = grant(w.tenantId, w.weight, w.inputTokens);
      dispatched = true;
      w.resolve({ ok: true, slot, waitedMs: clock.now() - w.enqueuedAtMs });
    }
    if (dispatched) depthChanged();
  };

  /** Takes a waiter out of the queue, refused; a no-op when it already left. */
  const leave = (w: Waiter, reason: QueueRefusal) => {
    if (!queue.remove(w.tenantId, w)) return;
    settle(w);
    depthChanged();
    w.resolve({ ok: false, reason, waitedMs: clock.now() - w.enqueuedAtMs });
  };

  const ops: SlotOps = {
    backendAt: (index) => backends[index],
    route(slot, req, tried) {
      if (slot.released) return undefined;
      pickTried = tried;
      let picked: Backend | undefined;
      try {
        picked = router.pick(req, triedOrFull);
      } finally {
        pickTried = undefined;
      }
      picked ??= router.pick(req, tried);
      if (picked === undefined) return undefined;
      const i = indexById.get(picked.id);
      if (i === undefined) throw new RangeError(`the router picked '${picked.id}', not a backend of this admission`);
      if (slot.index >= 0) inFlight[slot.index]!--;
      else unattached--;
      inFlight[i]!++;
      const moved = slot.index >= 0;
      slot.index = i;
      // A retry frees a slot on the backend it leaves.
      if (moved && queue.size > 0) drain();
      return picked;
    },
    chargeOutput(slot, tokens) {
      queue.charge(slot.tenantId, 0, tokens);
    },
    release(slot) {
      if (slot.released) return;
      slot.released = true;
      held--;
      countRelease();
      if (slot.index >= 0) inFlight[slot.index]!--;
      else unattached--;
      if (queue.size > 0) drain();
    },
  };

  return {
    get queueDepth() {
      return queue.size;
    },
    retryAfterSeconds() {
      foldWindows();
      if (!(releasesPerSecond > 0)) return 1;
      return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(queue.size / releasesPerSecond)));
    },
    get inFlight() {
      return held;
    },
    capacity() {
      let c = 0;
      for (let i = 0; i < n; i++) if (eligible(i)) c += capacity[i]!;
      return c;
    },
    inFlightOn(backendId) {
      const i = indexById.get(backendId);
      return i === undefined ? 0 : inFlight[i]!;
    },
    queuedByTenant() {
      const m = new Map<string, number>();
      queue.forEachBacklogged((tenantId, queued) => m.set(tenantId, queued));
      return m;
    },
    tryAcquire(tenantId, weight, inputTokens) {
      if (closed || queue.size > 0 || !hasRoom()) return undefined;
      return grant(tenantId, weight, inputTokens);
    },
    wait(req) {
      const refused = (reason: QueueRefusal): Promise<QueueOutcome> => Promise.resolve({ ok: false, reason, waitedMs: 0 });
      if (closed) return refused('closed');
      if (req.signal?.aborted === true) return refused('cancelled');
      if (queue.size >= maxQueued) return refused('queue_full');
      return new Promise<QueueOutcome>((resolve) => {
        const w: Waiter = {
          tenantId: req.tenantId,
          weight: req.weight,
          inputTokens: req.inputTokens,
          enqueuedAtMs: clock.now(),
          resolve,
          signal: req.signal,
          timer: undefined,
          onAbort: undefined,
        };
        queue.enqueue(req.tenantId, req.weight, w, req.inputTokens + req.maxOutputTokens);
        w.timer = clock.setTimeout(() => leave(w, 'queue_timeout'), maxWaitMs);
        if (req.signal !== undefined) {
          const onAbort = () => leave(w, 'cancelled');
          w.onAbort = onAbort;
          req.signal.addEventListener('abort', onAbort, { once: true });
        }
        depthChanged();
        // Room may have opened with no slot freed since (a backend turned healthy): dispatch now.
        drain();
      });
    },
    close() {
      if (closed) return;
      closed = true;
      const now = clock.now();
      for (let w = queue.dequeue(); w !== undefined; w = queue.dequeue()) {
        settle(w);
        w.resolve({ ok: false, reason: 'closed', waitedMs: now - w.enqueuedAtMs });
      }
      depthChanged();
    },
  };
}
