/** @module Typed readers over one config.json object that throw InvalidInputError naming the file and the dotted field. */
import { InvalidInputError } from '../../errors.js';

/** A parsed JSON object. */
export type Obj = Readonly<Record<string, unknown>>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** Typed access to one JSON object, with errors that name the file and the dotted field. */
export class Fields {
  constructor(
    readonly obj: Obj,
    private readonly prefix: string,
    private readonly where: string,
  ) {}

  fail(key: string, expected: string, got: unknown): never {
    return this.failWith(key, expected, show(got));
  }

  /** Like fail, with `got` already worded. */
  failWith(key: string, expected: string, got: string): never {
    throw new InvalidInputError(`${this.prefix}${key}: expected ${expected}, got ${got}`, this.where);
  }

  /** The value of the first present (non-null) key. */
  raw(...keys: string[]): { key: string; value: unknown } | undefined {
    for (const key of keys) {
      const value = this.obj[key];
      if (value !== undefined && value !== null) return { key, value };
    }
    return undefined;
  }

  int(keys: string | string[], min: number): number | undefined {
    const names = typeof keys === 'string' ? [keys] : keys;
    const r = this.raw(...names);
    if (!r) return undefined;
    if (typeof r.value !== 'number' || !Number.isInteger(r.value) || r.value < min) {
      this.fail(r.key, min > 0 ? 'a positive integer' : 'a non-negative integer', r.value);
    }
    return r.value;
  }

  posInt(keys: string | string[]): number | undefined {
    return this.int(keys, 1);
  }

  /** A non-negative integer (0 allowed: counts such as n_shared_experts). */
  count(keys: string | string[]): number | undefined {
    return this.int(keys, 0);
  }

  requirePosInt(keys: string | string[]): number {
    const v = this.posInt(keys);
    if (v === undefined) this.fail(typeof keys === 'string' ? keys : keys[0]!, 'a positive integer', undefined);
    return v;
  }

  bool(key: string): boolean | undefined {
    const r = this.raw(key);
    if (!r) return undefined;
    if (typeof r.value !== 'boolean') this.fail(key, 'true or false', r.value);
    return r.value;
  }

  str(...keys: string[]): string | undefined {
    const r = this.raw(...keys);
    if (!r) return undefined;
    if (typeof r.value !== 'string') this.fail(r.key, 'a string', r.value);
    return r.value;
  }

  array(key: string): readonly unknown[] | undefined {
    const r = this.raw(key);
    if (!r) return undefined;
    if (!Array.isArray(r.value)) this.fail(key, 'an array', r.value);
    return r.value;
  }

  /** An array of `length` elements mapped by `f` (which returns undefined for a bad element). */
  list<T>(key: string, length: number, what: string, f: (v: unknown) => T | undefined, allowLonger = false): T[] | undefined {
    const a = this.array(key);
    if (!a) return undefined;
    if (a.length < length || (!allowLonger && a.length > length)) {
      this.failWith(key, `${length} entries (one per layer)`, `${a.length}`);
    }
    return a.slice(0, length).map((v, i) => {
      const t = f(v);
      if (t === undefined) this.fail(`${key}[${i}]`, what, v);
      return t;
    });
  }

  child(key: string): Fields | undefined {
    const r = this.raw(key);
    if (!r) return undefined;
    if (!isObj(r.value)) this.fail(key, 'an object', r.value);
    return new Fields(r.value, `${this.prefix}${key}.`, this.where);
  }
}
