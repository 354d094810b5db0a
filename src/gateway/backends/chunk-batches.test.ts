import { describe, expect, it } from 'vitest';
import { AbortSwitch } from './abort-switch.js';
import type { BackendChunk } from './backend.js';
import { batchedChunks, hasBatches } from './chunk-batches.js';
import { ChunkStream } from './chunk-stream.js';

const tok = (text: string): BackendChunk => ({ type: 'token', text });
const done: BackendChunk = { type: 'done', usage: { promptTokens: 1, completionTokens: 3, cachedTokens: 0 }, finishReason: 'stop' };

function source(log: string[]) {
  return (async function* () {
    try {
      yield [tok('a'), tok('b')];
      yield [tok('c'), done];
    } finally {
      log.push('closed');
    }
  })();
}

describe('batchedChunks', () => {
  it('hands over the batches as they come, or the same chunks one by one', async () => {
    const log: string[] = [];
    const batches: (readonly BackendChunk[])[] = [];
    const b = batchedChunks(source(log), new AbortSwitch()).batches();
    for (let r = await b.next(); r.done !== true; r = await b.next()) batches.push(r.value);
    expect(batches).toEqual([[tok('a'), tok('b')], [tok('c'), done]]);
    const single: BackendChunk[] = [];
    for await (const c of batchedChunks(source(log), new AbortSwitch())) single.push(c);
    expect(single).toEqual([tok('a'), tok('b'), tok('c'), done]);
    expect(log).toEqual(['closed', 'closed']);
  });

  it('closes the source when a reader of single chunks stops early', async () => {
    const log: string[] = [];
    for await (const c of batchedChunks(source(log), new AbortSwitch())) {
      expect(c).toEqual(tok('a'));
      break;
    }
    expect(log).toEqual(['closed']);
  });

  it('ends the stream of single chunks after the chunk during which the request was aborted', async () => {
    const log: string[] = [];
    const signal = new AbortSwitch();
    const seen: BackendChunk[] = [];
    for await (const c of batchedChunks(source(log), signal)) {
      seen.push(c);
      signal.abort();
    }
    expect(seen).toEqual([tok('a')]);
    expect(log).toEqual(['closed']);
  });

  it('tells a batched stream from a plain one', () => {
    expect(hasBatches(batchedChunks(source([]), new AbortSwitch()))).toBe(true);
    expect(hasBatches(new ChunkStream())).toBe(false);
  });
});
