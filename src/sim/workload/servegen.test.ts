import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { tableMean } from './probability-table.js';
import { parseServegenClient, servegenWorkload, type ServegenClient } from './servegen.js';
import { loadServegenDir } from './servegen-files.js';
import type { Workload } from './workload.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces/servegen');
const SERVEGEN = resolve(process.cwd(), '../shared/data/traces/servegen-deepseek-r1');

function fixtureClient(n: number, name = `client-${n}`): ServegenClient {
  const trace = readFileSync(resolve(FIXTURES, `chunk-${n}-trace.csv`), 'utf8');
  const dataset = readFileSync(resolve(FIXTURES, `chunk-${n}-dataset.json`), 'utf8');
  return parseServegenClient(trace, dataset, name, `chunk-${n}-trace.csv`);
}

function countsByTenant(w: Workload): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < w.count; i++) {
    const name = w.tenantNames[w.tenant[i]!]!;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

function requestsOf(w: Workload, tenant: string): [number, number, number][] {
  const k = w.tenantNames.indexOf(tenant);
  const out: [number, number, number][] = [];
  for (let i = 0; i < w.count; i++) if (w.tenant[i] === k) out.push([w.arrivalMs[i]!, w.promptTokens[i]!, w.outputTokens[i]!]);
  return out;
}

describe('parseServegenClient', () => {
  it('reads windows and length tables', () => {
    const c = fixtureClient(7);
    expect(c.windowSeconds).toBe(600);
    expect(c.windows.map((w) => w.distribution)).toEqual([null, 'gamma', 'gamma', 'weibull', null, 'gamma']);
    expect(c.windows[1]).toMatchObject({ startSeconds: 600, rateRps: 2, cv: 1, shape: 1, scale: 0.5 });
    expect(c.lengthTables.map((t) => t.startSeconds)).toEqual([0, 1800]);
    expect(tableMean(c.lengthTables[0]!.inputTokens)).toBeCloseTo(175);
    expect(tableMean(c.lengthTables[0]!.reasonRatio)).toBeCloseTo(0.7);
  });

  it('says which row or table is wrong', () => {
    const dataset = readFileSync(resolve(FIXTURES, 'chunk-7-dataset.json'), 'utf8');
    const parse = (trace: string, ds = dataset): ServegenClient => parseServegenClient(trace, ds, 'c', 'chunk-7-trace.csv');
    expect(() => parse('0,0,0,,0,0\n600,1,1,Poisson,1,1\n')).toThrow('chunk-7-trace.csv:2: expected distribution Gamma or Weibull for an active window, got "Poisson"');
    expect(() => parse('0,0,0,,0,0\n600,1,1,Gamma,0,1\n')).toThrow('chunk-7-trace.csv:2: expected a positive shape');
    expect(() => parse('0,0,0,,0\n')).toThrow('chunk-7-trace.csv:1: expected 6 fields');
    expect(() => parse('0,-1,0,,0,0\n')).toThrow(/rate_rps >= 0/);
    expect(() => parse('600,0,0,,0,0\n0,0,0,,0,0\n')).toThrow(/increasing/);
    expect(() => parse('0,0,0,,0,0\n600,0,0,,0,0\n1500,0,0,,0,0\n')).toThrow(/every 600 s/);
    expect(() => parse('0,1,1,Gamma,1,1\n', '{"0": {"input_tokens": "{1: 1}", "output_tokens": "{}"}}')).toThrow(
      'chunk-7-dataset.json: expected input_tokens and output_tokens tables for the active window at 0 s',
    );
    expect(() => parse('0,1,1,Gamma,1,1\n', '{"0": {"input_tokens": "{1: x}", "output_tokens": "{1: 1}"}}')).toThrow(
      'chunk-7-dataset.json (window "0", input_tokens): expected number: probability entries',
    );
    expect(() => parse('0,1,1,Gamma,1,1\n', '{"0": ')).toThrow(InvalidInputError);
  });
});

describe('servegenWorkload', () => {
  const client = fixtureClient(7);
  const other = fixtureClient(12);

  it('draws arrivals only in active windows, lengths from the tables in effect', () => {
    const w = servegenWorkload([client], { startSeconds: 0, durationSeconds: 3600, seed: 1 });
    expect(w.tenantNames).toEqual(['client-7']);
    for (let i = 0; i < w.count; i++) {
      const t = w.arrivalMs[i]! / 1000;
      expect(t < 600 || (t >= 2400 && t < 3000)).toBe(false);
      if (t < 1800) {
        expect([100, 200, 300]).toContain(w.promptTokens[i]);
        expect(w.outputTokens[i]).toBe(1500);
      } else {
        expect(w.promptTokens[i]).toBe(4000);
        expect([50, 60]).toContain(w.outputTokens[i]);
      }
    }
    // Expected 600 × (2 + 1 + 0.5 + 4) = 4,500 requests.
    expect(Math.abs(w.count / 4500 - 1)).toBeLessThan(0.1);
  });

  it('is deterministic per seed, and a client draws the same requests whoever else is there', () => {
    const opts = { startSeconds: 0, durationSeconds: 3600, seed: 5 };
    const a = servegenWorkload([client], opts);
    expect(servegenWorkload([client], opts)).toEqual(a);
    expect(servegenWorkload([client], { ...opts, seed: 6 }).arrivalMs).not.toEqual(a.arrivalMs);
    const both = servegenWorkload([client, other], opts);
    expect(both.tenantNames).toEqual(['client-7', 'client-12']);
    expect(requestsOf(both, 'client-7')).toEqual(requestsOf(a, 'client-7'));
    for (let i = 1; i < both.count; i++) expect(both.arrivalMs[i]!).toBeGreaterThanOrEqual(both.arrivalMs[i - 1]!);
  });

  it('scales rates, keeps the busiest clients, and wraps past the end of the day', () => {
    const opts = { startSeconds: 600, durationSeconds: 600, seed: 2 };
    const base = servegenWorkload([client], opts).count;
    expect(Math.abs(servegenWorkload([client], { ...opts, rateScale: 3 }).count / (3 * base) - 1)).toBeLessThan(0.15);
    // client-12 runs at 1 req/s from 600 s, client-7 at 2 req/s: the busier stays.
    expect(servegenWorkload([other, client], { ...opts, maxClients: 1 }).tenantNames).toEqual(['client-7']);
    // [3300, 3600) is window 5 (4 req/s); [3600, 4200) wraps to window 0, idle.
    const wrapped = servegenWorkload([client], { startSeconds: 3300, durationSeconds: 900, seed: 2 });
    expect(wrapped.count).toBeGreaterThan(900);
    expect(wrapped.arrivalMs[wrapped.count - 1]!).toBeLessThan(300_000);
    const later = servegenWorkload([client], { startSeconds: 3600 + 600, durationSeconds: 600, seed: 2 });
    expect(Math.abs(later.count / 1200 - 1)).toBeLessThan(0.15);
    expect(() => servegenWorkload([client], { startSeconds: 0, durationSeconds: 0, seed: 1 })).toThrow(InvalidInputError);
  });

  describe.skipIf(!existsSync(SERVEGEN))('on the DeepSeek-R1 profiles', () => {
    const clients = loadServegenDir(SERVEGEN, { clients: [15, 18, 30, 48] });
    const start = 50_400;
    const w = servegenWorkload(clients, { startSeconds: start, durationSeconds: 3600, seed: 1 });

    it('gives each client about the rate of its file over an hour', () => {
      const counts = countsByTenant(w);
      expect(Object.keys(counts).sort()).toEqual(['client-15', 'client-18', 'client-30', 'client-48']);
      for (const c of clients) {
        const expected = c.windows.filter((x) => x.startSeconds >= start && x.startSeconds < start + 3600).reduce((s, x) => s + x.rateRps * 600, 0);
        expect(Math.abs(counts[c.name]! / expected - 1), c.name).toBeLessThan(0.1);
      }
    });

    it('draws lengths with the means of the tables', () => {
      const c48 = clients.find((c) => c.name === 'client-48')!;
      const tables = c48.lengthTables.filter((t) => t.startSeconds <= start).at(-1)!;
      const reqs = requestsOf(w, 'client-48');
      const meanPrompt = reqs.reduce((s, r) => s + r[1], 0) / reqs.length;
      const meanOutput = reqs.reduce((s, r) => s + r[2], 0) / reqs.length;
      expect(Math.abs(meanPrompt / tableMean(tables.inputTokens) - 1)).toBeLessThan(0.05);
      expect(Math.abs(meanOutput / tableMean(tables.outputTokens) - 1)).toBeLessThan(0.05);
    });
  });
});
