import { describe, expect, it } from 'vitest';
import { InvalidInputError, NoSuchEntryError } from '../errors.js';
import { ACCELERATORS } from './accelerators.js';
import { getAccelerator, listAccelerators, overrideAccelerator, type AcceleratorOverrides } from './find-accelerator.js';

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('listAccelerators', () => {
  it('lists the whole catalogue', () => {
    expect(listAccelerators()).toBe(ACCELERATORS);
  });
});

describe('getAccelerator', () => {
  it('finds every id and alias, case-insensitively', () => {
    for (const a of listAccelerators()) {
      expect(getAccelerator(a.id)).toBe(a);
      expect(getAccelerator(a.id.toUpperCase())).toBe(a);
      for (const alias of a.aliases) expect(getAccelerator(alias), alias).toBe(a);
    }
  });

  it('resolves the AIConfigurator-style aliases', () => {
    const cases: Record<string, string> = {
      h100_sxm: 'h100-sxm', h200_sxm: 'h200-sxm', b200_sxm: 'b200-sxm', gb200: 'gb200',
      b300_sxm: 'b300-sxm', gb300: 'gb300', GB200_SXM: 'gb200',
    };
    for (const [alias, id] of Object.entries(cases)) expect(getAccelerator(alias).id, alias).toBe(id);
  });

  it('accepts display names when they name a single accelerator', () => {
    const cases: Record<string, string> = {
      H200: 'h200-sxm', h200: 'h200-sxm', 'H200 SXM': 'h200-sxm', 'NVIDIA H200 SXM': 'h200-sxm', H20: 'h20',
      B200: 'b200-sxm', A100: 'a100-80g', 'Ascend 910C': 'ascend-910c', 'Huawei Ascend 910B': 'ascend-910b',
      'MTT S4000': 'mtt-s4000', 'AMD Instinct MI300X': 'mi300x', ' mi355x ': 'mi355x',
    };
    for (const [name, id] of Object.entries(cases)) expect(getAccelerator(name).id, name).toBe(id);
  });

  it('rejects an unknown id, listing the closest matches', () => {
    const e = thrown(() => getAccelerator('h2000'));
    expect(e).toBeInstanceOf(NoSuchEntryError);
    const err = e as NoSuchEntryError;
    expect(err.kind).toBe('accelerator');
    expect(err.id).toBe('h2000');
    expect(err.closest.slice(0, 2)).toEqual(expect.arrayContaining(['h200-sxm', 'h20']));
    expect(err.message).toMatch(/h200-sxm/);
  });

  it('rejects an ambiguous name rather than guessing', () => {
    const err = thrown(() => getAccelerator('Ascend 910')) as NoSuchEntryError;
    expect(err).toBeInstanceOf(NoSuchEntryError);
    expect(err.closest).toEqual(expect.arrayContaining(['ascend-910b', 'ascend-910c']));
  });
});

describe('overrideAccelerator', () => {
  const base = getAccelerator('inhouse-h20class');

  it('replaces the given numbers, marking them as user assumptions', () => {
    const o = overrideAccelerator(base, {
      memoryBytes: 128e9,
      memoryBandwidthBytesPerSecond: 5e12,
      peakFlopsPerSecond: { fp8: 400e12, fp4: 800e12 },
      tdpWatts: 350,
      priceUsd: 5000,
      scaleUpBandwidthBytesPerSecond: 200e9,
    });
    const replaced = [
      o.memoryBytes, o.memoryBandwidthBytesPerSecond, o.peakFlopsPerSecond.fp8, o.peakFlopsPerSecond.fp4,
      o.tdpWatts, o.priceUsd, o.scaleUp.bandwidthBytesPerSecond,
    ];
    for (const f of replaced) {
      expect(f.confidence).toBe('assumption');
      expect(f.source).toBe('user override');
    }
    expect(o.memoryBytes.value).toBe(128e9);
    expect(o.memoryBandwidthBytesPerSecond.value).toBe(5e12);
    expect(o.peakFlopsPerSecond.fp8.value).toBe(400e12);
    expect(o.peakFlopsPerSecond.fp4.value).toBe(800e12);
    expect(o.peakFlopsPerSecond.fp4.note).toMatch(/unknown/);
    expect(o.scaleUp.bandwidthBytesPerSecond.value).toBe(200e9);
    expect(o.notes).toMatch(/Overridden by user: .*memoryBytes/);
  });

  it('leaves other facts and the base spec untouched', () => {
    const h200 = getAccelerator('h200-sxm');
    const o = overrideAccelerator(h200, { peakFlopsPerSecond: { bf16: 900e12 } });
    expect(o.peakFlopsPerSecond.bf16.value).toBe(900e12);
    expect(o.peakFlopsPerSecond.bf16.note).toMatch(/989000000000000 \(datasheet\)/);
    expect(o.peakFlopsPerSecond.fp8).toBe(h200.peakFlopsPerSecond.fp8);
    expect(o.memoryBytes).toBe(h200.memoryBytes);
    expect(o.scaleUp.domainSize).toBe(h200.scaleUp.domainSize);
    expect(o.id).toBe('h200-sxm');
    expect(o.aliases).toEqual(h200.aliases);
    expect(h200.peakFlopsPerSecond.bf16.value).toBe(989e12);
    expect(h200.notes).toBeUndefined();
  });

  it('renames, dropping the aliases of the base', () => {
    const o = overrideAccelerator(getAccelerator('h200-sxm'), { id: 'h200-derated', name: 'H200 at 500 W' });
    expect(o.id).toBe('h200-derated');
    expect(o.name).toBe('H200 at 500 W');
    expect(o.aliases).toEqual([]);
  });

  it('accepts zero for price, power and scale-up bandwidth', () => {
    const o = overrideAccelerator(base, { priceUsd: 0, tdpWatts: 0, scaleUpBandwidthBytesPerSecond: 0 });
    expect(o.priceUsd.value).toBe(0);
  });

  it('rejects negative, zero capacities and non-finite numbers, naming the field', () => {
    const bad: Array<[AcceleratorOverrides, string]> = [
      [{ memoryBytes: -1 }, 'memoryBytes'],
      [{ memoryBytes: 0 }, 'memoryBytes'],
      [{ memoryBandwidthBytesPerSecond: Number.NaN }, 'memoryBandwidthBytesPerSecond'],
      [{ peakFlopsPerSecond: { fp8: Number.POSITIVE_INFINITY } }, 'peakFlopsPerSecond.fp8'],
      [{ tdpWatts: -5 }, 'tdpWatts'],
      [{ priceUsd: -1 }, 'priceUsd'],
      [{ scaleUpBandwidthBytesPerSecond: -1 }, 'scaleUpBandwidthBytesPerSecond'],
      [{ peakFlopsPerSecond: { fp16: 1e12 } as AcceleratorOverrides['peakFlopsPerSecond'] }, 'peakFlopsPerSecond.fp16'],
      [{ id: 'Not Kebab' }, 'id'],
      [{ name: ' ' }, 'name'],
    ];
    for (const [overrides, field] of bad) {
      const e = thrown(() => overrideAccelerator(base, overrides));
      expect(e, field).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).where, field).toBe(field);
    }
  });
});
