import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { ROUTER_NAMES, ROUTERS, makeRouter } from './index.js';

describe('makeRouter', () => {
  it('makes every registered router, each with its own state', () => {
    expect(Object.keys(ROUTERS)).toEqual([...ROUTER_NAMES]);
    for (const name of ROUTER_NAMES) expect(makeRouter(name).name).toBe(name);
    expect(makeRouter('round-robin')).not.toBe(makeRouter('round-robin'));
  });

  it('rejects an unknown name, listing the valid ones', () => {
    expect(() => makeRouter('nope')).toThrow(InvalidInputError);
    expect(() => makeRouter('nope')).toThrow(`--router: unknown router 'nope'; valid routers: ${ROUTER_NAMES.join(', ')}`);
    expect(() => makeRouter('toString')).toThrow(InvalidInputError);
  });
});
