import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { validateTenantInput } from './tenant.js';

function whereOf(body: unknown): string | undefined {
  try {
    validateTenantInput(body);
  } catch (e) {
    expect(e).toBeInstanceOf(InvalidInputError);
    return (e as InvalidInputError).where;
  }
  throw new Error('expected validateTenantInput to throw');
}

describe('validateTenantInput', () => {
  it('normalises a minimal tenant', () => {
    expect(validateTenantInput({ name: '  acme ' })).toEqual({ name: 'acme', weight: 1 });
  });

  it('keeps every field of a full tenant and de-duplicates models', () => {
    expect(
      validateTenantInput({ name: 'acme', budgetUsdPerMonth: 0, rpm: 60, tpm: 100_000, weight: 1000, models: ['a', 'b', 'a'] }),
    ).toEqual({ name: 'acme', budgetUsdPerMonth: 0, rpm: 60, tpm: 100_000, weight: 1000, models: ['a', 'b'] });
  });

  it.each([
    [{}, 'name'],
    [{ name: '' }, 'name'],
    [{ name: '   ' }, 'name'],
    [{ name: 'x'.repeat(101) }, 'name'],
    [{ name: 'a', budgetUsdPerMonth: -1 }, 'budgetUsdPerMonth'],
    [{ name: 'a', rpm: 0 }, 'rpm'],
    [{ name: 'a', rpm: 1.5 }, 'rpm'],
    [{ name: 'a', tpm: -3 }, 'tpm'],
    [{ name: 'a', weight: 0 }, 'weight'],
    [{ name: 'a', weight: 1000.5 }, 'weight'],
    [{ name: 'a', models: 'gpt' }, 'models'],
    [{ name: 'a', models: ['ok', 3] }, 'models[1]'],
    [{ name: 'a', models: ['ok', ''] }, 'models[1]'],
    [null, '(top level)'],
    ['tenant', '(top level)'],
  ])('rejects %j at %s', (body, where) => {
    expect(whereOf(body)).toBe(where);
  });

  it('rejects unknown fields (catches typos such as rpmLimit)', () => {
    expect(() => validateTenantInput({ name: 'a', rpmLimit: 5 })).toThrow(InvalidInputError);
  });

  it('mentions every bad field', () => {
    expect(() => validateTenantInput({ name: '', rpm: 0 })).toThrow(/name: .*also rpm: /);
  });
});
