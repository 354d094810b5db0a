import { describe, expect, it } from 'vitest';
import { generateApiKey, hashSecret, parseApiKey, redactKey, verifyApiKey } from './api-key.js';

describe('api keys', () => {
  it('generates tf-<keyId>-<secret> keys whose hash verifies', () => {
    const { key, keyId, hash } = generateApiKey();
    expect(key).toMatch(/^tf-[0-9a-f]{12}-[A-Za-z0-9_-]{43}$/);
    expect(key.startsWith(`tf-${keyId}-`)).toBe(true);
    expect(hash).toBe(hashSecret(key));
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(verifyApiKey(key, hash)).toBe(true);
    expect(parseApiKey(`Bearer ${key}`)).toEqual({ keyId, key });
  });

  it('gives different keys each time', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(a.key).not.toBe(b.key);
    expect(a.keyId).not.toBe(b.keyId);
  });

  it('rejects a wrong key', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(verifyApiKey(b.key, a.hash)).toBe(false);
    const flipped = a.key.slice(0, -1) + (a.key.endsWith('A') ? 'B' : 'A');
    expect(verifyApiKey(flipped, a.hash)).toBe(false);
  });

  it('fails without throwing on inputs of different lengths', () => {
    const { key, hash } = generateApiKey();
    expect(() => verifyApiKey(key, hash.slice(0, 10))).not.toThrow();
    expect(verifyApiKey(key, hash.slice(0, 10))).toBe(false);
    expect(verifyApiKey(key, hash + '00')).toBe(false);
    expect(verifyApiKey(key, '')).toBe(false);
    expect(verifyApiKey(key, 'zz'.repeat(32))).toBe(false);
    expect(verifyApiKey('', hash)).toBe(false);
    expect(verifyApiKey(key + 'x', hash)).toBe(false);
  });

  it('accepts the bearer scheme in any case, with spaces around', () => {
    const { key, keyId } = generateApiKey();
    expect(parseApiKey(`bearer ${key}`)).toEqual({ keyId, key });
    expect(parseApiKey(`  BEARER   ${key}  `)).toEqual({ keyId, key });
  });

  it('returns undefined for malformed headers', () => {
    const { key, keyId } = generateApiKey();
    const secret = key.slice(`tf-${keyId}-`.length);
    for (const header of [
      undefined,
      '',
      'Bearer',
      'Bearer ',
      key,
      `Basic ${key}`,
      `Bearer ${key} extra`,
      `Bearer sk-${keyId}-${secret}`,
      `Bearer tf-${keyId}${secret}`,
      `Bearer tf-${keyId.slice(1)}-${secret}`,
      `Bearer tf-${keyId.toUpperCase()}x-${secret}`,
      `Bearer tf-${keyId}-${secret.slice(1)}`,
      `Bearer tf-${keyId}-${secret}A`,
      `Bearer tf-${keyId}-${secret.slice(1)}=`,
    ]) {
      expect(parseApiKey(header), String(header)).toBeUndefined();
    }
  });

  it('redacts the secret', () => {
    for (let i = 0; i < 20; i++) {
      const { key, keyId } = generateApiKey();
      const secret = key.slice(`tf-${keyId}-`.length);
      const shown = redactKey(key);
      expect(shown).toBe(`tf-${keyId}-****`);
      expect(shown).not.toContain(secret);
      expect(shown).not.toContain(secret.slice(0, 4));
    }
    expect(redactKey('tf-short')).toBe('****');
    expect(redactKey('sk-some-other-secret')).toBe('****');
  });
});
