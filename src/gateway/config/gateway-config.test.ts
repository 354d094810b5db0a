import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { InvalidInputError } from '../../core/errors.js';
import { makeDeployment } from '../../core/perf/deployment.js';
import { planMemory } from '../../core/perf/memory-plan.js';
import { gatewayConfigJsonSchema, loadGatewayConfig, parseGatewayConfig, resolveGatewayModel } from './gateway-config.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const DEFAULT_FILE = join(REPO, 'gateway.yaml');

const minimal = `
models:
  - id: llama-3.1-8b
    model: meta-llama/Llama-3.1-8B
    pricing: { inputUsdPerMillion: 0.05, outputUsdPerMillion: 0.08 }
    pools:
      - name: a
        backends:
          - { kind: emulated, accelerator: h200-sxm }
          - { kind: openai, url: http://10.0.0.5:8000/v1, apiKeyEnv: UPSTREAM_KEY }
`;

/** The message of what `fn` throws (an InvalidInputError). */
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('gateway config', () => {
  it('fills defaults and keeps the folder for relative paths', () => {
    const { config, warnings } = parseGatewayConfig(minimal, '/tmp/x/gateway.yaml');
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 8080 },
      dataDir: '.tokenfleet/data',
      ledger: { kind: 'sqlite' },
      limits: { kind: 'memory' },
      maxBodyBytes: 1024 * 1024,
      router: 'perf-aware',
      fairQueue: { maxQueuedPerModel: 1000, maxWaitMs: 30_000, inputTokenWeight: 1, outputTokenWeight: 2 },
      demoTenant: false,
      baseDir: '/tmp/x',
    });
    expect(config.models[0]!.pools[0]!.backends).toEqual([
      { kind: 'emulated', accelerator: 'h200-sxm', engine: 'vllm', tp: 1, dp: 1, replicas: 1 },
      { kind: 'openai', url: 'http://10.0.0.5:8000/v1', apiKeyEnv: 'UPSTREAM_KEY', weight: 1 },
    ]);
  });

  it('gives the file and the path of every schema problem', () => {
    const bad = minimal.replace('tp: 1', '').replace('h200-sxm }', 'h200-sxm, tp: 0, replicas: -1 }').replace('kind: openai, url: http://10.0.0.5:8000/v1', 'kind: openai, url: nope');
    const msg = errorOf(() => parseGatewayConfig(`${bad}router: fastest\nlisten: { port: 70000 }\n`, 'g.yaml'));
    expect(msg).toMatch(/^g\.yaml: invalid gateway config/);
    expect(msg).toMatch(/models\[0\]\.pools\[0\]\.backends\[0\]\.tp/);
    expect(msg).toMatch(/models\[0\]\.pools\[0\]\.backends\[0\]\.replicas/);
    expect(msg).toMatch(/models\[0\]\.pools\[0\]\.backends\[1\]\.url/);
    expect(msg).toMatch(/router/);
    expect(msg).toMatch(/listen\.port/);
  });

  it('rejects unknown keys, an unknown backend kind, no models and bad YAML', () => {
    expect(errorOf(() => parseGatewayConfig(`${minimal}routr: perf-aware\n`, 'g.yaml'))).toMatch(/routr/);
    expect(errorOf(() => parseGatewayConfig(minimal.replace('kind: openai', 'kind: triton'), 'g.yaml'))).toMatch(/backends\[1\]\.kind/);
    expect(errorOf(() => parseGatewayConfig('listen: { port: 1 }', 'g.yaml'))).toMatch(/models/);
    expect(errorOf(() => parseGatewayConfig('models: [', 'g.yaml'))).toMatch(/g\.yaml: not valid YAML/);
  });

  it('checks unique model ids and pool names', () => {
    const twice = `${minimal}${minimal.replace('models:\n', '').replace('llama-3.1-8b', 'other')}`;
    expect(errorOf(() => parseGatewayConfig(twice, 'g.yaml'))).toMatch(/models\[1\]\.pools\[0\]\.name: 'a' is already the name of models\[0\]\.pools\[0\]/);
    const sameId = `${minimal}${minimal.replace('models:\n', '').replace('name: a', 'name: b')}`;
    expect(errorOf(() => parseGatewayConfig(sameId, 'g.yaml'))).toMatch(/models\[1\]\.id: 'llama-3.1-8b' is already the id of models\[0\]/);
  });

  it('checks catalogue ids, with the closest matches', () => {
    const msg = errorOf(() => parseGatewayConfig(minimal.replace('h200-sxm', 'h2000'), 'g.yaml'));
    expect(msg).toMatch(/models\[0\]\.pools\[0\]\.backends\[0\]\.accelerator: unknown accelerator 'h2000'; closest matches: .*h200-sxm/);
    expect(errorOf(() => parseGatewayConfig(minimal.replace('meta-llama/Llama-3.1-8B', 'meta-llama/Llama-9'), 'g.yaml'))).toMatch(
      /models\[0\]\.model: unknown model 'meta-llama\/Llama-9'; closest matches/,
    );
  });

  it('checks that an emulated replica fits and its layout is valid', () => {
    const big = minimal.replace('meta-llama/Llama-3.1-8B', 'deepseek-ai/DeepSeek-V3').replace('h200-sxm }', 'h20, tp: 8, precision: fp8 }');
    expect(errorOf(() => parseGatewayConfig(big, 'g.yaml'))).toMatch(/models\[0\]\.pools\[0\]\.backends\[0\]: deepseek-ai\/DeepSeek-V3 does not fit on h20 x8/);
    expect(errorOf(() => parseGatewayConfig(minimal.replace('h200-sxm }', 'h200-sxm, tp: 3 }'), 'g.yaml'))).toMatch(
      /backends\[0\]\.tp: tensor parallelism 3 does not divide/,
    );
  });

  it('takes speculative decoding on an emulated backend and says what is wrong with it', () => {
    const { config } = parseGatewayConfig(minimal.replace('h200-sxm }', 'h200-sxm, speculative: { draftTokens: 1, acceptanceRate: 0.8 } }'), 'g.yaml');
    expect(config.models[0]!.pools[0]!.backends[0]).toMatchObject({ kind: 'emulated', speculative: { draftTokens: 1, acceptanceRate: 0.8 } });
    expect(errorOf(() => parseGatewayConfig(minimal.replace('h200-sxm }', 'h200-sxm, speculative: { draftTokens: 1, acceptanceRate: 1 } }'), 'g.yaml'))).toMatch(
      /backends\[0\]\.speculative\.acceptanceRate: expected a probability/,
    );
    expect(errorOf(() => parseGatewayConfig(minimal.replace('h200-sxm }', 'h200-sxm, engine: generic, speculative: { draftTokens: 1, acceptanceRate: 0.5 } }'), 'g.yaml'))).toMatch(
      /backends\[0\].*no speculative decoding/,
    );
  });

  it("checks the fit of an emulated replica at its memoryUtilization, the engine's by default", () => {
    // DeepSeek-R1 fp8 on 8 x H20 96 GB: its weights and reserve need more than vLLM's 0.9 of memory, less than 0.95.
    const r1 = minimal.replace('meta-llama/Llama-3.1-8B', 'deepseek-ai/DeepSeek-R1');
    expect(errorOf(() => parseGatewayConfig(r1.replace('h200-sxm }', 'h20, tp: 8 }'), 'g.yaml'))).toMatch(/backends\[0\]: deepseek-ai\/DeepSeek-R1 does not fit on h20 x8.*x 0\.9\)/);
    const { config } = parseGatewayConfig(r1.replace('h200-sxm }', 'h20, tp: 8, memoryUtilization: 0.95 }'), 'g.yaml');
    expect(config.models[0]!.pools[0]!.backends[0]).toMatchObject({ kind: 'emulated', memoryUtilization: 0.95 });
    for (const bad of ['0', '1.5']) {
      expect(errorOf(() => parseGatewayConfig(minimal.replace('h200-sxm }', `h200-sxm, memoryUtilization: ${bad} }`), 'g.yaml'))).toMatch(
        /models\[0\]\.pools\[0\]\.backends\[0\]\.memoryUtilization: expected a fraction of device memory above 0 and at most 1/,
      );
    }
    // Only emulated backends have one.
    expect(errorOf(() => parseGatewayConfig(minimal.replace('UPSTREAM_KEY }', 'UPSTREAM_KEY, memoryUtilization: 0.9 }'), 'g.yaml'))).toMatch(/memoryUtilization/);
  });

  it('needs a url for a postgres ledger and redis limits; warns on an engine unknown to the chip', () => {
    expect(errorOf(() => parseGatewayConfig(`${minimal}ledger: { kind: postgres }\n`, 'g.yaml'))).toMatch(/ledger\.url: a postgres ledger needs a url/);
    expect(errorOf(() => parseGatewayConfig(`${minimal}limits: { kind: redis }\n`, 'g.yaml'))).toMatch(/limits\.url: redis limits need a url/);
    const ok = parseGatewayConfig(`${minimal}ledger: { kind: postgres, url: 'postgres://u@h/db' }\n`, 'g.yaml');
    expect(ok.config.ledger).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    const { warnings } = parseGatewayConfig(minimal.replace('h200-sxm }', 'h200-sxm, engine: mindie }'), 'g.yaml');
    expect(warnings).toEqual([expect.stringMatching(/backends\[0\]\.engine: mindie is not known to run on h200-sxm/)]);
  });

  it('takes the fair queue bounds and per-backend maxInFlight, and refuses token weights that charge nothing', () => {
    const text = `${minimal.replace('h200-sxm }', 'h200-sxm, maxInFlight: 64 }').replace('UPSTREAM_KEY }', 'UPSTREAM_KEY, maxInFlight: 32 }')}fairQueue: { maxQueuedPerModel: 0, maxWaitMs: 500 }\n`;
    const { config } = parseGatewayConfig(text, 'g.yaml');
    expect(config.fairQueue).toEqual({ maxQueuedPerModel: 0, maxWaitMs: 500, inputTokenWeight: 1, outputTokenWeight: 2 });
    expect(config.models[0]!.pools[0]!.backends.map((b) => b.maxInFlight)).toEqual([64, 32]);
    expect(errorOf(() => parseGatewayConfig(minimal.replace('h200-sxm }', 'h200-sxm, maxInFlight: 0 }'), 'g.yaml'))).toMatch(/backends\[0\]\.maxInFlight/);
    expect(errorOf(() => parseGatewayConfig(`${minimal}fairQueue: { maxWaitMs: 0 }\n`, 'g.yaml'))).toMatch(/fairQueue\.maxWaitMs/);
    expect(errorOf(() => parseGatewayConfig(`${minimal}fairQueue: { inputTokenWeight: 0, outputTokenWeight: 0 }\n`, 'g.yaml'))).toMatch(
      /fairQueue\.outputTokenWeight: the input and output token weights are both 0/,
    );
  });

  it('resolves a model config path relative to the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-gw-'));
    const src = join(REPO, 'data/model-configs/meta-llama--Meta-Llama-3.1-8B_config.json');
    writeFileSync(join(dir, 'my-model.json'), readFileSync(src));
    const file = join(dir, 'gateway.yaml');
    writeFileSync(file, minimal.replace('meta-llama/Llama-3.1-8B', './my-model.json'));
    const { config } = loadGatewayConfig(file);
    expect(resolveGatewayModel(config.models[0]!.model, config.baseDir).matchedBy).toBe('path');
  });

  it('names the file it cannot read', () => {
    expect(errorOf(() => loadGatewayConfig('/nonexistent/gateway.yaml'))).toMatch(/\/nonexistent\/gateway\.yaml: cannot read: ENOENT/);
  });

  it('has a JSON Schema for editors', () => {
    const schema = gatewayConfigJsonSchema() as { properties: Record<string, unknown> };
    expect(Object.keys(schema.properties)).toEqual(
      expect.arrayContaining(['listen', 'dataDir', 'ledger', 'limits', 'maxBodyBytes', 'requestTimeoutMs', 'router', 'fairQueue', 'models', 'demoTenant']),
    );
  });
});

describe('the default gateway.yaml', () => {
  const { config, warnings } = loadGatewayConfig(DEFAULT_FILE);

  it('loads without warnings: a mixed fleet of H200, H20, the in-house chip and Ascend 910C with a demo tenant', () => {
    expect(warnings).toEqual([]);
    expect(config.models.length).toBeGreaterThanOrEqual(2);
    const emulated = config.models.flatMap((m) => m.pools.flatMap((p) => p.backends)).flatMap((b) => (b.kind === 'emulated' ? [b] : []));
    const accelerators = new Set(emulated.map((b) => getAccelerator(b.accelerator).id));
    expect([...accelerators].sort()).toEqual(['ascend-910c', 'h20', 'h200-sxm', 'inhouse-h20class']);
    expect(emulated.filter((b) => b.accelerator === 'ascend-910c').every((b) => b.engine === 'mindie')).toBe(true);
    expect(config.demoTenant).not.toBe(false);
  });

  it('fits every pool model on its accelerator by the memory plan', () => {
    for (const m of config.models) {
      const model = resolveGatewayModel(m.model, config.baseDir).spec;
      for (const p of m.pools) {
        for (const b of p.backends) {
          if (b.kind !== 'emulated') continue;
          const d = makeDeployment({
            model,
            accelerator: getAccelerator(b.accelerator),
            engine: b.engine,
            parallel: { tp: b.tp, dp: b.dp },
            precision: b.precision === undefined ? undefined : { weights: b.precision },
          });
          const plan = planMemory(d);
          expect({ pool: p.name, fits: plan.fits }).toEqual({ pool: p.name, fits: true });
          // Room for at least a few long requests, not just one block.
          expect(plan.kvCapacityTokens, p.name).toBeGreaterThan(32_768);
        }
      }
    }
  });
});
