/**
 * @module The completions in progress, so that close() can wait for them to
 * finish (and be recorded in the ledger) and abort those that outlast the
 * drain time.
 */

/** Why a request in progress was cut short by the gateway rather than by its client. */
export type ShutdownCause = 'shutdown';

export class InFlightRequests {
  private readonly aborts = new Set<(cause: ShutdownCause) => void>();
  private idleWaiters: (() => void)[] = [];

  get size(): number {
    return this.aborts.size;
  }

  /** Registers a request; call the returned function when it has ended (recorded and answered). */
  add(abort: (cause: ShutdownCause) => void): () => void {
    this.aborts.add(abort);
    return () => {
      this.aborts.delete(abort);
      if (this.aborts.size === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
  }

  /** Resolves when no request is in progress. */
  idle(): Promise<void> {
    if (this.aborts.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Aborts every request in progress; each still records itself and unregisters. */
  abortAll(): void {
    for (const abort of [...this.aborts]) abort('shutdown');
  }
}
