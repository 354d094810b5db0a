import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../config/model-registry.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { batchOf } from '../../core/perf/step-time.js';
import type { BackendChunk } from './backend.js';
import { collect, describeBackendContract, request } from './backend-contract.js';
import { createEmulatedBackend, emulatedTokenText, type EmulatedBackendOptions } from './emulated-backend.js';
import { FakeClock } from './fake-clock.js';

const llama8 = resolveModel('meta-llama/Llama-3.1-8B').spec;
const h200 = getAccelerator('h200-sxm');

function make(overrides: Partial<EmulatedBackendOptions> = {}) {
  const clock = new FakeClock();
  const backend = createEmulatedBackend({
    id: 'emu-0', pool: 'h200', model: llama8, accelerator: h200, engine: 'vllm', parallel: { tp: 1 }, precision: { weights: 'fp8' },
    clock, ...overrides,
  });
  return { clock, backend, settle: () => clock.idle() };
}

/** Consumes a stream, recording the fake-clock time each chunk arrived. */
async function timed(stream: AsyncIterable<BackendChunk>, clock: FakeClock) {
  const chunks: BackendChunk[] = [];
  const times: number[] = [];
  for await (const c of stream) {
    chunks.push(c);
    times.push(clock.now());
  }
  return { chunks, times };
}

describeBackendContract('emulated', () => make());

describe('emulated backend', () => {
  it('streams exactly maxOutputTokens tokens and reports usage', async () => {
    const { backend } = make();
    const chunks = await collect(backend.chat(request({ promptTokens: 300, maxOutputTokens: 25 })));
    expect(chunks.filter((c) => c.type === 'token')).toHaveLength(25);
    expect(chunks.at(-1)).toEqual({ type: 'done', usage: { promptTokens: 300, completionTokens: 25, cachedTokens: 0 }, finishReason: 'length' });
    expect(backend.steps).toBe(25); // one prefill step (with the first token) + 24 decode steps
  });

  it('stops early with finish reason stop when the output hint is shorter', async () => {
    const { backend } = make();
    const chunks = await collect(backend.chat(request({ maxOutputTokens: 25, outputTokens: 7 })));
    expect(chunks.filter((c) => c.type === 'token')).toHaveLength(7);
    expect(chunks.at(-1)).toMatchObject({ type: 'done', finishReason: 'stop', usage: { completionTokens: 7 } });
  });

  it('gives a lone request a TTFT equal to the prefill step time, and TPOT the decode step time', async () => {
    const { backend, clock } = make();
    const { times } = await timed(backend.chat(request({ promptTokens: 1000, maxOutputTokens: 3 })), clock);
    const prefillMs = backend.stepModel.stepTimeMs(batchOf([{ tokens: 1000 }], []));
    expect(Math.abs(times[0]! - prefillMs) / prefillMs).toBeLessThan(1e-6);
    // The first decode step reads the prompt and the first output token.
    const decodeMs = backend.stepModel.stepTimeMs(batchOf([], [1001]));
    expect(Math.abs(times[1]! - times[0]! - decodeMs) / decodeMs).toBeLessThan(1e-6);
  });

  it('scales step durations by timeScale', async () => {
    const { backend, clock } = make({ timeScale: 0.01 });
    const { times } = await timed(backend.chat(request({ promptTokens: 1000, maxOutputTokens: 1 })), clock);
    const prefillMs = backend.stepModel.stepTimeMs(batchOf([{ tokens: 1000 }], []));
    expect(times[0]! / (prefillMs * 0.01)).toBeCloseTo(1, 9);
  });

  it('batches concurrent requests: two together take less than twice one alone', async () => {
    const alone = make();
    const one = await timed(alone.backend.chat(request({ requestId: 'x', promptTokens: 512, maxOutputTokens: 64 })), alone.clock);
    const tAlone = one.times.at(-1)!;
    const both = make();
    const [a, b] = await Promise.all([
      timed(both.backend.chat(request({ requestId: 'x', promptTokens: 512, maxOutputTokens: 64 })), both.clock),
      timed(both.backend.chat(request({ requestId: 'y', promptTokens: 512, maxOutputTokens: 64 })), both.clock),
    ]);
    const tBoth = Math.max(a.times.at(-1)!, b.times.at(-1)!);
    expect(tBoth).toBeLessThan(2 * tAlone);
    expect(tBoth).toBeLessThan(1.2 * tAlone); // decode steps are memory-bound: a second sequence is nearly free
    expect(both.backend.steps).toBe(64);
  });

  it('stops an aborted stream, keeps serving the others, and drains', async () => {
    const { backend, clock } = make();
    const ac = new AbortController();
    const other = collect(backend.chat(request({ requestId: 'other', maxOutputTokens: 40 })));
    const seen: BackendChunk[] = [];
    for await (const c of backend.chat(request({ requestId: 'gone', maxOutputTokens: 40, signal: ac.signal }))) {
      seen.push(c);
      if (seen.length === 5) ac.abort();
    }
    expect(seen).toHaveLength(5);
    expect((await other).filter((c) => c.type === 'token')).toHaveLength(40);
    await clock.idle();
    expect(backend.snapshot().outstanding).toBe(0);
  });

  it('frees an aborted request from the scheduler at the next step: the others run as if it had never come', async () => {
    const solo = make();
    const alone = await timed(solo.backend.chat(request({ requestId: 'a', promptTokens: 512, maxOutputTokens: 30 })), solo.clock);
    const pair = make();
    const ac = new AbortController();
    const kept = timed(pair.backend.chat(request({ requestId: 'a', promptTokens: 512, maxOutputTokens: 30 })), pair.clock);
    let n = 0;
    for await (const c of pair.backend.chat(request({ requestId: 'b', promptTokens: 512, maxOutputTokens: 1000, signal: ac.signal }))) {
      expect(c.type).toBe('token');
      if (++n === 3) ac.abort();
    }
    const { times } = await kept;
    // Its steps after the abort carry one sequence instead of two: each lasts as long as alone.
    const stepAlone = alone.times.at(-1)! - alone.times.at(-2)!;
    expect(times.at(-1)! - times.at(-2)!).toBeCloseTo(stepAlone, 6);
    expect(pair.backend.snapshot().outstanding).toBe(0);
    // 30 steps for the kept request, not 1000 for the aborted one.
    expect(pair.backend.steps).toBeLessThan(40);
  });

  it('treats a consumer that stops reading as an abort', async () => {
    const { backend, clock } = make();
    let n = 0;
    for await (const c of backend.chat(request({ maxOutputTokens: 30 }))) {
      expect(c.type).toBe('token');
      if (++n === 2) break;
    }
    await clock.idle();
    expect(backend.snapshot().outstanding).toBe(0);
    const again = await collect(backend.chat(request({ maxOutputTokens: 4 })));
    expect(again.at(-1)?.type).toBe('done');
  });

  it('an already aborted request yields nothing', async () => {
    const { backend } = make();
    const ac = new AbortController();
    ac.abort();
    expect(await collect(backend.chat(request({ signal: ac.signal })))).toEqual([]);
  });

  it('produces deterministic token text per request id', async () => {
    const text = async (id: string) =>
      (await collect(make().backend.chat(request({ requestId: id, maxOutputTokens: 20 }))))
        .flatMap((c) => (c.type === 'token' ? [c.text] : []))
        .join('');
    const a = await text('req-42');
    expect(await text('req-42')).toBe(a);
    expect(await text('req-43')).not.toBe(a);
    expect(a.split(' ')).toHaveLength(20);
    expect(emulatedTokenText(7, 0)).toBe(emulatedTokenText(7, 0));
  });

  it('rejects malformed and oversized requests with a 400 error chunk', async () => {
    const { backend } = make();
    expect(await collect(backend.chat(request({ maxOutputTokens: 0 })))).toEqual([{ type: 'error', status: 400, message: expect.stringMatching(/maxOutputTokens/) }]);
    const huge = await collect(backend.chat(request({ promptTokens: backend.memory.kvCapacityTokens })));
    expect(huge).toEqual([{ type: 'error', status: 400, message: expect.stringMatching(/KV cache/) }]);
  });

  it('reports its load in the snapshot while requests run', async () => {
    const { backend } = make();
    const s = collect(backend.chat(request({ promptTokens: 2000 })));
    expect(backend.snapshot()).toEqual({ outstanding: 1, queuedPromptTokens: 2000 });
    await s;
    expect(backend.snapshot()).toEqual({ outstanding: 0, queuedPromptTokens: 0 });
  });

  it('ends open streams with 503 on close', async () => {
    const { backend } = make();
    const s = collect(backend.chat(request({ maxOutputTokens: 100 })));
    backend.close();
    expect((await s).at(-1)).toMatchObject({ type: 'error', status: 503 });
    expect(await backend.health()).toBe(false);
  });

  it('takes as many requests in flight as the engine runs sequences (x dp), unless told otherwise', () => {
    expect(make().backend.maxInFlight).toBe(1024); // vLLM's max_num_seqs
    expect(make({ engine: 'mindie' }).backend.maxInFlight).toBe(512);
    expect(make({ maxInFlight: 8 }).backend.maxInFlight).toBe(8);
    expect(() => make({ maxInFlight: 0 })).toThrow(/maxInFlight must be a positive integer/);
  });

  it('decodes faster per token with speculative decoding, and names the backend when the engine has none', () => {
    const plain = make().backend;
    const spec = make({ speculative: { draftTokens: 2, acceptanceRate: 0.8 } }).backend;
    expect(spec.deployment.speculative).toEqual({ draftTokens: 2, acceptanceRate: 0.8 });
    const batch = batchOf([], new Array<number>(4).fill(1024));
    expect(spec.stepModel.stepTimeMs(batch)).toBeLessThan(plain.stepModel.stepTimeMs(batch) / 1.5);
    expect(() => make({ engine: 'generic', speculative: { draftTokens: 1, acceptanceRate: 0.5 } })).toThrow(/backend emu-0.*no speculative decoding/);
  });

  it("sizes its KV cache with memoryUtilization, the engine's by default, and refuses a fraction outside (0, 1]", () => {
    const dflt = make().backend.memory;
    const high = make({ memoryUtilization: 0.95 }).backend.memory;
    expect(dflt.memoryUtilization).toBe(0.9);
    expect(high.memoryUtilization).toBe(0.95);
    const extra = (0.05 * high.deviceMemoryBytes) / high.kvBytesPerTokenPerDevice;
    expect(Math.abs(high.kvCapacityTokens - dflt.kvCapacityTokens - extra)).toBeLessThanOrEqual(1);
    for (const bad of [0, 1.5]) expect(() => make({ memoryUtilization: bad })).toThrow(/backend emu-0: memoryUtilization must be above 0 and at most 1/);
  });

  it('refuses a model that does not fit', () => {
    const big = resolveModel('meta-llama/Llama-3.1-70B').spec;
    expect(() => make({ model: big, precision: { weights: 'bf16' }, accelerator: getAccelerator('h20') })).toThrow(/does not fit/);
  });
});
