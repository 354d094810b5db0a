import { describe, expect, it } from 'vitest';
import { assignKeys, planClientTenants, planLoadTenants } from './tenant-plan.js';

describe('tenant plans', () => {
  it('names tenants load-1..K with weights 1, 2, 4 in turn', () => {
    expect(planLoadTenants(4)).toEqual([
      { name: 'load-1', weight: 1 },
      { name: 'load-2', weight: 2 },
      { name: 'load-3', weight: 4 },
      { name: 'load-4', weight: 1 },
    ]);
    expect(() => planLoadTenants(0)).toThrow(/tenants/);
    expect(() => planLoadTenants(1.5)).toThrow(/tenants/);
  });

  it('maps ServeGen clients to tenants in order', () => {
    expect(planClientTenants(['client-3', 'client-9']).map((t) => t.name)).toEqual(['load-client-3', 'load-client-9']);
    expect(() => planClientTenants([])).toThrow(/clients/);
  });

  it('spreads schedule tenants over the given keys', () => {
    expect(assignKeys(['a', 'b'], 5)).toEqual(['a', 'b', 'a', 'b', 'a']);
    expect(() => assignKeys([], 1)).toThrow(/key/);
    expect(() => assignKeys(['has space'], 1)).toThrow(/without spaces/);
  });
});
