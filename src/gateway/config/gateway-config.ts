/**
 * @module The gateway's config file (`gateway.yaml`): a zod schema (which also
 * yields the JSON Schema for editors), loading with errors that give the path
 * in the file (`file: models[1].pools[0].backends[0].accelerator: ...`), and
 * the cross-field rules a schema cannot say: unique names, catalogue ids that
 * exist, emulated replicas that fit their accelerator, a URL where a store
 * needs one.
 *
 * Secrets are never in the file: an upstream names the environment variable
 * that holds its API key (`apiKeyEnv`), which `config/env.ts` reads.
 */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import YAML from 'yaml';
import { z } from 'zod';
import { memoryUtilizationSchema, speculativeSchema } from '../../config/serving-options-schema.js';
import { resolveModel, type ResolvedModel } from '../../config/model-registry.js';
import { readTextFile } from '../../config/read-text-file.js';
import { ENGINE_IDS } from '../../core/catalogue/accelerator-spec.js';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { InvalidInputError, NoSuchEntryError, TokenfleetError } from '../../core/errors.js';
import { makeDeployment } from '../../core/perf/deployment.js';
import { planMemory } from '../../core/perf/memory-plan.js';
import { ROUTER_NAMES } from '../../sim/routers/index.js';

const positiveInt = z.number().int().positive();
const nonNegative = z.number().min(0);

/** 1 MiB, bytes. */
const MIB = 1024 * 1024;

const emulatedBackendSchema = z
  .object({
    kind: z.literal('emulated').describe('A built-in emulated engine replica (no GPU needed)'),
    accelerator: z.string().min(1).describe('Catalogue id, e.g. h200-sxm, h20, inhouse-h20class, ascend-910c'),
    engine: z.enum(ENGINE_IDS).default('vllm').describe('Serving engine whose scheduler and calibration are emulated'),
    tp: positiveInt.default(1).describe('Tensor parallelism'),
    dp: positiveInt.default(1).describe('Attention data parallelism'),
    precision: z.enum(['bf16', 'fp16', 'fp8', 'int8', 'fp4', 'int4']).optional().describe('Weight precision (default: the model config, else bf16)'),
    replicas: positiveInt.default(1).describe('Identical replicas of this layout in the pool'),
    memoryUtilization: memoryUtilizationSchema
      .optional()
      .describe("Fraction of device memory the emulated engine may use, above 0 and at most 1 (vLLM --gpu-memory-utilization, SGLang --mem-fraction-static; default: the engine's, e.g. vLLM 0.9)"),
    speculative: speculativeSchema
      .optional()
      .describe('Speculative decoding of the emulated engine; absent: one token per decode step'),
    maxInFlight: positiveInt
      .optional()
      .describe('Requests in flight per replica before the model counts as saturated and requests wait in the fair queue (default: the engine\'s running-sequence cap x dp)'),
  })
  .strict();

const openaiBackendSchema = z
  .object({
    kind: z.literal('openai').describe('A real OpenAI-compatible upstream (vLLM, SGLang, MindIE, a provider)'),
    url: z.url({ protocol: /^https?$/ }).describe('Base URL, e.g. http://10.0.0.5:8000/v1'),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name')
      .optional()
      .describe('Name of the environment variable holding the upstream API key (never the key itself)'),
    upstreamModel: z.string().min(1).optional().describe('Model name the upstream expects (default: the served model id)'),
    weight: z.number().positive().default(1).describe('Capacity relative to the other upstreams of the pool, for load estimates'),
    maxInFlight: positiveInt
      .optional()
      .describe('Requests in flight before the model counts as saturated and requests wait in the fair queue (default: 256 x weight, vLLM\'s default max_num_seqs)'),
  })
  .strict();

const backendSchema = z.discriminatedUnion('kind', [emulatedBackendSchema, openaiBackendSchema]);

const poolSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/, 'expected lower case letters, digits, . _ -').describe('Pool name, unique in the file (a metrics label)'),
    backends: z.array(backendSchema).min(1),
  })
  .strict();

const pricingSchema = z
  .object({
    inputUsdPerMillion: nonNegative.describe('Price of a million prompt tokens, USD'),
    outputUsdPerMillion: nonNegative.describe('Price of a million output tokens, USD'),
    cachedInputUsdPerMillion: nonNegative.optional().describe('Price of a million prompt tokens served from a prefix cache, USD (default: the input price)'),
  })
  .strict();

const modelSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]*$/, 'expected letters, digits and . _ : / -').describe('Served model name clients send, e.g. deepseek-v3'),
    model: z.string().min(1).describe('Catalogue model id (e.g. meta-llama/Llama-3.1-8B) or a config.json path relative to this file'),
    pricing: pricingSchema,
    pools: z.array(poolSchema).min(1),
  })
  .strict();

const storeUrl = z.string().min(1).optional();

const fairQueueSchema = z
  .object({
    maxQueuedPerModel: z.number().int().min(0).default(1000).describe('Requests that may wait for one model; more are refused with 429 queue_full (0: refuse at saturation)'),
    maxWaitMs: positiveInt.default(30_000).describe('A request waiting longer is refused with 429 queue_timeout, milliseconds'),
    inputTokenWeight: nonNegative.default(1).describe('Service counted per prompt token (the VTC paper\'s wp)'),
    outputTokenWeight: nonNegative.default(2).describe('Service counted per output token (the VTC paper\'s wq)'),
  })
  .strict();

export const gatewayConfigSchema = z
  .object({
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Interface to bind; 0.0.0.0 for all'),
        port: z.number().int().min(0).max(65535).default(8080).describe('TCP port; 0 picks a free one'),
      })
      .strict()
      .prefault({})
      .describe('Where the HTTP server listens'),
    dataDir: z.string().min(1).default('.tokenfleet/data').describe('Folder for the SQLite ledger and other state, relative to the working directory'),
    ledger: z
      .object({
        kind: z.enum(['sqlite', 'postgres']).default('sqlite'),
        url: storeUrl.describe('sqlite: file path (default <dataDir>/ledger.sqlite); postgres: a postgres:// URL (required)'),
      })
      .strict()
      .prefault({})
      .describe('Where one record per request is kept'),
    limits: z
      .object({
        kind: z.enum(['memory', 'redis']).default('memory').describe('memory: one gateway instance; redis: limits shared by several'),
        url: storeUrl.describe('redis: a redis:// URL (required)'),
      })
      .strict()
      .prefault({})
      .describe('Where rate limits and budgets are counted'),
    maxBodyBytes: positiveInt.default(MIB).describe('Largest request body accepted, bytes'),
    requestTimeoutMs: positiveInt.default(300_000).describe('A request still running this long after it arrived (a wait in the fair queue included) is aborted, milliseconds'),
    router: z.enum(ROUTER_NAMES).default('perf-aware').describe('Routing policy over the backends serving a model'),
    fairQueue: fairQueueSchema
      .prefault({})
      .describe('When every backend of a model is at its maxInFlight, requests wait per tenant and leave by virtual token counter (VTC), weighted by tenant weight'),
    models: z.array(modelSchema).min(1),
    demoTenant: z
      .union([
        z
          .object({
            name: z.string().min(1),
            budgetUsdPerMonth: nonNegative.describe('Monthly budget, USD'),
            rpm: positiveInt.describe('Requests per minute'),
            tpm: positiveInt.describe('Tokens per minute'),
          })
          .strict(),
        z.literal(false),
      ])
      .default(false)
      .describe('A tenant (and key) created at start-up for trying the gateway; false for none'),
  })
  .strict();

export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type GatewayConfig = z.infer<typeof gatewayConfigSchema> & {
  /** Folder of the config file: relative model paths resolve against it. */
  readonly baseDir: string;
};
export type GatewayModelConfig = GatewayConfig['models'][number];
export type GatewayPoolConfig = GatewayModelConfig['pools'][number];
export type GatewayBackendConfig = GatewayPoolConfig['backends'][number];
export type EmulatedBackendConfig = Extract<GatewayBackendConfig, { kind: 'emulated' }>;
export type OpenAiBackendConfig = Extract<GatewayBackendConfig, { kind: 'openai' }>;
export type FairQueueConfig = GatewayConfig['fairQueue'];

export interface ParsedGatewayConfig {
  readonly config: GatewayConfig;
  /** Doubtful but workable settings, `path: message` each. */
  readonly warnings: readonly string[];
}

/** The JSON Schema of gateway.yaml, for editors (`tokenfleet schema gateway`). */
export function gatewayConfigJsonSchema(): unknown {
  return z.toJSONSchema(gatewayConfigSchema, { io: 'input' });
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/** Most problems listed in one error. */
const MAX_LISTED = 8;

function fail(file: string, lines: readonly string[]): never {
  const shown = lines.slice(0, MAX_LISTED);
  const more = lines.length > MAX_LISTED ? `\n  ... and ${lines.length - MAX_LISTED} more` : '';
  throw new InvalidInputError(`invalid gateway config:\n  ${shown.join('\n  ')}${more}`, file);
}

/**
 * A model reference of the config: an existing path (relative to `baseDir`) is loaded as a
 * config.json, anything else is looked up in the catalogue of model configs.
 * @throws NoSuchEntryError listing the closest model ids.
 */
export function resolveGatewayModel(ref: string, baseDir: string): ResolvedModel {
  const asPath = resolve(baseDir, ref);
  return resolveModel(existsSync(asPath) ? asPath : ref);
}

/**
 * `path: message` for an error the user can fix at `path`; an error about a CLI option (`--tp`)
 * points at that key under `path` (`...backends[0].tp`). Rethrows anything else.
 */
function located(path: string, e: unknown): string {
  if (e instanceof InvalidInputError && e.where?.startsWith('--')) return `${path}.${e.where.slice(2)}: ${e.message.slice(e.where.length + 2)}`;
  if (e instanceof TokenfleetError) return `${path}: ${e.message}`;
  throw e;
}

/** Cross-field rules; pushes `path: message` lines. */
function checkRules(c: z.infer<typeof gatewayConfigSchema>, baseDir: string, errors: string[], warnings: string[]): void {
  if (c.ledger.kind === 'postgres' && c.ledger.url === undefined) errors.push('ledger.url: a postgres ledger needs a url (postgres://user@host:5432/db)');
  if (c.limits.kind === 'redis' && c.limits.url === undefined) errors.push('limits.url: redis limits need a url (redis://host:6379)');
  if (c.ledger.kind === 'postgres' && c.ledger.url !== undefined && !/^postgres(ql)?:\/\//.test(c.ledger.url)) {
    errors.push(`ledger.url: expected a postgres:// URL, got '${c.ledger.url}'`);
  }
  if (c.limits.kind === 'redis' && c.limits.url !== undefined && !/^rediss?:\/\//.test(c.limits.url)) {
    errors.push(`limits.url: expected a redis:// URL, got '${c.limits.url}'`);
  }
  if (c.fairQueue.inputTokenWeight === 0 && c.fairQueue.outputTokenWeight === 0) {
    errors.push('fairQueue.outputTokenWeight: the input and output token weights are both 0, so no tenant would ever be charged for service; set one above 0');
  }

  const modelIds = new Map<string, number>();
  const poolNames = new Map<string, string>();
  c.models.forEach((m, mi) => {
    const mp = `models[${mi}]`;
    const first = modelIds.get(m.id);
    if (first !== undefined) errors.push(`${mp}.id: '${m.id}' is already the id of models[${first}]`);
    else modelIds.set(m.id, mi);
    const { cachedInputUsdPerMillion: cached, inputUsdPerMillion: input } = m.pricing;
    if (cached !== undefined && cached > input) warnings.push(`${mp}.pricing.cachedInputUsdPerMillion: ${cached} is above the input price ${input}`);

    let resolved: ResolvedModel | undefined;
    try {
      resolved = resolveGatewayModel(m.model, baseDir);
    } catch (e) {
      errors.push(located(`${mp}.model`, e));
    }

    m.pools.forEach((p, pi) => {
      const pp = `${mp}.pools[${pi}]`;
      const owner = poolNames.get(p.name);
      if (owner !== undefined) errors.push(`${pp}.name: '${p.name}' is already the name of ${owner}`);
      else poolNames.set(p.name, pp);
      p.backends.forEach((b, bi) => {
        if (b.kind !== 'emulated') return;
        const bp = `${pp}.backends[${bi}]`;
        let accelerator;
        try {
          accelerator = getAccelerator(b.accelerator);
        } catch (e) {
          if (!(e instanceof NoSuchEntryError)) throw e;
          errors.push(`${bp}.accelerator: ${e.message}`);
          return;
        }
        if (!accelerator.engines.includes(b.engine)) {
          warnings.push(`${bp}.engine: ${b.engine} is not known to run on ${accelerator.id} (known: ${accelerator.engines.join(', ')})`);
        }
        if (resolved === undefined) return;
        try {
          const d = makeDeployment({
            model: resolved.spec,
            accelerator,
            engine: b.engine,
            parallel: { tp: b.tp, dp: b.dp },
            precision: b.precision === undefined ? undefined : { weights: b.precision },
            speculative: b.speculative,
          });
          const plan = planMemory(d, { memoryUtilization: b.memoryUtilization });
          if (!plan.fits) errors.push(`${bp}: ${resolved.id} does not fit on ${accelerator.id} x${d.devices}: ${plan.reason ?? 'not enough memory'}`);
        } catch (e) {
          errors.push(located(bp, e));
        }
      });
    });
  });
}

/**
 * Parses and validates a gateway config; every problem is reported as `file: path: message`
 * (schema problems first, then the cross-field rules). Relative model paths resolve against
 * the file's folder. Reads model config files (the catalogue's or the ones named).
 * @throws InvalidInputError listing up to eight problems.
 */
export function parseGatewayConfig(text: string, file: string): ParsedGatewayConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new InvalidInputError(`not valid YAML: ${(e as Error).message}`, file);
  }
  const r = gatewayConfigSchema.safeParse(doc ?? {});
  if (!r.success) fail(file, r.error.issues.map((i) => `${pathOf(i.path) || '(top level)'}: ${i.message}`));
  const baseDir = dirname(resolve(file));
  const errors: string[] = [];
  const warnings: string[] = [];
  checkRules(r.data, baseDir, errors, warnings);
  if (errors.length > 0) fail(file, errors);
  return { config: { ...r.data, baseDir }, warnings };
}

/** Reads and parses `file` (see parseGatewayConfig). */
export function loadGatewayConfig(file: string): ParsedGatewayConfig {
  return parseGatewayConfig(readTextFile(file), file);
}
