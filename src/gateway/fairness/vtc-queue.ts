/**
 * @module Per-tenant queues of one saturated pool, served by a virtual token
 * counter (VTC, Sheng et al., "Fairness in Serving Large Language Models",
 * OSDI'24), weighted by tenant priority.
 *
 * Each tenant has a counter of the service it received: input tokens x wp
 * plus output tokens x wq, divided by its weight. The next request comes from
 * the backlogged tenant (one with queued requests) with the smallest counter,
 * ties broken by tenant id so that the order is deterministic; requests of one
 * tenant leave in arrival order. A tenant that becomes backlogged after being
 * idle has its counter lifted to the smallest counter among the backlogged
 * tenants (or, when none is backlogged, to the counter of the tenant that left
 * the queue last), the paper's rule: time spent idle is not banked as credit.
 *
 * The queue does not see the service itself: the caller charges it with
 * `charge()`. The paper charges the input tokens when a request is dispatched
 * and each output token as it is produced; charging late (only when a request
 * completes) still converges, but lets a tenant win several dispatches in a
 * row while its charges are in flight.
 *
 * Backlogged tenants sit in an indexed binary heap keyed by (counter, id), so
 * enqueue, dequeue, charge and remove cost O(log tenants).
 */
import { InvalidInputError } from '../../core/errors.js';

export interface VtcOptions {
  /** Weight of one input (prompt) token in the counter; the paper's wp. Default 1. */
  readonly inputTokenWeight?: number;
  /** Weight of one output (completion) token in the counter; the paper's wq. Default 2. */
  readonly outputTokenWeight?: number;
}

/** A queued request as `dequeueEntry()` hands it out. */
export interface VtcEntry<T> {
  readonly tenantId: string;
  readonly item: T;
  /** The caller's estimate of the request's tokens, given at enqueue (for queue-depth figures only). */
  readonly estimatedTokens: number;
}

interface TenantState<T> {
  readonly id: string;
  /** Priority weight: service per unit of counter. */
  weight: number;
  /** Virtual counter: weighted tokens charged / weight. */
  counter: number;
  /** FIFO of queued entries from `head` on. */
  readonly queue: VtcEntry<T>[];
  head: number;
  /** Sum of estimatedTokens over queued entries. */
  queuedTokens: number;
  /** Position in the heap of backlogged tenants, -1 when not backlogged. */
  heapIndex: number;
}

function checkWeight(weight: number, where: string): void {
  if (!(weight > 0) || !Number.isFinite(weight)) throw new InvalidInputError(`a tenant weight must be a positive finite number, got ${weight}`, where);
}

function checkTokens(n: number, where: string): void {
  if (!(n >= 0) || !Number.isFinite(n)) throw new InvalidInputError(`expected a non-negative token count, got ${n}`, where);
}

export class VtcQueue<T> {
  private readonly wp: number;
  private readonly wq: number;
  private readonly tenants = new Map<string, TenantState<T>>();
  /** Backlogged tenants, a binary min-heap on (counter, id). */
  private readonly heap: TenantState<T>[] = [];
  /** The tenant that left the backlog last (its counter lifts a tenant arriving to an empty queue). */
  private lastLeft: TenantState<T> | undefined;
  private queuedItems = 0;
  private queuedTokenSum = 0;

  constructor(options: VtcOptions = {}) {
    this.wp = options.inputTokenWeight ?? 1;
    this.wq = options.outputTokenWeight ?? 2;
    checkTokens(this.wp, 'inputTokenWeight');
    checkTokens(this.wq, 'outputTokenWeight');
  }

  /** Requests queued over all tenants. */
  get size(): number {
    return this.queuedItems;
  }

  /** Sum of the estimated tokens of all queued requests. */
  get queuedTokens(): number {
    return this.queuedTokenSum;
  }

  /** Tenants with queued requests. */
  get backloggedTenants(): number {
    return this.heap.length;
  }

  /** A tenant's virtual counter (weighted tokens / weight); 0 for a tenant never seen. */
  counter(tenantId: string): number {
    return this.tenants.get(tenantId)?.counter ?? 0;
  }

  /** Requests a tenant has queued. */
  queuedFor(tenantId: string): number {
    const t = this.tenants.get(tenantId);
    return t ? t.queue.length - t.head : 0;
  }

  /** Calls `fn` for each backlogged tenant with its queued request count (heap order, not sorted). */
  forEachBacklogged(fn: (tenantId: string, queued: number) => void): void {
    for (const t of this.heap) fn(t.id, t.queue.length - t.head);
  }

  /**
   * Queues `item` for `tenantId`. `weight` is the tenant's priority (the latest
   * value given wins); `estimatedTokens` only feeds the queue-depth figures.
   */
  enqueue(tenantId: string, weight: number, item: T, estimatedTokens: number): void {
    checkWeight(weight, `tenant ${tenantId}`);
    checkTokens(estimatedTokens, 'estimatedTokens');
    const t = this.tenant(tenantId, weight);
    t.weight = weight;
    if (t.heapIndex < 0) {
      // Becoming backlogged: lift the counter so that idle time is not banked.
      const floor = this.heap.length > 0 ? this.heap[0]!.counter : this.lastLeft?.counter;
      if (floor !== undefined && floor > t.counter) t.counter = floor;
      this.heapPush(t);
    }
    t.queue.push({ tenantId, item, estimatedTokens });
    t.queuedTokens += estimatedTokens;
    this.queuedItems++;
    this.queuedTokenSum += estimatedTokens;
  }

  /** The oldest request of the backlogged tenant with the smallest counter, or undefined when empty. */
  dequeue(): T | undefined {
    return this.dequeueEntry()?.item;
  }

  /** Like `dequeue()`, with the tenant and the estimate. */
  dequeueEntry(): VtcEntry<T> | undefined {
    const t = this.heap[0];
    if (!t) return undefined;
    const entry = t.queue[t.head]!;
    t.head++;
    this.took(t, entry);
    if (t.head === t.queue.length) {
      t.queue.length = 0;
      t.head = 0;
      this.leave(t);
    } else if (t.head > 64 && t.head * 2 > t.queue.length) {
      t.queue.splice(0, t.head);
      t.head = 0;
    }
    return entry;
  }

  /** Removes a queued request (its client went away); O(its tenant's queue). Returns whether it was queued. */
  remove(tenantId: string, item: T): boolean {
    const t = this.tenants.get(tenantId);
    if (!t) return false;
    for (let i = t.head; i < t.queue.length; i++) {
      const entry = t.queue[i]!;
      if (entry.item !== item) continue;
      t.queue.splice(i, 1);
      this.took(t, entry);
      if (t.head === t.queue.length) {
        t.queue.length = 0;
        t.head = 0;
        this.leave(t);
      }
      return true;
    }
    return false;
  }

  /**
   * Charges service to a tenant: its counter grows by
   * (inputTokens x wp + outputTokens x wq) / weight. A tenant not seen before
   * (served without queueing) is created with `weight` (default 1).
   */
  charge(tenantId: string, inputTokens: number, outputTokens: number, weight?: number): void {
    checkTokens(inputTokens, 'inputTokens');
    checkTokens(outputTokens, 'outputTokens');
    if (weight !== undefined) checkWeight(weight, `tenant ${tenantId}`);
    const t = this.tenant(tenantId, weight ?? 1);
    if (weight !== undefined) t.weight = weight;
    const delta = (inputTokens * this.wp + outputTokens * this.wq) / t.weight;
    if (delta === 0) return;
    t.counter += delta;
    if (t.heapIndex >= 0) this.siftDown(t.heapIndex);
  }

  private tenant(id: string, weight: number): TenantState<T> {
    let t = this.tenants.get(id);
    if (!t) {
      t = { id, weight, counter: 0, queue: [], head: 0, queuedTokens: 0, heapIndex: -1 };
      this.tenants.set(id, t);
    }
    return t;
  }

  private took(t: TenantState<T>, entry: VtcEntry<T>): void {
    t.queuedTokens -= entry.estimatedTokens;
    this.queuedItems--;
    this.queuedTokenSum -= entry.estimatedTokens;
  }

  private leave(t: TenantState<T>): void {
    this.heapRemove(t.heapIndex);
    this.lastLeft = t;
  }

  // Indexed binary heap on (counter, id).

  private less(a: TenantState<T>, b: TenantState<T>): boolean {
    return a.counter < b.counter || (a.counter === b.counter && a.id < b.id);
  }

  private place(t: TenantState<T>, i: number): void {
    this.heap[i] = t;
    t.heapIndex = i;
  }

  private heapPush(t: TenantState<T>): void {
    this.place(t, this.heap.length);
    this.siftUp(this.heap.length - 1);
  }

  private heapRemove(i: number): void {
    const removed = this.heap[i]!;
    const last = this.heap.pop()!;
    removed.heapIndex = -1;
    if (i < this.heap.length) {
      this.place(last, i);
      this.siftDown(i);
      this.siftUp(last.heapIndex);
    }
  }

  private siftUp(i: number): void {
    const t = this.heap[i]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = this.heap[parent]!;
      if (!this.less(t, p)) break;
      this.place(p, i);
      i = parent;
    }
    this.place(t, i);
  }

  private siftDown(i: number): void {
    const n = this.heap.length;
    const t = this.heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(this.heap[r]!, this.heap[l]!) ? r : l;
      const child = this.heap[c]!;
      if (!this.less(child, t)) break;
      this.place(child, i);
      i = c;
    }
    this.place(t, i);
  }
}
