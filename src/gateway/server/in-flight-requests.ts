/**
 * @module The completions in progress, so that close() can wait for them to
 * finish (and be recorded in the ledger) and abort those that outlast the
 * drain time.
 *
 * The registered aborts live in array slots reused through a free list, not in
 * a Set: with a Set, requests that had ended were still promoted to the old
 * generation in bulk. The likely mechanism: a Set that gains and loses an entry
 * per request rehashes into a new table every few dozen requests, and V8 leaves
 * each obsolete table linked to its successor with the entries it held then;
 * one such table in the old generation keeps the chain, and the requests its
 * entries close over, alive through every young-generation collection until
 * the next full one.
 * `npm run bench:gateway-alloc -- --concurrency 16` measured 4.4-5.2 KB
 * promoted per proxied request with the Set and 1.1-1.2 KB with the slots,
 * and the GC pause per 1,000 requests fell from 22-34 ms to 11-15 ms.
 */

/** Why a request in progress was cut short by the gateway rather than by its client. */
export type ShutdownCause = 'shutdown';

type Abort = (cause: ShutdownCause) => void;

export class InFlightRequests {
  private readonly slots: (Abort | undefined)[] = [];
  private readonly free: number[] = [];
  private count = 0;
  private idleWaiters: (() => void)[] = [];

  get size(): number {
    return this.count;
  }

  /** Registers a request; call the returned function when it has ended (recorded and answered). Calling it again does nothing. */
  add(abort: Abort): () => void {
    const slot = this.free.pop() ?? this.slots.length;
    if (slot === this.slots.length) this.slots.push(abort);
    else this.slots[slot] = abort;
    this.count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.slots[slot] = undefined;
      this.free.push(slot);
      this.count--;
      if (this.count === 0 && this.idleWaiters.length > 0) for (const w of this.idleWaiters.splice(0)) w();
    };
  }

  /** Resolves when no request is in progress. */
  idle(): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every request in progress; each still records itself and unregisters. */
  abortAll(): void {
    for (const abort of this.slots.slice()) abort?.('shutdown');
  }
}
