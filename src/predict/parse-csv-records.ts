/** @module CSV text to header-keyed records, with the file named in the error when the CSV is malformed. */
import { parse } from 'csv-parse/sync';
import { InvalidInputError } from '../core/errors.js';

export function parseCsvRecords(text: string, file: string): Record<string, string>[] {
  try {
    return parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  } catch (e) {
    throw new InvalidInputError(`not a valid CSV: ${(e as Error).message}`, file);
  }
}
