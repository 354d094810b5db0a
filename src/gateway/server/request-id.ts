/**
 * @module Request ids: a prefix (`chatcmpl-` for chat completions, `cmpl-`
 * for completions, as OpenAI names them; `req-` for the other routes) and 24
 * random hex characters (96 bits), unique across instances without
 * coordination.
 */
import { randomBytes } from 'node:crypto';

export type RequestIdPrefix = 'chatcmpl-' | 'cmpl-' | 'req-';

export function newRequestId(prefix: RequestIdPrefix): string {
  return prefix + randomBytes(12).toString('hex');
}
