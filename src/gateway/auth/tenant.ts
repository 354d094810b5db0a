/**
 * @module Tenants and their API keys as data, and the validation of a tenant
 * as written by an administrator (the body of a create or update request).
 */
import { z } from 'zod';
import { InvalidInputError } from '../../core/errors.js';

/** A customer of the gateway, with its limits. An absent limit means "no limit". */
export interface Tenant {
  readonly id: string;
  readonly name: string;
  /** Spend allowed per calendar month (UTC), in US dollars. */
  readonly budgetUsdPerMonth?: number;
  /** Requests allowed per minute (sliding 60 s window). */
  readonly rpm?: number;
  /** Tokens (input + output) allowed per minute (sliding 60 s window). */
  readonly tpm?: number;
  /** Share of contended capacity relative to other tenants (dimensionless, default 1). */
  readonly weight: number;
  /** Model ids the tenant may call; undefined allows every model. */
  readonly models?: readonly string[];
  /** Creation time, in milliseconds since the Unix epoch. */
  readonly createdAtMs: number;
}

/** A stored API key. The key itself is never stored, only its SHA-256 hash. */
export interface TenantKey {
  /** Public part of the key, `tf-<keyId>-...`. */
  readonly keyId: string;
  readonly tenantId: string;
  /** SHA-256 hex of the full key (see hashSecret). */
  readonly hash: string;
  /** Creation time, in milliseconds since the Unix epoch. */
  readonly createdAtMs: number;
  /** Revocation time, in milliseconds since the Unix epoch; a key with one set is refused. */
  readonly revokedAtMs?: number;
}

export const tenantInputSchema = z
  .object({
    name: z.string().trim().min(1).max(100).describe('Display name, 1 to 100 characters'),
    budgetUsdPerMonth: z.number().min(0).optional().describe('Monthly budget in US dollars; omit for none'),
    rpm: z.number().int().positive().optional().describe('Requests per minute; omit for none'),
    tpm: z.number().int().positive().optional().describe('Tokens (input + output) per minute; omit for none'),
    weight: z.number().positive().max(1000).default(1).describe('Fair-share weight, in (0, 1000]'),
    models: z
      .array(z.string().trim().min(1))
      .optional()
      .transform((m) => (m === undefined ? undefined : [...new Set(m)]))
      .describe('Allowed model ids; omit to allow all'),
  })
  .strict();

/** A tenant as given by an administrator, normalised (name trimmed, weight defaulted, models de-duplicated). */
export type TenantInput = z.output<typeof tenantInputSchema>;

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i > 0 ? '.' : ''}${String(p)}`)).join('');
}

/**
 * Validates a tenant body. Throws InvalidInputError whose `where` is the path
 * of the first bad field (e.g. `models[2]`); the message lists the others.
 */
export function validateTenantInput(body: unknown): TenantInput {
  const r = tenantInputSchema.safeParse(body);
  if (r.success) return r.data;
  const [first, ...rest] = r.error.issues;
  if (first === undefined) throw new InvalidInputError('invalid tenant');
  const more = rest.map((i) => `${pathOf(i.path) || '(top level)'}: ${i.message}`);
  throw new InvalidInputError(
    first.message + (more.length > 0 ? `; also ${more.join('; ')}` : ''),
    pathOf(first.path) || '(top level)',
  );
}
