import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { decodeLedgerCursor, encodeLedgerCursor } from './ledger-cursor.js';

describe('ledger cursor', () => {
  it('round-trips a key, including odd request ids', () => {
    for (const key of [
      { createdAtMs: 0, requestId: '' },
      { createdAtMs: 1_767_225_600_000, requestId: 'req_01J"\\/é' },
    ]) {
      const c = encodeLedgerCursor(key);
      expect(c).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeLedgerCursor(c)).toEqual(key);
    }
  });

  it.each([
    ['empty', ''],
    ['not base64url', 'a+b/c='],
    ['not JSON', Buffer.from('hello').toString('base64url')],
    ['wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['non-integer time', Buffer.from('[1.5,"r"]').toString('base64url')],
    ['non-string id', Buffer.from('[1,2]').toString('base64url')],
  ])('rejects a cursor that is %s', (_what, cursor) => {
    expect(() => decodeLedgerCursor(cursor)).toThrow(InvalidInputError);
  });
});
