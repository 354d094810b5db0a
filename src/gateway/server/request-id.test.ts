import { describe, expect, it } from 'vitest';
import { newRequestId } from './request-id.js';

describe('newRequestId', () => {
  it('gives the prefix and 24 hex characters, all distinct across many pool refills', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const id = newRequestId(i % 2 === 0 ? 'chatcmpl-' : 'req-');
      expect(id).toMatch(/^(chatcmpl|req)-[0-9a-f]{24}$/);
      ids.add(id.slice(id.indexOf('-') + 1));
    }
    expect(ids.size).toBe(5000);
  });
});
