/**
 * @module A catalogue value with its provenance. Every hardware or price number
 * in tokenfleet is a Fact: the value (or null when nothing public exists), where
 * it comes from, and how sure we are.
 */

/**
 * How sure a value is:
 * - `datasheet`: the vendor's own published figure;
 * - `reported`: trade press, papers, benchmarks, third-party tables;
 * - `estimate`: derived or inferred by us or a source (marked ESTIMATE/UNVERIFIED in the reference data);
 * - `assumption`: a placeholder chosen by us, meant to be overridden;
 * - `unknown`: no public figure; `value` is null.
 */
export type Confidence = 'datasheet' | 'reported' | 'estimate' | 'assumption' | 'unknown';

export const CONFIDENCES = ['datasheet', 'reported', 'estimate', 'assumption', 'unknown'] as const;

export interface Fact<T> {
  /** The value, or null when unknown. */
  readonly value: T | null;
  /** Where the value comes from (URL, document, or the reference CSV row). */
  readonly source: string;
  readonly confidence: Confidence;
  /** Caveats (e.g. "sparse figure halved", "UNVERIFIED"). */
  readonly note?: string;
}

/** A known value. */
export function fact<T>(value: T, confidence: Exclude<Confidence, 'unknown'>, source: string, note?: string): Fact<T> {
  return note === undefined ? { value, source, confidence } : { value, source, confidence, note };
}

/** No public figure exists; record that rather than invent one. */
export function unknownFact<T>(source: string, note?: string): Fact<T> {
  return note === undefined ? { value: null, source, confidence: 'unknown' } : { value: null, source, confidence: 'unknown', note };
}
