/**
 * @module The contract every gateway backend passes, run by each backend's
 * test file: a response is tokens then exactly one `done` whose usage counts
 * them, an abort ends the stream, the snapshot returns to idle, and the same
 * request gives the same token count. Time-driven backends run on whatever
 * clock the factory injects (a fake one in tests).
 */
import { describe, expect, it } from 'vitest';
import type { Backend, BackendChatRequest, BackendChunk } from './backend.js';

export interface BackendContractSubject {
  readonly backend: Backend;
  /** Resolves when the backend has nothing left to do (all timers fired); default: resolves at once. */
  readonly settle?: () => Promise<void>;
}

export function request(overrides: Partial<BackendChatRequest> = {}): BackendChatRequest {
  return {
    requestId: 'req-1',
    messages: [{ role: 'user', content: 'hello' }],
    promptTokens: 64,
    maxOutputTokens: 8,
    stream: true,
    signal: new AbortController().signal,
    ...overrides,
  };
}

export async function collect(stream: AsyncIterable<BackendChunk>): Promise<BackendChunk[]> {
  const out: BackendChunk[] = [];
  for await (const c of stream) out.push(c);
  return out;
}

export function describeBackendContract(name: string, make: () => BackendContractSubject): void {
  describe(`backend contract: ${name}`, () => {
    it('streams tokens, then one done whose usage counts them', async () => {
      const { backend } = make();
      const chunks = await collect(backend.chat(request({ maxOutputTokens: 12 })));
      const last = chunks.at(-1);
      expect(last?.type).toBe('done');
      expect(chunks.slice(0, -1).every((c) => c.type === 'token')).toBe(true);
      if (last?.type !== 'done') return;
      expect(last.usage.completionTokens).toBe(chunks.length - 1);
      expect(last.usage.completionTokens).toBeLessThanOrEqual(12);
    });

    it('ends the stream on abort, without a done', async () => {
      const { backend, settle } = make();
      const ac = new AbortController();
      const seen: BackendChunk[] = [];
      for await (const c of backend.chat(request({ maxOutputTokens: 50, signal: ac.signal }))) {
        seen.push(c);
        if (seen.length === 3) ac.abort();
      }
      expect(seen).toHaveLength(3);
      expect(seen.every((c) => c.type === 'token')).toBe(true);
      await settle?.();
    });

    it('returns to an idle snapshot once every request is done', async () => {
      const { backend, settle } = make();
      await Promise.all([collect(backend.chat(request({ requestId: 'a' }))), collect(backend.chat(request({ requestId: 'b' })))]);
      await settle?.();
      expect(backend.snapshot()).toEqual({ outstanding: 0, queuedPromptTokens: 0 });
      expect(await backend.health()).toBe(true);
    });

    it('answers the same request with the same number of tokens', async () => {
      const a = await collect(make().backend.chat(request()));
      const b = await collect(make().backend.chat(request()));
      expect(a.length).toBe(b.length);
    });
  });
}
