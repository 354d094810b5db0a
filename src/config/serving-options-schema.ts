/** @module zod schemas of the serving options that simulation scenarios, plan scenarios and gateway configs share. */
import { z } from 'zod';

const FRACTION = 'expected a fraction of device memory above 0 and at most 1';

/** A memory utilization: a fraction of device memory above 0 and at most 1 (describe it where it is used). */
export const memoryUtilizationSchema = z.number().gt(0, FRACTION).max(1, FRACTION);

/** Speculative decoding with a one-layer drafter (describe it where it is used). */
export const speculativeSchema = z
  .object({
    draftTokens: z.number().int('expected a whole number').min(1, 'expected 1 to 8 drafted tokens').max(8, 'expected 1 to 8 drafted tokens').describe('Tokens a one-layer drafter (DeepSeek MTP, EAGLE) proposes per step'),
    acceptanceRate: z
      .number()
      .min(0, 'expected a probability of at least 0 and below 1')
      .lt(1, 'expected a probability of at least 0 and below 1')
      .describe('Probability that a drafted token is accepted given the ones before it were (depends on the model, the drafter and the traffic; measure it)'),
  })
  .strict();
