import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConfigCapacity } from '../plan/plan-input.js';
import { openFileConfigCache } from './file-config-cache.js';

const cap = { workload: 'chat', accelerator: 'h20', engine: 'vllm', tokensPerSecondPerAccelerator: 1234, layout: 'tp1 fp8', acceleratorsPerReplica: 1, concurrencyPerReplica: 8, ttftMs: 100, tpotMs: 20, confidence: 'fitted' } satisfies ConfigCapacity;

describe('file config cache', () => {
  it('persists entries across opens and counts hits', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tf-cache-')), 'sub', 'c.json');
    const a = openFileConfigCache(file);
    expect(a.loaded).toBe(0);
    a.set('k', cap);
    a.save();
    const b = openFileConfigCache(file);
    expect(b.loaded).toBe(1);
    expect(b.get('k')).toEqual(cap);
    expect(b.get('missing')).toBeUndefined();
    expect(b.hits).toBe(1);
  });
  it('starts empty on a corrupt file', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tf-cache-')), 'c.json');
    writeFileSync(file, '{not json');
    expect(openFileConfigCache(file).loaded).toBe(0);
  });
});
