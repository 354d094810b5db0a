/**
 * @module Gateway API keys: `tf-<keyId>-<secret>`, generated from node:crypto,
 * stored only as a SHA-256 hash, compared in constant time, redacted in logs.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A freshly generated key. `key` is shown to the user once and never stored. */
export interface GeneratedApiKey {
  /** The full key, `tf-<keyId>-<secret>`. */
  key: string;
  /** 12 lowercase hex characters; public, used to look the stored hash up. */
  keyId: string;
  /** SHA-256 hex of the full key: the only thing that is stored. */
  hash: string;
}

const KEY_PATTERN = /^tf-([0-9a-f]{12})-([A-Za-z0-9_-]{43})$/;
const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** A new key: a 48-bit random key id and a 256-bit random secret (base64url, 43 characters). */
export function generateApiKey(): GeneratedApiKey {
  const keyId = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const key = `tf-${keyId}-${secret}`;
  return { key, keyId, hash: hashSecret(key) };
}

/**
 * SHA-256 hex of the full key.
 *
 * A fast hash is enough here, unlike for passwords: slow hashes (bcrypt,
 * scrypt, argon2) exist to make guessing low-entropy human secrets expensive.
 * Our secrets are 256 random bits, so even a leaked hash cannot be inverted by
 * guessing at any hash rate, and a slow hash would only add milliseconds of
 * CPU to every request on the hot path.
 */
export function hashSecret(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Reads an `Authorization` header of the form `Bearer tf-<keyId>-<secret>`
 * (scheme case-insensitive, surrounding spaces ignored). Anything else,
 * including a bare key or a key of the wrong shape, gives undefined.
 */
export function parseApiKey(header: string | undefined): { keyId: string; key: string } | undefined {
  if (header === undefined) return undefined;
  const m = /^\s*bearer\s+(\S+)\s*$/i.exec(header);
  const key = m?.[1];
  if (key === undefined) return undefined;
  const parts = KEY_PATTERN.exec(key);
  const keyId = parts?.[1];
  return keyId === undefined ? undefined : { keyId, key };
}

/**
 * Whether `key` hashes to `storedHash`, compared in constant time. A stored
 * hash of the wrong shape or length gives false rather than throwing (
 * timingSafeEqual throws on buffers of different lengths).
 */
export function verifyApiKey(key: string, storedHash: string): boolean {
  if (!HASH_PATTERN.test(storedHash)) return false;
  const actual = Buffer.from(hashSecret(key), 'hex');
  const expected = Buffer.from(storedHash, 'hex');
  if (actual.length !== expected.length) return false;
  return timingSafeEqual(actual, expected);
}

/** The key as it may appear in logs: `tf-<keyId>-****`, or `****` when it is not a well-formed key. */
export function redactKey(key: string): string {
  const keyId = KEY_PATTERN.exec(key.trim())?.[1];
  return keyId === undefined ? '****' : `tf-${keyId}-****`;
}
