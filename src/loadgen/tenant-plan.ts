/**
 * @module The tenants a load run sends as: `load-1..K` (or one per ServeGen
 * client, `load-client-<n>`) with priority weights cycling through 1, 2, 4 so
 * that the gateway's weighted fair queueing has something to weigh, or the
 * API keys given on the command line as they are.
 */
import { InvalidInputError } from '../core/errors.js';

/** Fair-share weights given to generated tenants, in turn. */
export const LOAD_TENANT_WEIGHTS: readonly number[] = [1, 2, 4];

/** The most tenants a run creates. */
export const MAX_LOAD_TENANTS = 1000;

export interface PlannedTenant {
  /** Tenant name on the gateway. */
  readonly name: string;
  /** Fair-share priority weight. */
  readonly weight: number;
}

function weighted(names: readonly string[]): PlannedTenant[] {
  return names.map((name, i) => ({ name, weight: LOAD_TENANT_WEIGHTS[i % LOAD_TENANT_WEIGHTS.length]! }));
}

/** `load-1` .. `load-<count>`, weights 1, 2, 4, 1, 2, 4, ... */
export function planLoadTenants(count: number): PlannedTenant[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_LOAD_TENANTS) {
    throw new InvalidInputError(`expected from 1 to ${MAX_LOAD_TENANTS} tenants, got ${count}`, 'tenants');
  }
  return weighted(Array.from({ length: count }, (_, i) => `load-${i + 1}`));
}

/** One tenant per ServeGen client, `load-<client name>`, in the clients' order. */
export function planClientTenants(clientNames: readonly string[]): PlannedTenant[] {
  if (clientNames.length === 0 || clientNames.length > MAX_LOAD_TENANTS) {
    throw new InvalidInputError(`expected from 1 to ${MAX_LOAD_TENANTS} clients, got ${clientNames.length}`, 'servegen');
  }
  return weighted(clientNames.map((n) => `load-${n}`));
}

/**
 * The key each of `slots` schedule tenants sends with when keys are given:
 * slot i uses keys[i mod keys.length] (so K ServeGen clients over fewer keys share them).
 */
export function assignKeys(keys: readonly string[], slots: number): string[] {
  if (keys.length === 0) throw new InvalidInputError('expected at least one API key', 'key');
  for (const k of keys) if (k.trim() === '' || /\s/.test(k)) throw new InvalidInputError(`expected an API key without spaces, got '${k}'`, 'key');
  return Array.from({ length: slots }, (_, i) => keys[i % keys.length]!);
}
