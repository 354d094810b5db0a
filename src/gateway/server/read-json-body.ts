/**
 * @module Reading a request body as JSON under a size limit. A body over the
 * limit is refused as soon as its declared length (or the bytes received so
 * far) exceed it; the rest is drained rather than read into memory, so the
 * client still receives the 413 (sent with `Connection: close`).
 */
import type { IncomingMessage } from 'node:http';
import { InvalidRequestError, PayloadTooLargeError } from './gateway-errors.js';

/** The body's bytes, at most `maxBytes`. @throws PayloadTooLargeError */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    req.resume();
    return Promise.reject(new PayloadTooLargeError(maxBytes));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > maxBytes) {
        failed = true;
        chunks.length = 0;
        reject(new PayloadTooLargeError(maxBytes));
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.once('error', (err) => {
      if (failed) return;
      failed = true;
      reject(err);
    });
  });
}

/** The body parsed as JSON. @throws PayloadTooLargeError, InvalidRequestError (empty or malformed) */
export async function readJsonBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const bytes = await readBody(req, maxBytes);
  if (bytes.length === 0) throw new InvalidRequestError('expected a JSON body, got an empty one');
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (e) {
    throw new InvalidRequestError(`malformed JSON in the request body: ${(e as Error).message}`);
  }
}
