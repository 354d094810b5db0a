/**
 * @module Walks the rows of a CSV text with a header, handing each row to a
 * callback as a view over the required columns, with its line number.
 * Unquoted text (every trace we know) is scanned in place: no array per row,
 * integers parsed from character codes, which is several times faster than
 * split-and-Number on million-row files. Text with a double quote goes
 * through csv-parse instead.
 */
import { parse } from 'csv-parse/sync';
import { InvalidInputError } from '../../core/errors.js';

/** One row, seen through the required columns (k indexes the `required` list). Valid only during the callback. */
export interface CsvRow {
  /** The 1-based line of the row (the header is line 1 when it comes first). */
  readonly line: number;
  /** The raw text of required column k. */
  text(k: number): string;
  /** Required column k as a number; NaN when blank or not a number. */
  number(k: number): number;
  /** Required column k as a number when it reads as one, else its raw text (for messages that quote it). */
  value(k: number): number | string;
}

/** Called for a row that cannot be read (wrong number of fields). */
export type CsvBadRowHandler = (line: number, message: string) => void;

/** A number from a text field; NaN for an empty or blank field (where `Number` would say 0). */
export function toNumber(field: string | undefined): number {
  if (field === undefined) return Number.NaN;
  const v = Number(field);
  return v === 0 && field.trim().length === 0 ? Number.NaN : v;
}

class LineView implements CsvRow {
  line = 0;
  text_ = '';
  /** Start and end offsets in `text_` of each required column. */
  readonly from: Int32Array;
  readonly to: Int32Array;
  constructor(n: number) {
    this.from = new Int32Array(n);
    this.to = new Int32Array(n);
  }
  text(k: number): string {
    return this.text_.slice(this.from[k]!, this.to[k]!);
  }
  number(k: number): number {
    const s = this.text_;
    const from = this.from[k]!;
    const to = this.to[k]!;
    if (to - from > 0 && to - from < 16) {
      let v = 0;
      let i = from;
      for (; i < to; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) break;
        v = v * 10 + d;
      }
      if (i === to) return v;
    }
    return toNumber(s.slice(from, to));
  }
  value(k: number): number | string {
    const v = this.number(k);
    return Number.isNaN(v) ? this.text(k) : v;
  }
}

class RecordView implements CsvRow {
  line = 0;
  values: readonly string[] = [];
  text(k: number): string {
    return this.values[k]!;
  }
  number(k: number): number {
    return toNumber(this.values[k]);
  }
  value(k: number): number | string {
    const v = this.number(k);
    return Number.isNaN(v) ? this.text(k) : v;
  }
}

/**
 * Calls `onRow` for every non-empty line after the header. The header must
 * name every column of `required` (others are ignored); a header that does not
 * is an error however bad rows are handled.
 */
export function forEachCsvRow(
  text: string,
  file: string,
  required: readonly string[],
  onRow: (row: CsvRow) => void,
  onBadRow: CsvBadRowHandler,
): void {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.includes('"')) {
    forEachQuotedRow(text, file, required, onRow, onBadRow);
    return;
  }
  let columns: Int32Array | undefined;
  let width = 0;
  const view = new LineView(required.length);
  view.text_ = text;
  const fieldFrom = new Int32Array(4096);
  let line = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    line++;
    const lineStart = start;
    const lineEnd = text.charCodeAt(end - 1) === 13 && end > start ? end - 1 : end;
    start = end + 1;
    if (lineEnd === lineStart || (text.charCodeAt(lineStart) <= 32 && text.slice(lineStart, lineEnd).trim().length === 0)) continue;
    if (columns === undefined) {
      const header = text.slice(lineStart, lineEnd).split(',');
      columns = Int32Array.from(headerColumns(header, file, line, required));
      width = header.length;
      if (width >= fieldFrom.length) throw new InvalidInputError(`expected at most ${fieldFrom.length} columns`, `${file}:${line}`);
      continue;
    }
    // Field f spans [fieldFrom[f], next comma or line end).
    let fields = 0;
    for (let p = lineStart - 1; fields <= width; ) {
      fieldFrom[fields++] = p + 1;
      p = text.indexOf(',', p + 1);
      if (p < 0 || p >= lineEnd) break;
    }
    if (fields !== width) {
      onBadRow(line, `expected ${width} comma-separated fields, got ${text.slice(lineStart, lineEnd).split(',').length}`);
      continue;
    }
    for (let k = 0; k < columns.length; k++) {
      const f = columns[k]!;
      view.from[k] = fieldFrom[f]!;
      view.to[k] = f + 1 < width ? fieldFrom[f + 1]! - 1 : lineEnd;
    }
    view.line = line;
    onRow(view);
  }
  if (columns === undefined) throw new InvalidInputError(`expected a CSV header with columns ${required.join(', ')}; the file is empty`, file);
}

function forEachQuotedRow(text: string, file: string, required: readonly string[], onRow: (row: CsvRow) => void, onBadRow: CsvBadRowHandler): void {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw new InvalidInputError(`expected well-formed CSV: ${(err as Error).message}`, line === undefined ? file : `${file}:${line}`);
  }
  const head = records[0];
  if (head === undefined) throw new InvalidInputError(`expected a CSV header with columns ${required.join(', ')}; the file is empty`, file);
  const columns = headerColumns(head.record, file, head.info.lines, required);
  const width = head.record.length;
  const view = new RecordView();
  const values: string[] = new Array<string>(required.length);
  view.values = values;
  for (let r = 1; r < records.length; r++) {
    const { record, info } = records[r]!;
    if (record.length !== width) {
      onBadRow(info.lines, `expected ${width} comma-separated fields, got ${record.length}`);
      continue;
    }
    for (let k = 0; k < columns.length; k++) values[k] = record[columns[k]!]!;
    view.line = info.lines;
    onRow(view);
  }
}

function headerColumns(header: readonly string[], file: string, line: number, required: readonly string[]): number[] {
  const names = header.map((h) => h.trim());
  const missing = required.filter((r) => !names.includes(r));
  if (missing.length > 0) {
    throw new InvalidInputError(
      `expected a header with columns ${required.join(', ')}; missing ${missing.join(', ')} (found: ${names.join(', ')})`,
      `${file}:${line}`,
    );
  }
  return required.map((r) => names.indexOf(r));
}
