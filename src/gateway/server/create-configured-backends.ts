/**
 * @module The backends a gateway config describes, by served model: each
 * emulated backend entry becomes `replicas` emulated replicas, with ids
 * `<pool>-<n>` (pool names are unique in a config, so ids are too).
 *
 * Upstream (`kind: openai`) backends are not built yet: a config naming one
 * is refused with the path of the entry.
 */
import { getAccelerator } from '../../core/catalogue/find-accelerator.js';
import { InvalidInputError } from '../../core/errors.js';
import type { Backend } from '../backends/backend.js';
import type { Clock } from '../backends/clock.js';
import { createEmulatedBackend, type EmulatedBackend } from '../backends/emulated-backend.js';
import { resolveGatewayModel, type GatewayConfig } from '../config/gateway-config.js';

export interface ConfiguredBackendsOptions {
  /** Default: real timers. */
  readonly clock?: Clock;
  /** Emulated backends' clock milliseconds per modelled millisecond (see EmulatedBackendOptions). Default 1. */
  readonly timeScale?: number;
}

export interface ConfiguredBackends {
  /** Served model id -> its backends, in config order. */
  readonly backendsByModel: ReadonlyMap<string, readonly Backend[]>;
  /** Stops every emulated engine (their open streams end with a 503 error). */
  close(): void;
}

/** @throws InvalidInputError for an upstream backend (not implemented yet) or a layout that does not fit. */
export function createConfiguredBackends(config: GatewayConfig, opts: ConfiguredBackendsOptions = {}): ConfiguredBackends {
  const byModel = new Map<string, Backend[]>();
  const emulated: EmulatedBackend[] = [];
  config.models.forEach((m, mi) => {
    const spec = resolveGatewayModel(m.model, config.baseDir).spec;
    const backends: Backend[] = [];
    m.pools.forEach((pool, pi) => {
      let n = 0;
      pool.backends.forEach((b, bi) => {
        if (b.kind !== 'emulated') {
          throw new InvalidInputError(`upstream backends (kind: ${b.kind}) are not supported by the gateway server yet; use kind: emulated`, `models[${mi}].pools[${pi}].backends[${bi}]`);
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
    close() {
      for (const b of emulated) b.close();
    },
  };
}
