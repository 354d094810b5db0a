import { describe, expect, it } from 'vitest';
import { ReplicaScheduler, newRequest, type ReplicaSchedulerConfig, type ScheduledRequest } from './replica-scheduler.js';

/** Drives a scheduler with a fixed 10 ms step until it drains; returns per-step facts for the invariants. */
function drain(config: ReplicaSchedulerConfig, reqs: ScheduledRequest[]) {
  const s = new ReplicaScheduler(config);
  for (const r of reqs) s.enqueue(r);
  let now = 0;
  const finished: ScheduledRequest[] = [];
  let maxKv = 0;
  let maxTokens = 0;
  let mixed = 0;
  let steps = 0;
  while (s.plan(now)) {
    steps++;
    maxKv = Math.max(maxKv, s.kvUsed);
    maxTokens = Math.max(maxTokens, s.shape.decodeSeqs + s.shape.prefillTokens);
    if (s.shape.decodeSeqs > 0 && s.shape.prefillTokens > 0) mixed++;
    now += 10;
    finished.push(...s.commit(now));
    if (steps > 100_000) throw new Error('does not drain');
  }
  return { finished, maxKv, maxTokens, mixed, steps, s };
}

const base: ReplicaSchedulerConfig = {
  batching: 'mixed-chunked',
  maxBatchedTokens: 512,
  maxRunningSequences: 8,
  kvCapacityTokens: 4096,
  kvBlockTokens: 16,
  dpRanks: 1,
};

function workload(n: number): ScheduledRequest[] {
  return Array.from({ length: n }, (_, i) => newRequest(i, 100 + ((i * 37) % 900), 1 + ((i * 13) % 60), 0));
}

describe.each(['mixed-chunked', 'prefill-first'] as const)('replica scheduler contract (%s)', (batching) => {
  const cfg = { ...base, batching };
  it('drains every request, each with all its tokens', () => {
    const { finished } = drain(cfg, workload(40));
    expect(finished).toHaveLength(40);
    for (const r of finished) {
      expect(r.status).toBe('finished');
      expect(r.firstTokenMs).toBeGreaterThan(0);
      expect(r.finishMs).toBeGreaterThanOrEqual(r.firstTokenMs);
    }
  });
  it('never exceeds the KV capacity, the token budget or the sequence cap', () => {
    const { maxKv, maxTokens } = drain(cfg, workload(40));
    expect(maxKv).toBeLessThanOrEqual(cfg.kvCapacityTokens);
    expect(maxTokens).toBeLessThanOrEqual(cfg.maxBatchedTokens);
  });
  it('admits a prompt only beside the whole prompts already admitted: no preemption when every admitted sequence fits', () => {
    // Room for four 1,024-token prompts and their 128 outputs (4,608 tokens); the budget would take eight prompts at once.
    const tight = { ...cfg, maxBatchedTokens: 8192, maxRunningSequences: 64, kvCapacityTokens: 4_929 };
    const s = new ReplicaScheduler(tight);
    for (let i = 0; i < 8; i++) s.enqueue(newRequest(i, 1024, 128, 0));
    expect(s.plan(0)).toBe(true);
    expect(s.shape.prefillSeqs).toBe(4);
    expect(s.waitingCount).toBe(4);
    const { finished, s: drained } = drain(tight, Array.from({ length: 16 }, (_, i) => newRequest(i, 1024, 128, 0)));
    expect(finished).toHaveLength(16);
    expect(drained.preemptions).toBe(0);
  });
  it('is deterministic', () => {
    const a = drain(cfg, workload(30)).finished.map((r) => [r.id, r.firstTokenMs, r.finishMs]);
    const b = drain(cfg, workload(30)).finished.map((r) => [r.id, r.firstTokenMs, r.finishMs]);
    expect(a).toEqual(b);
  });
  it('produces exactly outputTokens tokens: finish - first = (out - 1) decode steps when alone', () => {
    const r = newRequest(0, 100, 25, 0);
    drain(cfg, [r]);
    expect(r.firstTokenMs).toBe(10);
    expect(r.finishMs - r.firstTokenMs).toBe(24 * 10);
  });
});

describe('batching policies', () => {
  it('mixed-chunked mixes prefill chunks with decode; prefill-first never does', () => {
    expect(drain({ ...base, batching: 'mixed-chunked' }, workload(40)).mixed).toBeGreaterThan(0);
    expect(drain({ ...base, batching: 'prefill-first' }, workload(40)).mixed).toBe(0);
  });
  it('chunks a long prompt over several steps under the token budget', () => {
    const r = newRequest(0, 1500, 2, 0);
    drain(base, [r]);
    expect(r.firstTokenMs).toBe(30); // 512 + 512 + 476 tokens
  });
  it('queues requests whose prompt does not fit the KV cache until others finish', () => {
    const reqs = [newRequest(0, 2000, 10, 0), newRequest(1, 2000, 10, 0), newRequest(2, 2000, 10, 0)];
    drain(base, reqs);
    expect(reqs[2]!.admittedMs).toBeGreaterThanOrEqual(reqs[0]!.finishMs);
  });
  it('preempts the newest sequence when decoding outgrows the KV cache, and still completes every request', () => {
    const reqs = [newRequest(0, 1000, 1500, 0), newRequest(1, 1000, 1500, 0), newRequest(2, 1000, 1500, 0)];
    const { finished, maxKv, s } = drain({ ...base, kvCapacityTokens: 4000 }, reqs);
    expect(s.preemptions).toBeGreaterThan(0);
    expect(reqs[2]!.preemptions).toBeGreaterThan(0);
    expect(reqs[0]!.preemptions).toBe(0);
    expect(finished).toHaveLength(3);
    expect(maxKv).toBeLessThanOrEqual(4000);
    for (const r of reqs) expect(s.generatedTokens(r)).toBe(1500);
  });
  it('reserving whole sequences (GUARANTEED_NO_EVICT) queues what could outgrow the cache instead of preempting', () => {
    // Two lifetimes of 2,500 tokens fit 4,000 tokens of KV once at a time: the second waits for the first to finish.
    const reqs = [newRequest(0, 1000, 1500, 0), newRequest(1, 1000, 1500, 0), newRequest(2, 1000, 1500, 0)];
    const { finished, maxKv, s } = drain({ ...base, kvCapacityTokens: 4000, reserveWholeSequence: true }, reqs);
    expect(s.preemptions).toBe(0);
    expect(finished).toHaveLength(3);
    expect(maxKv).toBeLessThanOrEqual(4000);
    expect(reqs[1]!.admittedMs).toBeGreaterThanOrEqual(reqs[0]!.finishMs);
    expect(reqs[2]!.admittedMs).toBeGreaterThanOrEqual(reqs[1]!.finishMs);
    for (const r of reqs) expect(s.generatedTokens(r)).toBe(1500);
    // Lifetimes that fit together run together, as without the reservation.
    const small = [newRequest(0, 1000, 500, 0), newRequest(1, 1000, 500, 0)];
    drain({ ...base, kvCapacityTokens: 4000, reserveWholeSequence: true }, small);
    expect(small[1]!.admittedMs).toBeLessThan(small[0]!.finishMs);
  });
  it('a prefill-only replica releases requests after their first token', () => {
    const { finished } = drain({ ...base, prefillOnly: true }, workload(10));
    for (const r of finished) expect(r.finishMs).toBe(r.firstTokenMs);
  });
  it('requests with their KV already present go straight to decode', () => {
    const r = newRequest(0, 1000, 5, 0, 1000);
    r.producedAtJoin = 1; // the prefill worker produced the first token
    drain(base, [r]);
    expect(r.firstTokenMs).toBe(-1);
    expect(r.finishMs).toBe(40);
  });
});

describe('cancel', () => {
  it('takes out a queued, a prefilling and a decoding request, freeing their slots and KV; the rest still completes', () => {
    const s = new ReplicaScheduler({ ...base, maxBatchedTokens: 256, maxRunningSequences: 2 });
    const decoding = newRequest(0, 100, 50, 0);
    const prefilling = newRequest(1, 1000, 50, 0);
    const queued = newRequest(2, 300, 5, 0);
    const kept = newRequest(3, 200, 5, 0);
    for (const r of [decoding, prefilling, queued, kept]) s.enqueue(r);
    let now = 0;
    const step = () => {
      expect(s.plan(now)).toBe(true);
      now += 10;
      return s.commit(now);
    };
    step(); // request 0 prefilled (100 tokens), request 1 started (156 of 1000)
    expect(decoding.status).toBe('decoding');
    expect(prefilling.status).toBe('prefilling');
    expect(queued.status).toBe('waiting');
    const pendingBefore = s.pendingPrefillTokens;
    expect(s.cancel(queued)).toBe(true);
    expect(s.pendingPrefillTokens).toBe(pendingBefore - 300);
    expect(s.waitingCount).toBe(1);
    expect(s.cancel(prefilling)).toBe(true);
    expect(s.pendingPrefillTokens).toBe(200); // only `kept` is left to prefill
    expect(s.cancel(decoding)).toBe(true);
    expect(s.kvUsed).toBe(0);
    expect(s.runningCount).toBe(0);
    expect(s.outstanding).toBe(1);
    expect(s.cancel(decoding)).toBe(false); // twice is a no-op
    const finished: ScheduledRequest[] = [];
    while (s.plan(now)) {
      now += 10;
      finished.push(...s.commit(now));
    }
    expect(finished.map((r) => r.id)).toEqual([3]);
    expect(s.outstanding).toBe(0);
    expect(s.kvUsed).toBe(0);
    expect(s.pendingPrefillTokens).toBe(0);
  });

  it('does nothing to a finished request', () => {
    const { finished, s } = drain(base, [newRequest(0, 10, 2, 0)]);
    expect(s.cancel(finished[0]!)).toBe(false);
    expect(s.outstanding).toBe(0);
  });
});


describe('attention-DP context wait (contextWaitSteps)', () => {
  const dpCfg: ReplicaSchedulerConfig = { ...base, maxBatchedTokens: 4096, maxRunningSequences: 64, kvCapacityTokens: 1 << 20, dpRanks: 4, contextWaitSteps: 5 };

  /** One long decode keeps the engine busy; then `late` requests arrive at once; returns the step each late one started its prompt. */
  function startSteps(cfg: ReplicaSchedulerConfig, late: number, jump: boolean): number[] {
    const s = new ReplicaScheduler(cfg);
    s.enqueue(newRequest(0, 10, 200, 0));
    let now = 0;
    let step = 0;
    let jumping = false; // the late requests arrive after step 2 (a run must not jump past their arrival)
    const run = (): void => {
      if (!s.plan(now)) throw new Error('idle');
      const n = jump && jumping ? s.decodeRunLength() : 1;
      now += 10 * n;
      step += n;
      s.commitDecodeRun(n, now);
    };
    run(); // the first request's prompt
    run();
    const reqs = Array.from({ length: late }, (_, i) => newRequest(1 + i, 50, 5, now));
    for (const r of reqs) s.enqueue(r);
    jumping = true;
    const started = new Map<number, number>();
    while (started.size < late) {
      const before = reqs.filter((r) => r.admittedMs >= 0).length;
      run();
      for (const r of reqs) if (r.admittedMs >= 0 && !started.has(r.id)) started.set(r.id, step);
      if (step > 1000 || (before === late && started.size < late)) throw new Error('never started');
    }
    return reqs.map((r) => started.get(r.id)! - 2);
  }

  it('holds a lone prompt back while the engine is busy, then starts it', () => {
    // Queued after step 2; it waits 5 steps and runs in the 6th.
    expect(startSteps(dpCfg, 1, false)).toEqual([6]);
  });

  it('starts prompts at once when every rank has one', () => {
    expect(startSteps(dpCfg, 4, false)).toEqual([1, 1, 1, 1]);
  });

  it('without attention DP, or without the setting, never holds a prompt back', () => {
    expect(startSteps({ ...dpCfg, dpRanks: 1 }, 1, false)).toEqual([1]);
    expect(startSteps({ ...dpCfg, contextWaitSteps: 0 }, 1, false)).toEqual([1]);
  });

  it('a jump over identical decode steps stops where the held prompt may start', () => {
    expect(startSteps(dpCfg, 1, true)).toEqual(startSteps(dpCfg, 1, false));
  });

  it('starts a prompt on an idle engine at once', () => {
    const s = new ReplicaScheduler(dpCfg);
    const r = newRequest(0, 50, 5, 0);
    s.enqueue(r);
    expect(s.plan(0)).toBe(true);
    expect(r.admittedMs).toBe(0);
  });
});
