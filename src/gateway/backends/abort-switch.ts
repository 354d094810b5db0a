/**
 * @module An abort switch for one request, without the EventTarget machinery
 * of an AbortController (whose creation and listener bookkeeping showed up at
 * a few percent of the gateway's CPU and about 2 KB of garbage per proxied
 * request), and the part of an AbortSignal the gateway's backends and its
 * upstream client read (`AbortLike`), which an AbortSignal also satisfies.
 */

/** What aborts an exchange: an AbortSignal, or the lighter AbortSwitch. */
export interface AbortLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { readonly once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * Listeners run once, at the first abort(), in the order they were added; one
 * added after it is never called (as with AbortSignal). Every listener runs
 * once at most, `once` or not.
 */
export class AbortSwitch implements AbortLike {
  private listeners: (() => void)[] = [];
  private done = false;

  get aborted(): boolean {
    return this.done;
  }

  abort(): void {
    if (this.done) return;
    this.done = true;
    const listeners = this.listeners;
    this.listeners = [];
    for (const l of listeners) l();
  }

  addEventListener(_type: 'abort', listener: () => void, _options?: { readonly once?: boolean }): void {
    if (!this.done) this.listeners.push(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    const i = this.listeners.indexOf(listener);
    if (i >= 0) this.listeners.splice(i, 1);
  }
}
