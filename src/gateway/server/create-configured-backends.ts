/**
 * @module The backends a gateway config describes, by served model: each
 * emulated backend entry becomes `replicas` emulated replicas, and each
 * upstream (`kind: openai`) entry one OpenAI-compatible upstream, with ids
 * `<pool>-<n>` (pool names are unique in a config, so ids are too).
 * Each backend carries its `maxInFlight` (the config's, else its default).
 * An upstream's API key is read from the environment variable its entry
 * names, when it names one (an unset one is refused at start-up rather
 * than answered by the upstream with a 401 on every request).
 */
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Backend } from '../backends/backend.js';
import type { Clock } from '../backends/clock.js';
import { createEmulatedBackend, type EmulatedBackend } from '../backends/emulated-backend.js';
import { createOpenAiUpstream } from '../backends/openai-upstream.js';
import { readUpstreamKey } from '../../config/env.js';
import { resolveGatewayModel, type GatewayConfig } from '../config/gateway-config.js';

export interface ConfiguredBackendsOptions {
  /** Emulated backends' clock; default real timers (upstreams always time out on real ones). */
  readonly clock?: Clock;
  /** Emulated backends' clock milliseconds per modelled millisecond (see EmulatedBackendOptions). Default 1. */
  readonly timeScale?: number;
  /** Where upstream API keys are read (see readUpstreamKey); default process.env. */
  readonly env?: NodeJS.ProcessEnv;
}

export interface ConfiguredBackends {
  /** Served model id -> its backends, in config order. */
  readonly backendsByModel: ReadonlyMap<string, readonly Backend[]>;
  /** Capacity of a backend relative to the others of its pool (an upstream's `weight`; 1 for emulated ones), for BackendRouterOptions.weightOf. */
  weightOf(backend: Backend): number;
  /** Stops every emulated engine (their open streams end with a 503 error). */
  close(): void;
}

/** @throws InvalidInputError for an upstream whose API key variable is not set, or a layout that does not fit. */
export function createConfiguredBackends(config: GatewayConfig, opts: ConfiguredBackendsOptions = {}): ConfiguredBackends {
  const byModel = new Map<string, Backend[]>();
  const emulated: EmulatedBackend[] = [];
  const weights = new Map<string, number>();
  config.models.forEach((m, mi) => {
    const spec = resolveGatewayModel(m.model, config.baseDir).spec;
    const backends: Backend[] = [];
    m.pools.forEach((pool, pi) => {
      let n = 0;
      pool.backends.forEach((b, bi) => {
        if (b.kind === 'openai') {
          const apiKey = b.apiKeyEnv !== undefined ? readUpstreamKey(b.apiKeyEnv, opts.env) : undefined;
          if (b.apiKeyEnv !== undefined && apiKey === undefined) {
            throw new InvalidInputError(`the environment variable ${b.apiKeyEnv} is not set (export it, or remove apiKeyEnv for an upstream without a key)`, `models[${mi}].pools[${pi}].backends[${bi}].apiKeyEnv`);
          }
          const upstream = createOpenAiUpstream({
            id: `${pool.name}-${n++}`,
            pool: pool.name,
            model: m.id,
            url: b.url,
            weight: b.weight,
            ...(b.maxInFlight !== undefined && { maxInFlight: b.maxInFlight }),
            ...(b.upstreamModel !== undefined && { upstreamModel: b.upstreamModel }),
            ...(apiKey !== undefined && { apiKey }),
            // No injected clock: its timeouts guard real network I/O.
          });
          weights.set(upstream.id, upstream.weight);
          backends.push(upstream);
          return;
        }
        for (let r = 0; r < b.replicas; r++) {
          const backend = createEmulatedBackend({
            id: `${pool.name}-${n++}`,
            pool: pool.name,
            model: spec,
            accelerator: getAccelerator(b.accelerator),
            engine: b.engine,
            parallel: { tp: b.tp, dp: b.dp },
            ...(b.precision !== undefined && { precision: { weights: b.precision } }),
            servedModelName: m.id,
            ...(b.maxInFlight !== undefined && { maxInFlight: b.maxInFlight }),
            ...(b.memoryUtilization !== undefined && { memoryUtilization: b.memoryUtilization }),
            ...(b.speculative !== undefined && { speculative: b.speculative }),
            ...(opts.clock !== undefined && { clock: opts.clock }),
            ...(opts.timeScale !== undefined && { timeScale: opts.timeScale }),
          });
          emulated.push(backend);
          backends.push(backend);
        }
      });
    });
    byModel.set(m.id, backends);
  });
  return {
    backendsByModel: byModel,
    weightOf: (backend) => weights.get(backend.id) ?? 1,
    close() {
      for (const b of emulated) b.close();
    },
  };
}
