/** @module Numbers for people: 1.23 T tokens, $3.4 M, 812 tok/s, 96 GB. */

const sig3 = new Intl.NumberFormat('en-US', { maximumSignificantDigits: 3 });
const whole = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

const SCALES = [
  [1e15, 'P'],
  [1e12, 'T'],
  [1e9, 'B'],
  [1e6, 'M'],
  [1e3, 'K'],
] as const;

/** 3 significant digits and a scale letter: 1.23 T, 45.6 M, 812, 0.5. */
export function compact(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  for (const [scale, letter] of SCALES) if (a >= scale) return `${sig3.format(v / scale)} ${letter}`;
  return sig3.format(v);
}

/** An integer with thousands separators: 123,456,789. */
export const integer = (v: number): string => whole.format(v);

export const tokens = (v: number): string => `${compact(v)} tokens`;
export const tokensPerSecond = (v: number): string => `${compact(v)} tok/s`;
export const perSecond = (v: number, unit: string): string => `${compact(v)} ${unit}/s`;

/** US dollars: $0.0123, $12.3, $3.4 M. */
export function usd(v: number): string {
  if (!Number.isFinite(v)) return '–';
  const sign = v < 0 ? '-' : '';
  const a = Math.abs(v);
  return a >= 1e3 ? `${sign}$${compact(a)}` : `${sign}$${a >= 1 ? a.toFixed(2) : sig3.format(a)}`;
}

/** A duration: 0.8 ms, 812 ms, 1.2 s, 3.5 min. */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  if (ms < 1000) return `${sig3.format(ms)} ms`;
  if (ms < 120_000) return `${sig3.format(ms / 1000)} s`;
  return `${sig3.format(ms / 60_000)} min`;
}

/** Bytes in decimal units, as datasheets write them: 96 GB, 4.8 TB. */
export function bytes(v: number): string {
  const a = Math.abs(v);
  for (const [scale, unit] of [[1e12, 'TB'], [1e9, 'GB'], [1e6, 'MB'], [1e3, 'KB']] as const) if (a >= scale) return `${sig3.format(v / scale)} ${unit}`;
  return `${sig3.format(v)} B`;
}

/** A fraction as a percentage: 0.123 → 12.3%. */
export const percent = (fraction: number): string => (Number.isFinite(fraction) ? `${sig3.format(fraction * 100)}%` : '–');

/** A clock time with the date when it is not today: 14:03:12 or 2025-12-18 14:03. */
export function clock(ms: number, nowMs = Date.now()): string {
  const d = new Date(ms);
  const sameDay = new Date(nowMs).toDateString() === d.toDateString();
  const time = d.toLocaleTimeString('en-GB', { hour12: false });
  return sameDay ? time : `${d.toISOString().slice(0, 10)} ${time.slice(0, 5)}`;
}
