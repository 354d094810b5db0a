/**
 * @module A fake clock for tests that advances instantly: each timer fires in
 * its own macrotask, in (due time, scheduling order), with `now()` jumped to
 * its due time, so promise chains woken by one timer settle before the next
 * fires and their observers read the time the timer was due.
 */
import type { Clock, TimerHandle } from './clock.js';

interface FakeTimer {
  readonly dueMs: number;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

export class FakeClock implements Clock {
  private nowMs: number;
  private seq = 0;
  /** Pending timers, kept sorted by (dueMs, seq); tests hold few. */
  private timers: FakeTimer[] = [];
  private pumping = false;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(startMs = 0) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const t: FakeTimer = { dueMs: this.nowMs + Math.max(0, ms), seq: this.seq++, fn, cancelled: false };
    let i = this.timers.length;
    while (i > 0 && this.timers[i - 1]!.dueMs > t.dueMs) i--;
    this.timers.splice(i, 0, t);
    this.schedulePump();
    return t;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as FakeTimer).cancelled = true;
  }

  /** Timers not yet fired nor cancelled. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  /** Resolves once no timer is pending. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private schedulePump(): void {
    if (this.pumping) return;
    this.pumping = true;
    setImmediate(() => this.pump());
  }

  private pump(): void {
    this.pumping = false;
    let t = this.timers.shift();
    while (t?.cancelled) t = this.timers.shift();
    if (t) {
      this.nowMs = t.dueMs;
      t.fn();
    }
    if (this.timers.some((x) => !x.cancelled)) this.schedulePump();
    else {
      this.timers.length = 0;
      for (const w of this.idleWaiters.splice(0)) w();
    }
  }
}
