/**
 * @module Look up accelerators by id, alias or display name, and derive a spec
 * with user-supplied numbers (e.g. measured samples of the in-house chip).
 */
import type { AcceleratorSpec } from './accelerator-spec.js';
import { ACCELERATORS } from './accelerators.js';
import { fact, type Fact } from './fact.js';
import type { PeakPrecision } from './precision.js';
import { closestMatches, InvalidInputError, NoSuchEntryError } from '../errors.js';

const PEAK_PRECISIONS = ['bf16', 'fp8', 'int8', 'fp4'] as const satisfies readonly PeakPrecision[];

/** Trailing id segments that name a form factor or capacity, dropped so that "H200" finds `h200-sxm`. */
const FORM_FACTOR_SUFFIXES = ['-sxm', '-80g'] as const;

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/** Lower case, letters and digits only: "H200 SXM", "h200_sxm" and "h200-sxm" all become "h200sxm". */
function compact(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Loose spellings of one entry: its id without a form-factor suffix and its display name with and without vendor and parentheses. */
function looseKeys(spec: AcceleratorSpec): string[] {
  const withoutVendor = spec.name.toLowerCase().startsWith(spec.vendor.toLowerCase())
    ? spec.name.slice(spec.vendor.length)
    : spec.name;
  const names = [spec.name, withoutVendor].flatMap((n) => [n, n.replace(/\([^)]*\)/g, '')]);
  const ids = FORM_FACTOR_SUFFIXES.filter((s) => spec.id.endsWith(s)).map((s) => spec.id.slice(0, -s.length));
  return [spec.id, ...spec.aliases, ...ids, ...names].map(compact).filter((k) => k.length > 0);
}

interface Index {
  /** Lower-cased id or alias -> spec. */
  readonly exact: ReadonlyMap<string, AcceleratorSpec>;
  /** Compact spelling -> spec, only for spellings that name a single entry. */
  readonly loose: ReadonlyMap<string, AcceleratorSpec>;
  /** Every spelling -> id, for "closest matches". */
  readonly spellings: ReadonlyMap<string, string>;
}

function buildIndex(specs: readonly AcceleratorSpec[]): Index {
  const exact = new Map<string, AcceleratorSpec>();
  const looseOwners = new Map<string, Set<AcceleratorSpec>>();
  const spellings = new Map<string, string>();
  for (const spec of specs) {
    for (const name of [spec.id, ...spec.aliases]) {
      exact.set(name.toLowerCase(), spec);
      spellings.set(name.toLowerCase(), spec.id);
    }
    for (const key of looseKeys(spec)) {
      const owners = looseOwners.get(key) ?? new Set<AcceleratorSpec>();
      owners.add(spec);
      looseOwners.set(key, owners);
      if (!spellings.has(key)) spellings.set(key, spec.id);
    }
  }
  const loose = new Map<string, AcceleratorSpec>();
  for (const [key, owners] of looseOwners) {
    const [only] = owners;
    if (owners.size === 1 && only !== undefined) loose.set(key, only);
  }
  return { exact, loose, spellings };
}

const INDEX = buildIndex(ACCELERATORS);

/** Every accelerator in the catalogue, in catalogue order. */
export function listAccelerators(): readonly AcceleratorSpec[] {
  return ACCELERATORS;
}

/**
 * The accelerator with this id or alias (case-insensitive), or whose display name
 * matches once case, punctuation and form factor are ignored ("H200" -> `h200-sxm`)
 * and that spelling names a single entry.
 * @throws NoSuchEntryError listing the closest ids.
 */
export function getAccelerator(idOrAlias: string): AcceleratorSpec {
  const query = idOrAlias.trim();
  const found = INDEX.exact.get(query.toLowerCase()) ?? INDEX.loose.get(compact(query));
  if (found !== undefined) return found;
  const near = closestMatches(compact(query) || query, [...INDEX.spellings.keys()], 20).flatMap((s) => INDEX.spellings.get(s) ?? []);
  throw new NoSuchEntryError('accelerator', idOrAlias, [...new Set(near)].slice(0, 5));
}

/** User-supplied numbers, in the units of AcceleratorSpec, that replace catalogue facts. */
export interface AcceleratorOverrides {
  /** New kebab-case id for the derived spec (its aliases are dropped when it changes). */
  readonly id?: string;
  readonly name?: string;
  /** Device memory, bytes. */
  readonly memoryBytes?: number;
  /** Device memory bandwidth, bytes per second. */
  readonly memoryBandwidthBytesPerSecond?: number;
  /** Dense peak per precision, FLOP/s (int8: OP/s). */
  readonly peakFlopsPerSecond?: Partial<Record<PeakPrecision, number>>;
  /** Board power, watts. */
  readonly tdpWatts?: number;
  /** Price per chip, USD. */
  readonly priceUsd?: number;
  /** Per-chip scale-up bandwidth, bytes per second, one direction. */
  readonly scaleUpBandwidthBytesPerSecond?: number;
}

const OVERRIDE_SOURCE = 'user override';

/**
 * A copy of `base` with the given numbers replaced. Each replaced fact becomes an
 * `assumption` sourced to "user override", its note recording the catalogue value it replaced.
 * Capacities, bandwidths and peaks must be positive; power, price and scale-up
 * bandwidth may be zero (e.g. chips already owned, no scale-up link).
 * @throws InvalidInputError naming the field on a negative, zero (where not allowed) or non-finite number.
 */
export function overrideAccelerator(base: AcceleratorSpec, overrides: AcceleratorOverrides): AcceleratorSpec {
  const o = overrides;
  const replace = (field: string, old: Fact<number>, value: number | undefined, allowZero: boolean): Fact<number> => {
    if (value === undefined) return old;
    checkNumber(field, value, allowZero);
    const was = old.value === null ? 'unknown' : `${old.value} (${old.confidence})`;
    return fact(value, 'assumption', OVERRIDE_SOURCE, `replaces catalogue value ${was}`);
  };

  const peaks = o.peakFlopsPerSecond ?? {};
  for (const key of Object.keys(peaks)) {
    if (!(PEAK_PRECISIONS as readonly string[]).includes(key)) {
      throw new InvalidInputError(`unknown precision; expected one of ${PEAK_PRECISIONS.join(', ')}`, `peakFlopsPerSecond.${key}`);
    }
  }
  const peakFlopsPerSecond = Object.fromEntries(
    PEAK_PRECISIONS.map((p) => [p, replace(`peakFlopsPerSecond.${p}`, base.peakFlopsPerSecond[p], peaks[p], false)]),
  ) as Record<PeakPrecision, Fact<number>>;

  const id = o.id ?? base.id;
  if (!KEBAB_CASE.test(id)) throw new InvalidInputError(`expected a kebab-case id, got '${id}'`, 'id');
  const name = o.name ?? base.name;
  if (name.trim() === '') throw new InvalidInputError('expected a non-empty name', 'name');

  const changed = Object.entries(o)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  const overrideNote = `Overridden by user: ${changed.join(', ')}.`;

  return {
    ...base,
    id,
    name,
    aliases: id === base.id ? base.aliases : [],
    memoryBytes: replace('memoryBytes', base.memoryBytes, o.memoryBytes, false),
    memoryBandwidthBytesPerSecond: replace(
      'memoryBandwidthBytesPerSecond', base.memoryBandwidthBytesPerSecond, o.memoryBandwidthBytesPerSecond, false,
    ),
    peakFlopsPerSecond,
    scaleUp: {
      ...base.scaleUp,
      bandwidthBytesPerSecond: replace(
        'scaleUpBandwidthBytesPerSecond', base.scaleUp.bandwidthBytesPerSecond, o.scaleUpBandwidthBytesPerSecond, true,
      ),
    },
    tdpWatts: replace('tdpWatts', base.tdpWatts, o.tdpWatts, true),
    priceUsd: replace('priceUsd', base.priceUsd, o.priceUsd, true),
    notes: changed.length === 0 ? base.notes : base.notes === undefined ? overrideNote : `${base.notes} ${overrideNote}`,
  };
}

function checkNumber(field: string, value: number, allowZero: boolean): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidInputError(`expected a finite number, got ${String(value)}`, field);
  }
  if (value < 0 || (!allowZero && value === 0)) {
    throw new InvalidInputError(`expected a ${allowZero ? 'non-negative' : 'positive'} number, got ${value}`, field);
  }
}
