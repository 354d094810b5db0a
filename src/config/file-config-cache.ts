/**
 * @module A configuration-search cache kept in a JSON file between runs
 * (default `.tokenfleet/cache/plan-configs.json`), so that a re-plan skips the
 * search. Keys include a hash of the calibration, the accelerator and the
 * model, so stale entries are never used.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ConfigCache } from '../plan/config-cache.js';
import type { ConfigCapacity } from '../plan/plan-input.js';

export interface FileConfigCache extends ConfigCache {
  /** Entries found in the file when opened. */
  readonly loaded: number;
  /** Lookups answered from the cache. */
  readonly hits: number;
  /** Writes the cache back (atomically: a temporary file renamed over the old one). */
  save(): void;
}

export function openFileConfigCache(file: string): FileConfigCache {
  let entries: Record<string, ConfigCapacity> = {};
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) entries = parsed as Record<string, ConfigCapacity>;
  } catch {
    // No cache yet, or an unreadable one: start empty (it is only a cache).
  }
  const loaded = Object.keys(entries).length;
  let hits = 0;
  let dirty = false;
  return {
    loaded,
    get hits() {
      return hits;
    },
    get(key) {
      const v = entries[key];
      if (v !== undefined) hits++;
      return v;
    },
    set(key, value) {
      entries[key] = value;
      dirty = true;
    },
    save() {
      if (!dirty) return;
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(entries));
      renameSync(tmp, file);
      dirty = false;
    },
  };
}
