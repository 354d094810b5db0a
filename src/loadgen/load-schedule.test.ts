import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../core/errors.js';
import { parseServegenClient } from '../sim/workload/servegen.js';
import { SHAREGPT_LIKE_LENGTHS } from './load-lengths.js';
import { emptyPlannedRequest, poissonSchedule, servegenSchedule, type LoadSchedule, type PlannedRequest } from './load-schedule.js';

const caps = { maxPromptTokens: 4096, maxOutputTokens: 2048 };

function take(s: LoadSchedule, n: number): PlannedRequest[] {
  const out: PlannedRequest[] = [];
  const r = emptyPlannedRequest();
  for (let i = 0; i < n && s.next(r); i++) out.push({ ...r });
  return out;
}

const base = { rps: 100, seed: 7, tenantCount: 3, modelCount: 2, streamShare: 0.5, lengths: SHAREGPT_LIKE_LENGTHS, caps };

describe('poissonSchedule', () => {
  it('is the same for the same seed and differs for another', () => {
    expect(take(poissonSchedule(base), 500)).toEqual(take(poissonSchedule(base), 500));
    expect(take(poissonSchedule({ ...base, seed: 8 }), 50)).not.toEqual(take(poissonSchedule(base), 50));
  });

  it('keeps arrivals when only the mix changes (independent streams)', () => {
    const a = take(poissonSchedule(base), 300).map((r) => r.atMs);
    const b = take(poissonSchedule({ ...base, streamShare: 0.1, tenantCount: 5 }), 300).map((r) => r.atMs);
    expect(b).toEqual(a);
  });

  it('arrives at the asked rate, in order, over every tenant and model, with the stream share', () => {
    const n = 20_000;
    const rs = take(poissonSchedule(base), n);
    for (let i = 1; i < n; i++) expect(rs[i]!.atMs).toBeGreaterThanOrEqual(rs[i - 1]!.atMs);
    const rate = n / (rs[n - 1]!.atMs / 1000);
    expect(rate).toBeGreaterThan(97);
    expect(rate).toBeLessThan(103);
    expect(new Set(rs.map((r) => r.tenant))).toEqual(new Set([0, 1, 2]));
    expect(new Set(rs.map((r) => r.model))).toEqual(new Set([0, 1]));
    const streamed = rs.filter((r) => r.stream).length / n;
    expect(streamed).toBeGreaterThan(0.48);
    expect(streamed).toBeLessThan(0.52);
    const prompts = rs.map((r) => r.promptTokens).sort((x, y) => x - y);
    // Lognormal with median 128: the sample median is close to it, and the caps hold.
    expect(prompts[n / 2]).toBeGreaterThan(120);
    expect(prompts[n / 2]).toBeLessThan(136);
    expect(prompts[0]).toBeGreaterThanOrEqual(1);
    expect(prompts[n - 1]).toBeLessThanOrEqual(4096);
  });

  it('gives fixed lengths with sigma 0 and caps them', () => {
    const rs = take(poissonSchedule({ ...base, lengths: { kind: 'lognormal', medianPromptTokens: 5000, medianOutputTokens: 10, sigma: 0 } }), 10);
    expect(rs.every((r) => r.promptTokens === 4096 && r.outputTokens === 10)).toBe(true);
  });

  it('refuses a bad rate, share or tenant count', () => {
    expect(() => poissonSchedule({ ...base, rps: 0 })).toThrow(InvalidInputError);
    expect(() => poissonSchedule({ ...base, streamShare: 1.5 })).toThrow(/stream-share/);
    expect(() => poissonSchedule({ ...base, tenantCount: 0 })).toThrow(/tenant/);
    expect(() => poissonSchedule({ ...base, lengths: { kind: 'lognormal', medianPromptTokens: 0, medianOutputTokens: 1, sigma: 1 } })).toThrow(/prompt-tokens/);
  });
});

describe('servegenSchedule', () => {
  // Two clients: a busy one (10 rps in its first window, idle in its second) and a quiet one (1 rps throughout).
  const dataset = JSON.stringify({ '0': { input_tokens: '{100: 0.5, 300: 0.5}', output_tokens: '{20: 1.0}' } });
  const busy = parseServegenClient('0,10,1,Gamma,1,0.1\n600,0,0,,0,0\n', dataset, 'client-0', 'busy.csv');
  const quiet = parseServegenClient('0,1,1,Gamma,1,1\n600,1,1,Gamma,1,1\n', dataset, 'client-1', 'quiet.csv');
  const opts = { seed: 3, modelCount: 1, streamShare: 0, startSeconds: 0, rateScale: 1, caps };

  it('replays each client at its rate as its own tenant, window after window, deterministically', () => {
    const rs = take(servegenSchedule([busy, quiet], opts), 100_000);
    expect(take(servegenSchedule([busy, quiet], opts), 2000)).toEqual(rs.slice(0, 2000));
    const inFirst = rs.filter((r) => r.atMs < 600_000);
    const inSecond = rs.filter((r) => r.atMs >= 600_000 && r.atMs < 1_200_000);
    const busyFirst = inFirst.filter((r) => r.tenant === 0).length;
    expect(busyFirst).toBeGreaterThan(5700);
    expect(busyFirst).toBeLessThan(6300);
    expect(inSecond.filter((r) => r.tenant === 0)).toHaveLength(0);
    const quietSecond = inSecond.filter((r) => r.tenant === 1).length;
    expect(quietSecond).toBeGreaterThan(500);
    expect(quietSecond).toBeLessThan(700);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.atMs).toBeGreaterThanOrEqual(rs[i - 1]!.atMs);
    expect(new Set(rs.map((r) => r.promptTokens))).toEqual(new Set([100, 300]));
  });

  it('scales the rates and caps the lengths', () => {
    const rs = take(servegenSchedule([quiet], { ...opts, rateScale: 4, caps: { maxPromptTokens: 200, maxOutputTokens: 5 } }), 100_000).filter((r) => r.atMs < 600_000);
    expect(rs.length).toBeGreaterThan(2200);
    expect(rs.length).toBeLessThan(2600);
    expect(Math.max(...rs.map((r) => r.promptTokens))).toBe(200);
    expect(rs.every((r) => r.outputTokens === 5)).toBe(true);
  });

  it('refuses a profile where every client is idle', () => {
    const idle = parseServegenClient('0,0,0,,0,0\n', dataset, 'client-2', 'idle.csv');
    expect(() => servegenSchedule([idle], opts)).toThrow(/idle/);
  });
});
