import { describe, expect, it } from 'vitest';
import { newRequestId } from './request-id.js';

describe('newRequestId', () => {
  it('gives the prefix and 28 hex characters, all distinct across many pool refills', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newRequestId(i % 2 === 0 ? 'chatcmpl-' : 'req-');
      expect(id).toMatch(/^(chatcmpl|req)-[0-9a-f]{28}$/);
      ids.add(id.slice(id.indexOf('-') + 1));
    }
    expect(ids.size).toBe(5000);
  });

  it('starts with the creation time, so that ids sort in creation order across milliseconds', () => {
    const t = Date.UTC(2026, 10, 29, 12, 0, 0);
    const ids = [t + 1, t, t + 1000, t + 2, 0].map((ms) => newRequestId('chatcmpl-', ms));
    expect(ids[1]!.slice('chatcmpl-'.length, 'chatcmpl-'.length + 12)).toBe(t.toString(16).padStart(12, '0'));
    expect(ids[4]!.slice('chatcmpl-'.length, 'chatcmpl-'.length + 12)).toBe('000000000000');
    expect([...ids].sort()).toEqual([ids[4], ids[1], ids[0], ids[3], ids[2]]);
  });
});
