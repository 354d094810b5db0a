/**
 * @module A backend stream that can hand over together the chunks it has at
 * once (the tokens of one upstream read, often a whole short response): the
 * gateway pulls a batch per await instead of a chunk per await. An async
 * generator's step (its promise, its result object, the resumption) was
 * about 1 KB of garbage per token on the gateway's hot path.
 *
 * It is still an AsyncIterable of single chunks, in the same order, for any
 * other reader (tests, tools), which ends right after the chunk during which
 * the request's signal was aborted (as a backend that yields chunk by chunk
 * does); a reader of batches checks its own abort between chunks. Stopping
 * either iteration early (break, return) closes the batches' generator,
 * which runs its `finally`.
 */
import type { AbortLike } from './abort-switch.js';
import type { BackendChunk } from './backend.js';

export interface BatchedChunks extends AsyncIterable<BackendChunk> {
  /** The chunks in batches (never empty ones); call it or iterate the chunks, once, not both. */
  batches(): AsyncIterableIterator<readonly BackendChunk[]>;
}

/** Whether `stream` can hand over its chunks in batches. */
export function hasBatches(stream: AsyncIterable<BackendChunk>): stream is BatchedChunks {
  return typeof (stream as Partial<BatchedChunks>).batches === 'function';
}

async function* oneByOne(batches: AsyncGenerator<readonly BackendChunk[]>, signal: AbortLike): AsyncGenerator<BackendChunk> {
  for await (const batch of batches) {
    for (const chunk of batch) {
      yield chunk;
      if (signal.aborted) return;
    }
  }
}

/** The stream of the chunks of `batches` (a generator not yet started) of a request aborted through `signal`. */
export function batchedChunks(batches: AsyncGenerator<readonly BackendChunk[]>, signal: AbortLike): BatchedChunks {
  return {
    batches: () => batches,
    [Symbol.asyncIterator]: () => oneByOne(batches, signal),
  };
}
