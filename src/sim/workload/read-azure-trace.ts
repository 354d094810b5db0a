/**
 * @module Reads the Azure LLM inference traces of November 2023 (Patel et al.,
 * "Splitwise", ISCA 2024; CC-BY-4.0): CSV `TIMESTAMP,ContextTokens,GeneratedTokens`
 * with TIMESTAMP like `2023-11-16 18:15:46.6805900` (UTC, up to 9 fractional
 * digits; the files have 7). Arrival times are ms after the first accepted row.
 */
import { forEachCsvRow } from './csv-rows.js';
import { TraceCollector } from './trace-collector.js';
import type { TraceReadOptions, TraceReadResult } from './trace-reader.js';

/** A parsed timestamp: whole seconds since the epoch, plus the fraction in ms (kept apart to keep 100 ns). */
interface Instant {
  readonly seconds: number;
  readonly fractionMs: number;
}

/** The integer written in decimal digits at [from, to) of `s`, or -1 when a character is not a digit. */
function digitsAt(s: string, from: number, to: number): number {
  let v = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/**
 * Parses `YYYY-MM-DD hh:mm:ss[.fffffffff]` (or with a `T`) as UTC; undefined
 * when malformed or out of range. By hand rather than by regular expression:
 * it is most of the cost of reading the file.
 */
export function parseAzureTimestamp(text: string): Instant | undefined {
  const s = text.trim();
  const n = s.length;
  if (n < 19 || n === 20 || n > 29 || s[4] !== '-' || s[7] !== '-' || (s[10] !== ' ' && s[10] !== 'T') || s[13] !== ':' || s[16] !== ':') return undefined;
  if (n > 19 && s[19] !== '.') return undefined;
  const y = digitsAt(s, 0, 4);
  const mo = digitsAt(s, 5, 7);
  const d = digitsAt(s, 8, 10);
  const h = digitsAt(s, 11, 13);
  const mi = digitsAt(s, 14, 16);
  const sec = digitsAt(s, 17, 19);
  const frac = n > 19 ? digitsAt(s, 20, n) : 0;
  if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60 || frac < 0) return undefined;
  return {
    seconds: Date.UTC(y, mo - 1, d, h, mi, sec) / 1000,
    fractionMs: n > 19 ? (frac / 10 ** (n - 20)) * 1000 : 0,
  };
}

/** Reads an Azure trace; see the module comment for the format. */
export function readAzureTrace(text: string, file: string, opts: TraceReadOptions = {}): TraceReadResult {
  const c = new TraceCollector(file, { arrival: 'TIMESTAMP', prompt: 'ContextTokens', output: 'GeneratedTokens' }, opts, {
    capacity: text.length / 36,
  });
  let origin: Instant | undefined;
  forEachCsvRow(
    text,
    file,
    ['TIMESTAMP', 'ContextTokens', 'GeneratedTokens'],
    (row) => {
      const line = row.line;
      const ts = row.text(0);
      const at = parseAzureTimestamp(ts);
      if (at === undefined) {
        c.reject(line, `expected TIMESTAMP like 2023-11-16 18:15:46.6805900, got ${JSON.stringify(ts)}`);
        return;
      }
      const base = origin ?? at;
      const ms = (at.seconds - base.seconds) * 1000 + (at.fractionMs - base.fractionMs);
      if (c.accept(line, ms, row.value(1), row.value(2))) origin = base;
    },
    (line, message) => c.reject(line, message),
  );
  return c.result();
}
