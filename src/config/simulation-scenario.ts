/**
 * @module The simulation scenario file (`tokenfleet simulate scenario.yaml`):
 * a zod schema (which also yields the JSON Schema for editors), loading with
 * errors that give the path in the file, and normalisation into a cluster
 * configuration and a workload description.
 */
import { readTextFile } from './read-text-file.js';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { memoryUtilizationSchema, speculativeSchema } from './serving-options-schema.js';
import { InvalidInputError } from '../core/errors.js';

const positiveInt = z.number().int().positive();
const positive = z.number().positive();

const poolSchema = z
  .object({
    name: z.string().min(1).describe('Pool name, shown in the results'),
    role: z.enum(['mixed', 'prefill', 'decode']).default('mixed').describe('mixed: prefill and decode together; prefill/decode: a disaggregated pair'),
    model: z.string().min(1).describe('Model id (e.g. meta-llama/Llama-3.1-70B) or a config.json path relative to this file'),
    accelerator: z.string().min(1).describe('Catalogue id, e.g. h200-sxm, h20, ascend-910c'),
    engine: z.enum(['vllm', 'sglang', 'trtllm', 'mindie', 'generic']).default('vllm'),
    tp: positiveInt.default(1).describe('Tensor parallelism'),
    pp: positiveInt.default(1).describe('Pipeline parallelism'),
    dp: positiveInt.default(1).describe('Attention data parallelism'),
    ep: positiveInt.optional().describe('Expert parallelism (default tp x dp for MoE models)'),
    precision: z.enum(['bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4']).optional().describe('Weight precision (default: the model config, else bf16)'),
    kvPrecision: z.enum(['bf16', 'fp16', 'fp8', 'int8', 'fp4']).optional(),
    replicas: positiveInt.default(1),
    maxBatchedTokens: positiveInt.optional().describe('Token budget per step (default: the engine default)'),
    memoryUtilization: memoryUtilizationSchema
      .optional()
      .describe("Fraction of device memory the engine may use, above 0 and at most 1 (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static, TensorRT-LLM free_gpu_memory_fraction; default: the engine's, e.g. vLLM 0.9)"),
    speculative: speculativeSchema
      .optional()
      .describe('Speculative decoding; absent: one token per decode step'),
  })
  .strict();

const workloadSchema = z
  .object({
    trace: z.string().optional().describe('Trace file, relative to this file'),
    format: z.enum(['azure', 'mooncake', 'vidur', 'jsonl']).optional(),
    synthetic: z
      .object({ rate: positive.describe('requests per second'), requests: positiveInt.default(10_000), isl: positiveInt, osl: positiveInt, cv: positive.optional().describe('coefficient of variation of gaps; omit for Poisson') })
      .strict()
      .optional(),
    servegen: z
      .object({
        dir: z.string().describe('A ServeGen folder of chunk-<n>-trace.csv / chunk-<n>-dataset.json, relative to this file'),
        startSeconds: z.number().min(0).default(0),
        durationSeconds: positive.default(600),
        maxClients: positiveInt.optional(),
      })
      .strict()
      .optional(),
    repeat: positiveInt.default(1),
    rateScale: positive.default(1),
    maxRequests: positiveInt.optional(),
    skipInvalid: z.boolean().default(false),
  })
  .strict()
  .refine((w) => [w.trace, w.synthetic, w.servegen].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of trace, synthetic or servegen',
  });

export const simulationScenarioSchema = z
  .object({
    workload: workloadSchema,
    pools: z.array(poolSchema).min(1),
    router: z.enum(['round-robin', 'least-outstanding', 'least-kv', 'power-of-two', 'prefix-affinity', 'perf-aware']).default('least-outstanding'),
    decodeRouter: z.enum(['round-robin', 'least-outstanding', 'least-kv', 'power-of-two', 'prefix-affinity', 'perf-aware']).optional(),
    prefixCache: z.boolean().default(false),
    slo: z.object({ ttftMs: positive.optional(), tpotMs: positive.optional() }).strict().optional(),
    seed: z.number().int().default(1),
  })
  .strict();

export type SimulationScenario = z.infer<typeof simulationScenarioSchema>;

/** The JSON Schema of the scenario file, for editors (`tokenfleet schema simulation`). */
export function simulationScenarioJsonSchema(): unknown {
  return z.toJSONSchema(simulationScenarioSchema, { io: 'input' });
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** Parses and validates a scenario; every problem is reported as `file: path: message`. Relative paths resolve against the file's folder. */
export function parseSimulationScenario(text: string, file: string): SimulationScenario & { baseDir: string } {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new InvalidInputError(`not valid YAML: ${(e as Error).message}`, file);
  }
  const r = simulationScenarioSchema.safeParse(doc);
  if (!r.success) {
    const lines = r.error.issues.slice(0, 8).map((i) => `${pathOf(i.path) || '(top level)'}: ${i.message}`);
    throw new InvalidInputError(`invalid scenario:\n  ${lines.join('\n  ')}`, file);
  }
  const names = new Set<string>();
  r.data.pools.forEach((p, i) => {
    if (names.has(p.name)) throw new InvalidInputError(`invalid scenario:\n  pools[${i}].name: '${p.name}' is used twice`, file);
    names.add(p.name);
  });
  const roles = new Set(r.data.pools.map((p) => p.role));
  if (roles.has('prefill') !== roles.has('decode')) {
    throw new InvalidInputError('invalid scenario:\n  pools: a disaggregated scenario needs a pool with role prefill and one with role decode', file);
  }
  return { ...r.data, baseDir: dirname(resolve(file)) };
}

export function loadSimulationScenario(file: string): SimulationScenario & { baseDir: string } {
  const text = readTextFile(file);
  return parseSimulationScenario(text, file);
}
