import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../../core/errors.js';
import { loadServegenDir } from './servegen-files.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/traces/servegen');
const SERVEGEN = resolve(process.cwd(), '../shared/data/traces/servegen-deepseek-r1');

describe('loadServegenDir', () => {
  it('loads every client by number, reading CRLF files', () => {
    const clients = loadServegenDir(FIXTURES);
    expect(clients.map((c) => c.name)).toEqual(['client-7', 'client-12']);
    expect(clients[1]!.windows.map((w) => w.rateRps)).toEqual([0, 1]);
  });

  it('loads chosen clients, and says which are missing', () => {
    expect(loadServegenDir(FIXTURES, { clients: [12] }).map((c) => c.name)).toEqual(['client-12']);
    expect(() => loadServegenDir(FIXTURES, { clients: [3] })).toThrow(/no chunk-<n>-trace.csv for clients 3/);
    expect(() => loadServegenDir(resolve(FIXTURES, 'nowhere'))).toThrow(InvalidInputError);
    expect(() => loadServegenDir(resolve(FIXTURES, '..'))).toThrow(/expected chunk-<n>-trace.csv/);
  });

  it.skipIf(!existsSync(SERVEGEN))('loads the 73 DeepSeek-R1 clients, 144 windows each', () => {
    const clients = loadServegenDir(SERVEGEN);
    expect(clients.length).toBe(73);
    for (const c of clients) expect(c.windows.length).toBe(144);
  });
});
