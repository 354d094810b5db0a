/** @module Validates CLI options with zod and turns failures into exit-code-2 errors naming the option. */
import { z } from 'zod';
import { InvalidInputError } from '../core/errors.js';

/** A positive integer given as a CLI string. */
export const positiveInt = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').positive('expected a positive number');

/** A fraction of device memory given as a CLI string: above 0, at most 1 (e.g. --memory-utilization 0.95). */
export const memoryFraction = z.coerce
  .number({ error: 'expected a number' })
  .gt(0, 'expected a fraction of device memory above 0 and at most 1')
  .max(1, 'expected a fraction of device memory above 0 and at most 1');

export function parseOptions<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  const first = r.error.issues[0]!;
  const key = first.path.map(String).join('.');
  const flag = '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
  const got = first.path.reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), raw);
  throw new InvalidInputError(`${first.message}${got !== undefined ? `, got '${String(got)}'` : ''}`, flag);
}

/** Tokens drafted per speculative step, 1..8. */
export const draftTokenCount = z.coerce.number({ error: 'expected a number' }).int('expected a whole number').min(1, 'expected 1 to 8 drafted tokens').max(8, 'expected 1 to 8 drafted tokens');

/** Per-token acceptance probability of drafted tokens, 0 <= a < 1. */
export const acceptanceProbability = z.coerce.number({ error: 'expected a number' }).min(0, 'expected a probability of at least 0 and below 1').lt(1, 'expected a probability of at least 0 and below 1');
