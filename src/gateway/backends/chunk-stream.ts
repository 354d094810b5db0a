/**
 * @module A push-to-pull bridge: a producer pushes backend chunks as they
 * are made, a consumer pulls them with `for await`. Unbounded (a response is
 * at most max_tokens chunks); a consumer that stops early (break, return)
 * triggers `onCancel`.
 */
import type { BackendChunk } from './backend.js';

export class ChunkStream implements AsyncIterableIterator<BackendChunk> {
  private readonly buffer: BackendChunk[] = [];
  private head = 0;
  private waiter: ((r: IteratorResult<BackendChunk>) => void) | undefined;
  private ended = false;

  constructor(private readonly onCancel: () => void = () => {}) {}

  /** Whether end() was called (or the consumer stopped). */
  get closed(): boolean {
    return this.ended;
  }

  push(chunk: BackendChunk): void {
    if (this.ended) return;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: chunk, done: false });
    } else {
      this.buffer.push(chunk);
    }
  }

  /** No more chunks; buffered ones are still delivered. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w({ value: undefined, done: true });
    }
  }

  /** Ends the stream now, dropping chunks not yet delivered. */
  cancel(): void {
    this.buffer.length = 0;
    this.head = 0;
    this.end();
  }

  next(): Promise<IteratorResult<BackendChunk>> {
    if (this.head < this.buffer.length) {
      const value = this.buffer[this.head++]!;
      if (this.head === this.buffer.length) {
        this.buffer.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  return(): Promise<IteratorResult<BackendChunk>> {
    const wasOpen = !this.ended;
    this.cancel();
    if (wasOpen) this.onCancel();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
