import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../core/errors.js';
import { parseSimulationScenario, simulationScenarioJsonSchema } from './simulation-scenario.js';

const ok = `
workload:
  synthetic: { rate: 10, isl: 1000, osl: 200 }
pools:
  - { name: prefill, role: prefill, model: meta-llama/Llama-3.1-8B, accelerator: h200-sxm }
  - { name: decode, role: decode, model: meta-llama/Llama-3.1-8B, accelerator: h20, replicas: 2 }
router: perf-aware
`;

describe('simulation scenario', () => {
  it('parses, fills defaults and keeps the folder for relative paths', () => {
    const s = parseSimulationScenario(ok, '/tmp/x/scenario.yaml');
    expect(s.pools[1]).toMatchObject({ replicas: 2, tp: 1, engine: 'vllm' });
    expect(s.workload.synthetic).toMatchObject({ requests: 10_000 });
    expect(s.baseDir).toBe('/tmp/x');
  });
  it('gives the path of every problem in the file', () => {
    const bad = ok.replace('replicas: 2', 'replicas: -2').replace('router: perf-aware', 'router: fastest');
    let err: unknown;
    try {
      parseSimulationScenario(bad, 's.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as Error).message).toMatch(/s\.yaml: invalid scenario/);
    expect((err as Error).message).toMatch(/pools\[1\]\.replicas/);
    expect((err as Error).message).toMatch(/router/);
  });
  it('rejects unknown keys, a missing workload source, half a disaggregated pair and bad YAML', () => {
    expect(() => parseSimulationScenario(ok.replace('router: perf-aware', 'routr: perf-aware'), 's.yaml')).toThrow(/routr/);
    expect(() => parseSimulationScenario(ok.replace('synthetic: { rate: 10, isl: 1000, osl: 200 }', 'repeat: 2'), 's.yaml')).toThrow(/exactly one of trace, synthetic or servegen/);
    expect(() => parseSimulationScenario(ok.replace('role: decode', 'role: mixed'), 's.yaml')).toThrow(/prefill and one with role decode/);
    expect(() => parseSimulationScenario('pools: [', 's.yaml')).toThrow(/not valid YAML/);
  });
  it('takes a memory utilization per pool, above 0 and at most 1, and names the pool when it is out of range', () => {
    const s = parseSimulationScenario(ok.replace('replicas: 2 }', 'replicas: 2, memoryUtilization: 0.95 }'), 's.yaml');
    expect(s.pools[1]!.memoryUtilization).toBe(0.95);
    expect(s.pools[0]!.memoryUtilization).toBeUndefined();
    for (const bad of ['1.5', '0', '-0.1', 'high']) {
      expect(() => parseSimulationScenario(ok.replace('replicas: 2 }', `replicas: 2, memoryUtilization: ${bad} }`), 's.yaml'), bad).toThrow(
        /s\.yaml: invalid scenario:\n {2}pools\[1\]\.memoryUtilization: /,
      );
    }
    expect(() => parseSimulationScenario(ok.replace('replicas: 2 }', 'replicas: 2, memoryUtilization: 1.5 }'), 's.yaml')).toThrow(/above 0 and at most 1/);
  });
  it('takes speculative decoding per pool, and names the field when it makes no sense', () => {
    const s = parseSimulationScenario(ok.replace('replicas: 2 }', 'replicas: 2, speculative: { draftTokens: 2, acceptanceRate: 0.75 } }'), 's.yaml');
    expect(s.pools[1]!.speculative).toEqual({ draftTokens: 2, acceptanceRate: 0.75 });
    expect(s.pools[0]!.speculative).toBeUndefined();
    for (const [bad, field] of [
      ['{ draftTokens: 0, acceptanceRate: 0.5 }', 'draftTokens'],
      ['{ draftTokens: 2, acceptanceRate: 1 }', 'acceptanceRate'],
      ['{ draftTokens: 2 }', 'acceptanceRate'],
    ] as const) {
      expect(() => parseSimulationScenario(ok.replace('replicas: 2 }', `replicas: 2, speculative: ${bad} }`), 's.yaml'), bad).toThrow(
        new RegExp(`pools\\[1\\]\\.speculative\\.${field}`),
      );
    }
  });
  it('has a JSON Schema for editors', () => {
    const schema = simulationScenarioJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['workload', 'pools', 'router', 'slo']));
    const pool = (schema.properties.pools as { items: { properties: Record<string, { description?: string; exclusiveMinimum?: number; maximum?: number }> } }).items;
    expect(pool.properties.memoryUtilization).toMatchObject({ exclusiveMinimum: 0, maximum: 1 });
    expect(pool.properties.memoryUtilization!.description).toMatch(/fraction of device memory/i);
  });
});
