/**
 * @module Request ids: a prefix (`chatcmpl-` for chat completions, `cmpl-`
 * for completions, as OpenAI names them; `req-` for the other routes) and 24
 * random hex characters (96 bits), unique across instances without
 * coordination.
 *
 * The random bytes come from a pool refilled 4 KiB at a time (341 ids per
 * refill): one randomBytes call per id cost more than the rest of the id on
 * the gateway's hot path.
 */
import { randomFillSync } from 'node:crypto';

export type RequestIdPrefix = 'chatcmpl-' | 'cmpl-' | 'req-';

/** Random bytes per id (96 bits). */
const ID_BYTES = 12;
const POOL_BYTES = 4092;
const pool = Buffer.alloc(POOL_BYTES);
let offset = POOL_BYTES;

export function newRequestId(prefix: RequestIdPrefix): string {
  if (offset + ID_BYTES > POOL_BYTES) {
    randomFillSync(pool);
    offset = 0;
  }
  const id = prefix + pool.toString('hex', offset, offset + ID_BYTES);
  offset += ID_BYTES;
  return id;
}
