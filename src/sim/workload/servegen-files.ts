/** @module Reads a ServeGen profile folder (`chunk-<n>-trace.csv` + `chunk-<n>-dataset.json` per client) from disk. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '../../core/errors.js';
import { parseServegenClient, type ServegenClient } from './servegen.js';

export interface LoadServegenOptions {
  /** Client numbers to load (default: every client in the folder). */
  readonly clients?: readonly number[];
}

/** The clients of a ServeGen folder, by client number, named `client-<n>`. */
export function loadServegenDir(dir: string, opts: LoadServegenOptions = {}): ServegenClient[] {
  let numbers: number[];
  try {
    numbers = readdirSync(dir)
      .map((f) => /^chunk-(\d+)-trace\.csv$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number);
  } catch (err) {
    throw new InvalidInputError(`cannot read the ServeGen folder: ${(err as Error).message}`, dir);
  }
  if (opts.clients !== undefined) {
    const present = new Set(numbers);
    const missing = opts.clients.filter((n) => !present.has(n));
    if (missing.length > 0) throw new InvalidInputError(`no chunk-<n>-trace.csv for clients ${missing.join(', ')}`, dir);
    numbers = [...new Set(opts.clients)];
  }
  if (numbers.length === 0) throw new InvalidInputError('expected chunk-<n>-trace.csv and chunk-<n>-dataset.json files', dir);
  return numbers
    .sort((a, b) => a - b)
    .map((n) => {
      const trace = join(dir, `chunk-${n}-trace.csv`);
      const dataset = join(dir, `chunk-${n}-dataset.json`);
      if (!existsSync(dataset)) throw new InvalidInputError(`expected ${dataset} beside the trace`, trace);
      return parseServegenClient(readFileSync(trace, 'utf8'), readFileSync(dataset, 'utf8'), `client-${n}`, { trace, dataset });
    });
}
