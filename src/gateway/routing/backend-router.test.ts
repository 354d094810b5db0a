import { describe, expect, it } from 'vitest';
import { resolveModel } from '../../config/model-registry.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { ROUTER_NAMES } from '../../sim/routers/index.js';
import type { Backend, BackendChunk, BackendSnapshot } from '../backends/backend.js';
import { createEmulatedBackend } from '../backends/emulated-backend.js';
import { FakeClock } from '../backends/fake-clock.js';
import { createBackendRouter, loadBasedCompletionMs, type BackendGate } from './backend-router.js';
import { CircuitBreaker } from './circuit-breaker.js';
import { createRng } from '../../sim/workload/rng.js';

/** A backend whose load and health the test sets; it never serves. */
function stub(id: string, pool: string, load: Partial<BackendSnapshot> & { kvUsedFraction?: number } = {}) {
  const state = { outstanding: 0, queuedPromptTokens: 0, healthy: true as boolean | 'throws', ...load };
  const backend: Backend = {
    id,
    pool,
    model: 'm',
    chat: (): AsyncIterable<BackendChunk> => ({ [Symbol.asyncIterator]: () => ({ next: () => Promise.resolve({ done: true, value: undefined }) }) }),
    health: () => (state.healthy === 'throws' ? Promise.reject(new Error('connection refused')) : Promise.resolve(state.healthy)),
    snapshot: () => ({ outstanding: state.outstanding, queuedPromptTokens: state.queuedPromptTokens, ...(load.kvUsedFraction !== undefined && { kvUsedFraction: load.kvUsedFraction }) }),
  };
  return { backend, state };
}

/** A seeded uniform stream (mulberry32). */
/** A seeded uniform [0, 1) generator: the project's named streams. */
function seeded(seed: number): () => number {
  const stream = createRng(seed).stream('test');
  return () => stream.next();
}

const req = (over: Partial<{ id: string; promptTokens: number; outputTokens: number; tenant: string }> = {}) => ({
  id: 'r1', promptTokens: 500, outputTokens: 100, tenant: 'acme', ...over,
});

describe('backend router', () => {
  it('runs every simulator policy, never picking an unhealthy or excluded backend', async () => {
    for (const name of ROUTER_NAMES) {
      const a = stub('a', 'p1', { outstanding: 0 });
      const b = stub('b', 'p1', { outstanding: 3 });
      const c = stub('c', 'p2', { outstanding: 1 });
      c.state.healthy = false;
      const router = createBackendRouter(name, [a.backend, b.backend, c.backend], { random: seeded(1) });
      expect(router.name).toBe(name);
      await router.checkHealth();
      for (let i = 0; i < 20; i++) {
        const picked = router.pick(req({ id: `r${i}` }), new Set(['a']));
        expect(picked?.id, name).toBe('b');
      }
      expect(router.pick(req(), new Set(['a', 'b'])), name).toBeUndefined();
    }
  });

  it('reads the load from the snapshot at each pick (least-outstanding, least-kv)', () => {
    const a = stub('a', 'p1', { outstanding: 2, queuedPromptTokens: 100 });
    const b = stub('b', 'p1', { outstanding: 2, queuedPromptTokens: 50 });
    const router = createBackendRouter('least-outstanding', [a.backend, b.backend], { random: seeded(1) });
    expect(router.pick(req())?.id).toBe('b'); // tie on outstanding: fewer queued prompt tokens
    b.state.outstanding = 5;
    expect(router.pick(req())?.id).toBe('a');

    const full = stub('full', 'p', { kvUsedFraction: 0.9 });
    const empty = stub('empty', 'p', { outstanding: 4, kvUsedFraction: 0.1 });
    const unknown = stub('unknown', 'p', { outstanding: 9 });
    const kv = createBackendRouter('least-kv', [full.backend, empty.backend, unknown.backend], { random: seeded(1) });
    expect(kv.pick(req())?.id).toBe('unknown'); // unknown KV reads as 0
    expect(kv.pick(req(), new Set(['unknown']))?.id).toBe('empty');
  });

  it('cycles round-robin over the available backends', () => {
    const bs = ['a', 'b', 'c'].map((id) => stub(id, 'p').backend);
    const router = createBackendRouter('round-robin', bs, { random: seeded(1) });
    expect([1, 2, 3, 4, 5, 6].map(() => router.pick(req())?.id)).toEqual(['a', 'b', 'c', 'a', 'b', 'c']);
  });

  it('is deterministic per random stream (power-of-two) and hashes string ids', () => {
    const make = () => createBackendRouter('power-of-two', ['a', 'b', 'c', 'd'].map((id) => stub(id, 'p').backend), { random: seeded(7) });
    const r1 = make();
    const r2 = make();
    const seq1 = Array.from({ length: 30 }, (_, i) => r1.pick(req({ id: `x${i}` }))?.id);
    const seq2 = Array.from({ length: 30 }, (_, i) => r2.pick(req({ id: `x${i}` }))?.id);
    expect(seq1).toEqual(seq2);
    expect(new Set(seq1).size).toBeGreaterThan(1);
  });

  it('uses an injected prediction for perf-aware', () => {
    const a = stub('a', 'p1');
    const b = stub('b', 'p2', { outstanding: 10 });
    const router = createBackendRouter('perf-aware', [a.backend, b.backend], {
      random: seeded(1),
      predictCompletionMs: (backend, p, o) => (backend.id === 'b' ? 1 : p + o),
    });
    expect(router.pick(req())?.id).toBe('b');
  });

  it('predicts from the load, scaled by weight, for backends of unknown speed', () => {
    const idle = loadBasedCompletionMs({ outstanding: 0, queuedPromptTokens: 0 }, 1000, 100);
    const busy = loadBasedCompletionMs({ outstanding: 10, queuedPromptTokens: 5000 }, 1000, 100);
    expect(busy).toBeGreaterThan(idle);
    expect(loadBasedCompletionMs({ outstanding: 10, queuedPromptTokens: 5000 }, 1000, 100, 2)).toBeCloseTo(busy / 2);
    const a = stub('a', 'p', { outstanding: 4 });
    const b = stub('b', 'p', { outstanding: 6 });
    const weighted = createBackendRouter('perf-aware', [a.backend, b.backend], { random: seeded(1), weightOf: (x) => (x.id === 'b' ? 4 : 1) });
    expect(weighted.pick(req())?.id).toBe('b');
  });

  it("predicts an emulated backend's completion with its step model: an idle H200 beats an idle H20", () => {
    const model = resolveModel('meta-llama/Llama-3.1-8B').spec;
    const clock = new FakeClock();
    const mk = (id: string, acc: string) =>
      createEmulatedBackend({ id, pool: id, model, accelerator: getAccelerator(acc), engine: 'vllm', parallel: { tp: 1 }, clock });
    const h20 = mk('h20', 'h20');
    const h200 = mk('h200', 'h200-sxm');
    const router = createBackendRouter('perf-aware', [h20, h200], { random: seeded(1) });
    expect(router.pick(req({ promptTokens: 2000, outputTokens: 200 }))?.id).toBe('h200');
    h20.close();
    h200.close();
  });

  it('tracks health from checks, failures and a throwing check', async () => {
    const a = stub('a', 'p');
    const b = stub('b', 'p', { outstanding: 1 });
    const router = createBackendRouter('least-outstanding', [a.backend, b.backend], { random: seeded(1) });
    router.setHealthy('a', false);
    expect(router.isHealthy('a')).toBe(false);
    expect(router.pick(req())?.id).toBe('b');
    await router.checkHealth();
    expect(router.pick(req())?.id).toBe('a');
    a.state.healthy = 'throws';
    await router.checkHealth();
    expect(router.isHealthy('a')).toBe(false);
    expect(router.pick(req())?.id).toBe('b');
  });

  it('skips backends the circuit breaker refuses and reports the pick to it', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, coolDownMs: 1000, clock: { now: () => now } });
    const begun: string[] = [];
    const gate: BackendGate = { allows: (id) => breaker.allows(id), begin: (id) => (begun.push(id), breaker.begin(id)) };
    const a = stub('a', 'p');
    const b = stub('b', 'p', { outstanding: 5 });
    const router = createBackendRouter('least-outstanding', [a.backend, b.backend], { random: seeded(1), gate });
    breaker.recordFailure('a');
    expect(router.pick(req())?.id).toBe('b');
    now = 1000; // half-open: one probe goes to a
    expect(router.pick(req())?.id).toBe('a');
    expect(router.pick(req())?.id).toBe('b'); // the probe is in flight
    breaker.recordSuccess('a');
    expect(router.pick(req())?.id).toBe('a');
    expect(begun).toEqual(['b', 'a', 'b', 'a']);
  });

  it('rejects an unknown policy, listing the valid ones', () => {
    expect(() => createBackendRouter('fastest', [], { random: seeded(1) })).toThrow(/unknown router 'fastest'; valid routers: round-robin/);
  });
});
