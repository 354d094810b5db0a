/**
 * @module End-to-end tests of `tokenfleet plan` through the built CLI: the
 * small example scenario with a variant, the JSON contract, the offline HTML
 * report, the configuration cache, and errors with the path in the YAML.
 * Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });

interface PlanJson {
  status: string;
  objective: number;
  objectiveKind: string;
  periods: { period: string; purchases: Record<string, Record<string, number>>; capexUsd: number; demandTokensPerSecond: number; servedTokensPerSecond: number; unmetTokensPerSecond: number }[];
  binding: { constraint: string; shadowPrice: number }[];
  configs: { workload: string; accelerator: string; tokensPerSecondPerAccelerator: number; reason?: string }[];
  variants: { name: string; status: string }[];
  configSearch: { cacheHits: number };
}

describe('tokenfleet plan', () => {
  it('plans the small example with its variant, writes an offline report and reuses the configuration cache', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-plan-'));
    const cache = join(dir, 'cache.json');
    const report = join(dir, 'plan.html');
    const r = cli('plan', 'scenarios/plan-small.yaml', '--all-variants', '--json', '--cache', cache, '--report', report);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as PlanJson;
    expect(j.status).toBe('optimal');
    expect(j.periods.length).toBeGreaterThan(0);
    for (const p of j.periods) {
      expect(p.servedTokensPerSecond + p.unmetTokensPerSecond).toBeCloseTo(p.demandTokensPerSecond, 0);
    }
    expect(j.configs.some((c) => c.tokensPerSecondPerAccelerator > 0)).toBe(true);
    expect(j.variants.length).toBeGreaterThan(0);
    expect(j.variants.every((v) => v.status === 'optimal' || v.status === 'time-limit')).toBe(true);
    const html = readFileSync(report, 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).not.toMatch(/<script[^>]+src=["']https?:/i);
    expect(existsSync(cache)).toBe(true);
    const again = JSON.parse(cli('plan', 'scenarios/plan-small.yaml', '--json', '--cache', cache).stdout) as PlanJson;
    expect(again.configSearch.cacheHits).toBe(j.configs.length);
    expect(again.objective).toBeCloseTo(j.objective, 0);
    expect(j.objectiveKind).toBe('min-cost');
  });

  it("sizes the configuration search's layouts with the scenario's memoryUtilization", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-plan-'));
    const file = join(dir, 'util.yaml');
    const text = readFileSync(join(ROOT, 'scenarios', 'plan-small.yaml'), 'utf8');
    const plan = (extra: string) => {
      writeFileSync(file, text + extra);
      const r = cli('plan', file, '--json', '--cache', join(dir, 'cache.json'));
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as PlanJson;
    };
    const dflt = plan('');
    // A third of each chip's memory: smaller KV caches, so fewer tokens/s per chip where anything fits at all.
    const low = plan('\nmemoryUtilization: 0.33\n');
    expect(low.configSearch.cacheHits).toBe(0);
    const total = (j: PlanJson) => j.configs.reduce((s, c) => s + c.tokensPerSecondPerAccelerator, 0);
    expect(total(low)).toBeLessThan(total(dflt));
  });

  it("searches a workload with its speculative decoding (the shipped example line), and gives an engine without it no capacity", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-plan-'));
    const file = join(dir, 'spec.yaml');
    const text = readFileSync(join(ROOT, 'scenarios', 'plan-small.yaml'), 'utf8');
    const example = /^( {4})# (speculative: \{[^}]*\})/m;
    expect(text).toMatch(example);
    const withSpec = text.replace(example, '$1$2');
    const run = (yaml: string) => {
      writeFileSync(file, yaml);
      return cli('plan', file, '--json', '--cache', join(dir, 'cache.json'));
    };
    const plan = (yaml: string) => {
      const r = run(yaml);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return JSON.parse(r.stdout) as PlanJson;
    };
    const dflt = plan(text);
    // The small class's decode steps are bound by reading the weights: a drafted token raises tokens/s per chip at the same TPOT target.
    const spec = plan(withSpec);
    expect(spec.configSearch.cacheHits).toBe(0);
    const total = (j: PlanJson) => j.configs.reduce((s, c) => s + c.tokensPerSecondPerAccelerator, 0);
    expect(total(spec)).toBeGreaterThan(total(dflt));
    expect(plan(withSpec).configSearch.cacheHits).toBe(spec.configs.length);

    // The H200 on the generic engine: the plan still solves, without the H200 for this class, and says why.
    const generic = plan(withSpec.replace(/^( {4})(availableFrom: 2026Q1)/m, '$1engine: generic\n$1$2'));
    const h200 = generic.configs.find((c) => c.accelerator === 'h200-sxm')!;
    expect(h200.tokensPerSecondPerAccelerator).toBe(0);
    expect(h200.reason).toMatch(/^engine generic has no speculative decoding, which workload chat is served with; give the h200-sxm offer an engine that has it \(vllm, /);
    expect(generic.configs.filter((c) => c.accelerator !== 'h200-sxm').every((c) => c.tokensPerSecondPerAccelerator > 0)).toBe(true);
    expect(generic.status).toBe('optimal');

    const bad = run(text.replace(example, '$1speculative: { draftTokens: 1, acceptanceRate: 1 }'));
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/workloads\[0\]\.speculative\.acceptanceRate: expected a probability of at least 0 and below 1/);
  });

  it('reports scenario errors with the path in the YAML and exit code 2', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-plan-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, readFileSync(join(ROOT, 'scenarios', 'plan-small.yaml'), 'utf8').replace(/powerMw: *[0-9.]+/, 'powerMw: 0'));
    const r = cli('plan', bad, '--cache', join(dir, 'c.json'));
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/sites\[0\]\.powerMw/);
    expect(r.stderr).not.toContain('    at ');
    const missing = cli('plan', join(dir, 'nope.yaml'));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read: ENOENT/);
  });
});
