/**
 * @module End-to-end tests of `tokenfleet simulate` through the built CLI:
 * flag mode on the shared traces, scenario files (mixed and disaggregated
 * pools), output files, and bad input (malformed traces, bad scenarios).
 * Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const CONV = join(ROOT, '..', 'shared', 'data', 'traces', 'azure-2023', 'AzureLLMInferenceTrace_conv.csv');
const MOONCAKE = join(ROOT, '..', 'shared', 'data', 'traces', 'mooncake', 'synthetic_trace.jsonl');

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw r.error;
  return r;
}

interface SimJson {
  requests: number;
  completed: number;
  ttftMs: { mean: number; p50: number; p90: number; p99: number };
  tpotMs: { mean: number };
  throughput: { inputTokensPerSecond: number; outputTokensPerSecond: number; requestsPerSecond: number };
  sloAttainment: number | null;
  prefixHitRate: number | null;
  preemptions: number;
  pools: { name: string; completed: number }[];
  tenants: { name: string; completed: number }[];
  simulatedSeconds: number;
  wallSeconds: number;
}

describe('tokenfleet simulate', () => {
  it('replays the Azure conversation trace and reports the documented JSON', () => {
    const r = cli('simulate', '--trace', CONV, '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--replicas', '2', '--max-requests', '3000', '--slo-ttft-ms', '500', '--slo-tpot-ms', '50', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as SimJson;
    expect(j.requests).toBe(3000);
    expect(j.completed).toBe(3000);
    for (const k of ['mean', 'p50', 'p90', 'p99'] as const) expect(j.ttftMs[k]).toBeGreaterThan(0);
    expect(j.ttftMs.p50).toBeLessThanOrEqual(j.ttftMs.p99);
    expect(j.throughput.outputTokensPerSecond).toBeGreaterThan(0);
    expect(j.sloAttainment).toBeGreaterThan(0);
    expect(j.sloAttainment).toBeLessThanOrEqual(1);
    expect(j.pools).toHaveLength(1);
    expect(j.simulatedSeconds).toBeGreaterThan(0);
  });

  it('is deterministic for a seed (apart from the wall time)', () => {
    const args = ['simulate', '--rate', '20', '--isl', '1000', '--osl', '100', '--requests', '2000', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--replicas', '3', '--router', 'power-of-two', '--seed', '5', '--json'];
    const strip = (s: string) => ({ ...(JSON.parse(s) as SimJson), wallSeconds: 0 });
    expect(strip(cli(...args).stdout)).toEqual(strip(cli(...args).stdout));
  });

  it('uses the prefix cache on the Mooncake trace and writes the timeline and per-request CSVs', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const r = cli('simulate', '--trace', MOONCAKE, '--skip-invalid', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h200-sxm', '--replicas', '2', '--prefix-cache', '--router', 'prefix-affinity', '--timeline', join(dir, 't.csv'), '--requests-csv', join(dir, 'r.csv'), '--json');
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout) as SimJson & { skipped: number };
    expect(j.skipped).toBeGreaterThan(0);
    expect(j.prefixHitRate).toBeGreaterThan(0.2);
    const requests = readFileSync(join(dir, 'r.csv'), 'utf8').trim().split('\n');
    expect(requests[0]).toMatch(/^id,pool,tenant,arrival_ms/);
    expect(requests).toHaveLength(j.completed + 1);
    expect(readFileSync(join(dir, 't.csv'), 'utf8')).toMatch(/^interval_start_s,pool,/);
  });

  it('runs the shipped scenario files: mixed accelerators and disaggregation', () => {
    const mixed = JSON.parse(cli('simulate', 'scenarios/simulate-mixed-fleet.yaml', '--json').stdout) as SimJson;
    expect(mixed.pools.map((p) => p.name)).toEqual(['h200', 'h20', 'ascend-910c']);
    expect(mixed.completed).toBe(mixed.requests);
    const disagg = cli('simulate', 'scenarios/simulate-disagg.yaml');
    expect(disagg.status).toBe(0);
    expect(disagg.stdout).toMatch(/prefill-h200/);
    expect(disagg.stdout).toMatch(/prefix cache/);
  });

  it('reports a malformed trace row with its line number, and skips it with --skip-invalid', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const trace = join(dir, 'bad.csv');
    writeFileSync(trace, 'TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:15:46.6805900,100,10\n2023-11-16 18:15:47.0000000,-5,10\n2023-11-16 18:15:48.0000000,100,10\n');
    const r = cli('simulate', '--trace', trace, '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/bad\.csv:3/);
    expect(r.stderr).not.toContain('    at ');
    const skipped = cli('simulate', '--trace', trace, '--skip-invalid', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--json');
    expect(skipped.status).toBe(0);
    expect((JSON.parse(skipped.stdout) as { skipped: number; completed: number }).completed).toBe(2);
  });

  it('reports a bad scenario with the path in the file, and a pool that does not fit with its numbers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'workload: { synthetic: { rate: 5, isl: 100, osl: 10 } }\npools:\n  - { name: a, model: meta-llama/Llama-3.1-8B, accelerator: h20, tp: 0 }\n');
    const r = cli('simulate', bad);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/pools\[0\]\.tp/);
    const big = join(dir, 'big.yaml');
    writeFileSync(big, 'workload: { synthetic: { rate: 5, isl: 100, osl: 10, requests: 10 } }\npools:\n  - { name: small, model: meta-llama/Llama-3.1-70B, accelerator: h20, precision: bf16 }\n');
    const r2 = cli('simulate', big);
    expect(r2.status).toBe(2);
    expect(r2.stderr).toMatch(/pools\[0\] \(small\).*does not fit.*GB/);
    expect(r2.stderr).not.toContain('    at ');
  });

  it('takes the token budget per iteration from --max-batched-tokens, or maxBatchedTokens per pool in a scenario file', () => {
    const flags = ['simulate', '--rate', '0.5', '--isl', '4000', '--osl', '50', '--requests', '40', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--json'];
    const ttft = (r: ReturnType<typeof cli>) => {
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      return (JSON.parse(r.stdout) as SimJson & { ttftMs: { mean: number } }).ttftMs.mean;
    };
    const engineDefault = ttft(cli(...flags));
    // 4k prompts in chunks of 256 tokens: 16 iterations each, each with its fixed costs and the decodes beside it.
    const small = ttft(cli(...flags, '--max-batched-tokens', '256'));
    expect(small).toBeGreaterThan(1.2 * engineDefault);
    const bad = cli(...flags, '--max-batched-tokens', '0');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/--max-batched-tokens/);
    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const file = join(dir, 'budget.yaml');
    writeFileSync(file, 'workload: { synthetic: { rate: 0.5, isl: 4000, osl: 50, requests: 40 } }\npools:\n  - { name: p, model: meta-llama/Llama-3.1-8B, accelerator: h20, maxBatchedTokens: 256 }\n');
    expect(ttft(cli('simulate', file, '--json'))).toBeCloseTo(small, 6);
    const both = cli('simulate', file, '--max-batched-tokens', '256');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--max-batched-tokens.*per pool/);
  });

  it('sizes the replicas with --memory-utilization, or memoryUtilization per pool in a scenario file', () => {
    const flags = ['simulate', '--rate', '2', '--isl', '2000', '--osl', '100', '--requests', '20', '--model', 'deepseek-ai/DeepSeek-R1', '--accelerator', 'h20', '--tp', '8'];
    // DeepSeek-R1 fp8 does not fit 8 x H20 at vLLM's 0.9; it does at 0.95.
    const dflt = cli(...flags, '--json');
    expect(dflt.status).toBe(2);
    expect(dflt.stderr).toMatch(/does not fit.*x 0\.9\)/);
    const r = cli(...flags, '--memory-utilization', '0.95', '--json');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect((JSON.parse(r.stdout) as SimJson).completed).toBe(20);
    const bad = cli(...flags, '--memory-utilization', '1.5');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^error: --memory-utilization: .*'1\.5'/);

    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const file = join(dir, 'r1.yaml');
    const scenario = (extra: string) =>
      `workload: { synthetic: { rate: 2, isl: 2000, osl: 100, requests: 20 } }\npools:\n  - { name: r1, model: deepseek-ai/DeepSeek-R1, accelerator: h20, tp: 8${extra} }\n`;
    writeFileSync(file, scenario(', memoryUtilization: 0.95'));
    const sc = cli('simulate', file, '--json');
    expect(sc.stderr).toBe('');
    expect(sc.status).toBe(0);
    // The flag belongs to the single-pool form; a scenario sets it per pool.
    const both = cli('simulate', file, '--memory-utilization', '0.95');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--memory-utilization.*per pool/);
    writeFileSync(file, scenario(', memoryUtilization: 1.5'));
    const out = cli('simulate', file);
    expect(out.status).toBe(2);
    expect(out.stderr).toMatch(/pools\[0\]\.memoryUtilization/);
  });

  it('decodes faster with speculative decoding, from the flags or per pool in a scenario file', () => {
    const flags = ['simulate', '--rate', '1', '--isl', '1000', '--osl', '200', '--requests', '20', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--json'];
    const plain = JSON.parse(cli(...flags).stdout) as SimJson;
    const r = cli(...flags, '--speculative-tokens', '2', '--acceptance-rate', '0.8');
    expect(r.stderr).toBe('');
    const spec = JSON.parse(r.stdout) as SimJson;
    expect(spec.completed).toBe(20);
    // Output tokens are conserved; each costs less time.
    for (const run of [plain, spec]) expect(Math.abs((run.throughput.outputTokensPerSecond * run.simulatedSeconds) / (20 * 200) - 1)).toBeLessThan(0.002);
    expect(spec.tpotMs.mean).toBeLessThan(plain.tpotMs.mean / 1.5);

    const dir = mkdtempSync(join(tmpdir(), 'tf-sim-'));
    const file = join(dir, 'spec.yaml');
    writeFileSync(file, 'workload: { synthetic: { rate: 1, isl: 1000, osl: 200, requests: 20 } }\npools:\n  - { name: l8, model: meta-llama/Llama-3.1-8B, accelerator: h20, speculative: { draftTokens: 2, acceptanceRate: 0.8 } }\n');
    const sc = cli('simulate', file, '--json');
    expect(sc.stderr).toBe('');
    expect((JSON.parse(sc.stdout) as SimJson).tpotMs.mean).toBeCloseTo(spec.tpotMs.mean, 6);
    const both = cli('simulate', file, '--speculative-tokens', '1');
    expect(both.status).toBe(2);
    expect(both.stderr).toMatch(/--speculative-tokens.*per pool/);
  });

  it('needs a workload and a model without a scenario file', () => {
    const r = cli('simulate', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--trace/);
    const s = cli('schema', 'simulation');
    expect(s.status).toBe(0);
    expect(JSON.parse(s.stdout)).toHaveProperty('properties.pools');
    // The gateway's config too (gateway.yaml points editors at it).
    const g = cli('schema', 'gateway');
    expect(g.status).toBe(0);
    expect(JSON.parse(g.stdout)).toHaveProperty('properties.models');
    const bad = cli('schema', 'nope');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/one of: simulation, plan, gateway/);
  });
});
