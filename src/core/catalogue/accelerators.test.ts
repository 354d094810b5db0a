import { describe, expect, it } from 'vitest';
import { ACCELERATOR_FAMILIES, ENGINE_IDS, VENDORS, type AcceleratorSpec } from './accelerator-spec.js';
import { ACCELERATORS as CATALOGUE } from './accelerators.js';
import { CONFIDENCES, type Fact } from './fact.js';
import { peakPrecisionFor, PRECISIONS, type PeakPrecision } from './precision.js';

const REQUIRED: Record<string, AcceleratorSpec['family']> = {
  'a100-80g': 'ampere', 'h100-sxm': 'hopper', 'h800-sxm': 'hopper', 'h200-sxm': 'hopper', h20: 'hopper',
  'b200-sxm': 'blackwell', gb200: 'blackwell', 'b300-sxm': 'blackwell-ultra', gb300: 'blackwell-ultra',
  'rtx-pro-6000d': 'blackwell-workstation', mi300x: 'cdna3', mi325x: 'cdna3', mi355x: 'cdna4',
  'ascend-910b': 'ascend', 'ascend-910c': 'ascend', 'ascend-950pr': 'ascend', 'ascend-950dt': 'ascend',
  'mlu370-x8': 'cambricon', mlu590: 'cambricon', 'mtt-s4000': 'moore-threads', 'mtt-s5000': 'moore-threads',
  'metax-c500': 'metax', 'metax-c600': 'metax', 'kunlunxin-p800': 'kunlun', 'hygon-k100': 'hygon',
  'biren-br104': 'biren', 'inhouse-h20class': 'inhouse',
};

/** Widened to the spec type, so that tests may ask about any engine or precision. */
const ACCELERATORS: readonly AcceleratorSpec[] = CATALOGUE;

const PEAKS: readonly PeakPrecision[] = ['bf16', 'fp8', 'int8', 'fp4'];

/** Every Fact of a spec with its dotted path. */
function factsOf(s: AcceleratorSpec): Array<[string, Fact<unknown>]> {
  return [
    ['memoryBytes', s.memoryBytes],
    ['memoryType', s.memoryType],
    ['memoryBandwidthBytesPerSecond', s.memoryBandwidthBytesPerSecond],
    ...PEAKS.map((p): [string, Fact<unknown>] => [`peakFlopsPerSecond.${p}`, s.peakFlopsPerSecond[p]]),
    ['scaleUp.name', s.scaleUp.name],
    ['scaleUp.bandwidthBytesPerSecond', s.scaleUp.bandwidthBytesPerSecond],
    ['scaleUp.domainSize', s.scaleUp.domainSize],
    ['scaleOut.name', s.scaleOut.name],
    ['scaleOut.bandwidthBytesPerSecond', s.scaleOut.bandwidthBytesPerSecond],
    ['tdpWatts', s.tdpWatts],
    ['priceUsd', s.priceUsd],
    ['availableFrom', s.availableFrom],
  ];
}

function spec(id: string): AcceleratorSpec {
  const s = ACCELERATORS.find((a) => a.id === id);
  if (s === undefined) throw new Error(`missing ${id}`);
  return s;
}

function factAt(id: string, path: string): Fact<unknown> {
  const f = factsOf(spec(id)).find(([p]) => p === path);
  if (f === undefined) throw new Error(`no fact ${path}`);
  return f[1];
}

/** Values the reference CSV marks ESTIMATE / UNVERIFIED / uncertain. */
const CSV_MARKED: ReadonlyArray<[string, string]> = [
  ['h100-sxm', 'priceUsd'], ['h800-sxm', 'tdpWatts'], ['h20', 'memoryType'],
  ['b200-sxm', 'memoryBytes'], ['b200-sxm', 'memoryBandwidthBytesPerSecond'],
  ['rtx-pro-6000d', 'memoryBytes'], ['rtx-pro-6000d', 'memoryBandwidthBytesPerSecond'], ['rtx-pro-6000d', 'tdpWatts'],
  ['rtx-pro-6000d', 'peakFlopsPerSecond.bf16'], ['rtx-pro-6000d', 'peakFlopsPerSecond.fp8'], ['rtx-pro-6000d', 'peakFlopsPerSecond.int8'],
  ['ascend-910b', 'memoryBandwidthBytesPerSecond'], ['ascend-910b', 'peakFlopsPerSecond.bf16'], ['ascend-910b', 'tdpWatts'],
  ['ascend-910c', 'memoryBandwidthBytesPerSecond'], ['ascend-910c', 'peakFlopsPerSecond.bf16'], ['ascend-910c', 'peakFlopsPerSecond.int8'],
  ['ascend-910c', 'priceUsd'],
  ['ascend-950pr', 'memoryBytes'], ['ascend-950pr', 'peakFlopsPerSecond.fp8'], ['ascend-950pr', 'peakFlopsPerSecond.fp4'],
  ['ascend-950dt', 'peakFlopsPerSecond.fp8'], ['ascend-950dt', 'availableFrom'],
  ['mtt-s4000', 'tdpWatts'], ['mtt-s5000', 'peakFlopsPerSecond.fp8'], ['mtt-s5000', 'availableFrom'],
  ['metax-c500', 'memoryBytes'], ['metax-c500', 'memoryBandwidthBytesPerSecond'], ['metax-c500', 'peakFlopsPerSecond.bf16'],
  ['metax-c500', 'peakFlopsPerSecond.int8'], ['metax-c500', 'tdpWatts'],
  ['hygon-k100', 'memoryBytes'],
  ['biren-br104', 'peakFlopsPerSecond.bf16'], ['biren-br104', 'peakFlopsPerSecond.int8'],
];

describe('ACCELERATORS', () => {
  it('has every required id with its family', () => {
    for (const [id, family] of Object.entries(REQUIRED)) expect(spec(id).family, id).toBe(family);
  });

  it('has unique kebab-case ids, and aliases that clash with no id or alias', () => {
    const ids = ACCELERATORS.map((a) => a.id);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
    const names = ACCELERATORS.flatMap((a) => [a.id, ...a.aliases]).map((n) => n.toLowerCase());
    expect(new Set(names).size).toBe(names.length);
  });

  it('uses only known vendors, families, precisions and engines', () => {
    for (const a of ACCELERATORS) {
      expect(VENDORS).toContain(a.vendor);
      expect(ACCELERATOR_FAMILIES).toContain(a.family);
      for (const p of a.precisions) expect(PRECISIONS).toContain(p);
      for (const e of a.engines) expect(ENGINE_IDS).toContain(e);
      expect(a.precisions, a.id).toContain('bf16');
      expect(a.engines, a.id).toContain('generic');
    }
  });

  it('runs trtllm only on Nvidia and mindie only on Huawei', () => {
    for (const a of ACCELERATORS) {
      expect(a.engines.includes('trtllm'), a.id).toBe(a.vendor === 'Nvidia');
      expect(a.engines.includes('mindie'), a.id).toBe(a.vendor === 'Huawei');
    }
  });

  it('gives every fact a source, a valid confidence, and a null value exactly when unknown', () => {
    for (const a of ACCELERATORS) {
      for (const [path, f] of factsOf(a)) {
        const where = `${a.id}.${path}`;
        expect(f.source.trim(), where).not.toBe('');
        expect(CONFIDENCES, where).toContain(f.confidence);
        expect(f.value === null, where).toBe(f.confidence === 'unknown');
        if (typeof f.value === 'number') expect(Number.isFinite(f.value) && f.value > 0, where).toBe(true);
        if (typeof f.value === 'string') expect(f.value.trim(), where).not.toBe('');
        if (f.confidence === 'estimate') expect(f.note ?? '', where).not.toBe('');
      }
    }
  });

  it('keeps values the reference CSV marks uncertain out of "datasheet", with the marking in the note', () => {
    for (const [id, path] of CSV_MARKED) {
      const f = factAt(id, path);
      expect(f.confidence, `${id}.${path}`).not.toBe('datasheet');
      if (f.confidence === 'estimate') expect(f.note, `${id}.${path}`).toMatch(/ESTIMATE|UNVERIFIED/);
    }
  });

  it('marks every CSV-sourced estimate ESTIMATE or UNVERIFIED, and no such note is "datasheet"', () => {
    for (const a of ACCELERATORS) {
      for (const [path, f] of factsOf(a)) {
        const where = `${a.id}.${path}`;
        if (f.confidence === 'estimate' && f.source.includes('accelerators.csv')) expect(f.note, where).toMatch(/ESTIMATE|UNVERIFIED/);
        if (/ESTIMATE|UNVERIFIED/.test(f.note ?? '')) expect(f.confidence, where).not.toBe('datasheet');
      }
    }
  });

  it('notes a peak as "not native" exactly when no listed precision runs at that rate', () => {
    for (const a of ACCELERATORS) {
      for (const p of PEAKS) {
        const runs = a.precisions.some((q) => peakPrecisionFor(q) === p);
        const f = a.peakFlopsPerSecond[p];
        expect((f.note ?? '').startsWith('not native'), `${a.id}.${p}`).toBe(!runs);
        if (!runs) expect(f.value, `${a.id}.${p}`).toBeNull();
      }
    }
  });

  it('dates prices YYYY-MM and availability YYYY, YYYY-MM or YYYY-Qn', () => {
    for (const a of ACCELERATORS) {
      expect(a.priceDate, a.id).toMatch(/^\d{4}-(0[1-9]|1[0-2])$/);
      if (a.availableFrom.value !== null) expect(a.availableFrom.value, a.id).toMatch(/^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/);
      expect(a.exportStatus.trim(), a.id).not.toBe('');
    }
  });

  it('stores figures in bytes, bytes per second and FLOP/s', () => {
    const h200 = spec('h200-sxm');
    expect(h200.memoryBytes.value).toBe(141e9);
    expect(h200.memoryBandwidthBytesPerSecond.value).toBe(4.8e12);
    expect(h200.peakFlopsPerSecond.bf16.value).toBe(989e12);
    expect(h200.peakFlopsPerSecond.fp8.value).toBe(1979e12);
    expect(h200.scaleUp.bandwidthBytesPerSecond.value).toBe(450e9);
    expect(h200.scaleUp.bandwidthBytesPerSecond.note).toMatch(/bidirectional/);
    expect(h200.priceUsd.value).toBe(20000);

    const h20 = spec('h20');
    expect(h20.peakFlopsPerSecond.bf16.value).toBe(148e12);
    expect(h20.memoryBandwidthBytesPerSecond.value).toBe(4.0e12);
    expect(h20.memoryBytes.value).toBe(96e9);

    expect(spec('ascend-910c').memoryBytes.value).toBe(128e9);
    expect(spec('a100-80g').peakFlopsPerSecond.bf16.value).toBe(312e12);
    expect(spec('b200-sxm').peakFlopsPerSecond.fp4.value).toBe(9e15);
    expect(spec('mlu370-x8').memoryBandwidthBytesPerSecond.value).toBe(614.4e9);
  });

  it('records scale-up domains: HGX 8, NVL72 72 (GB200/GB300 per GPU)', () => {
    for (const id of ['h100-sxm', 'h200-sxm', 'b200-sxm', 'b300-sxm']) expect(spec(id).scaleUp.domainSize.value, id).toBe(8);
    for (const id of ['gb200', 'gb300']) {
      expect(spec(id).scaleUp.domainSize.value, id).toBe(72);
      expect(spec(id).notes, id).toMatch(/per GPU/i);
    }
  });

  it('says where sparse figures were halved', () => {
    expect(spec('h100-sxm').peakFlopsPerSecond.bf16.note).toMatch(/halved/);
    expect(spec('gb200').peakFlopsPerSecond.fp4.note).toMatch(/halved/);
  });

  it('invents no price: every price is sourced, and unknown ones are null', () => {
    const priced = ACCELERATORS.filter((a) => a.priceUsd.value !== null).map((a) => a.id).sort();
    expect(priced).toEqual(['ascend-910c', 'h100-sxm', 'h20', 'h200-sxm', 'inhouse-h20class', 'mi300x', 'rtx-pro-6000d']);
  });

  it('keeps the in-house chip a placeholder: every known value an assumption from the CSV placeholder row', () => {
    const inhouse = spec('inhouse-h20class');
    expect(inhouse.vendor).toBe('ByteDance');
    expect(inhouse.notes).toMatch(/PLACEHOLDER/);
    expect(inhouse.notes).toMatch(/[Oo]verride/);
    expect(inhouse.engines).toEqual(['vllm', 'sglang', 'generic']);
    for (const [path, f] of factsOf(inhouse)) {
      expect(f.source, path).toMatch(/PLACEHOLDER/);
      // The one unknown is the FP4 peak: the placeholder copies H20, which has no FP4.
      if (path === 'peakFlopsPerSecond.fp4') expect(f.confidence).toBe('unknown');
      else expect(f.confidence, path).toBe('assumption');
    }
  });
});
