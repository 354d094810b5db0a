/** @module Walks the lines of a JSON Lines text, parsing each non-empty line as one JSON object. */

/** Called with each line's object and its 1-based line number. */
export type JsonLineHandler = (row: Record<string, unknown>, line: number) => void;

/**
 * Calls `onRow` for every non-empty line that parses as a JSON object, and
 * `onBadRow` for every other non-empty line.
 */
export function forEachJsonLine(text: string, onRow: JsonLineHandler, onBadRow: (line: number, message: string) => void): void {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const raw = text.slice(start, end);
    start = end + 1;
    if (raw.trim().length === 0) continue;
    let row: unknown;
    try {
      row = JSON.parse(raw);
    } catch (err) {
      onBadRow(line, `expected one JSON object per line: ${(err as Error).message}`);
      continue;
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      onBadRow(line, `expected one JSON object per line, got ${Array.isArray(row) ? 'an array' : JSON.stringify(row)}`);
      continue;
    }
    onRow(row as Record<string, unknown>, line);
  }
}

/** The array of 32-bit unsigned integers `value` holds, or a message saying why it is not one. */
export function toHashIds(value: unknown, field: string): number[] | string {
  if (!Array.isArray(value)) return `expected ${field} to be an array of non-negative integers, got ${JSON.stringify(value) ?? 'nothing'}`;
  for (let k = 0; k < value.length; k++) {
    const v: unknown = value[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 0xffffffff) {
      return `expected ${field}[${k}] to be an integer in [0, 2^32), got ${JSON.stringify(v)}`;
    }
  }
  return value as number[];
}
