/**
 * @module The in-memory form of a workload (requests as columns of typed
 * arrays, so a million requests cost tens of megabytes and no garbage), the
 * builder every reader and generator fills, and the transforms that reshape
 * a workload: tile it, speed it up, cut it short.
 */
import { InvalidInputError } from '../../core/errors.js';

/** Prefix-cache block hashes: request i owns `ids[offsets[i] .. offsets[i + 1])`. */
export interface BlockHashes {
  /** count + 1 offsets into `ids`, non-decreasing, the first 0. */
  readonly offsets: Uint32Array;
  /** Block hash ids, one per `blockTokens`-token block of the prompt, in prompt order. */
  readonly ids: Uint32Array;
}

/** A list of requests, in arrival order. Treat the arrays as read-only. */
export interface Workload {
  /** Number of requests. */
  readonly count: number;
  /** Arrival time of each request, ms from the workload's time origin; non-decreasing. */
  readonly arrivalMs: Float64Array;
  /** Prompt (input) length of each request, tokens, >= 1. */
  readonly promptTokens: Int32Array;
  /** Output length of each request, tokens, >= 1 (includes reasoning tokens where a source has them). */
  readonly outputTokens: Int32Array;
  /** Tenant of each request: an index into `tenantNames`. */
  readonly tenant: Uint16Array;
  /** Tenant names; `tenant[i]` indexes this list. */
  readonly tenantNames: readonly string[];
  /** Prefix-cache block hash ids per request, when the source has them (Mooncake, generic JSONL). */
  readonly blockHashes?: BlockHashes;
  /** Tokens per hashed block, tokens (512 for Mooncake); present with `blockHashes`. */
  readonly blockTokens?: number;
}

/** The most tenants a workload can name (tenant indices are 16-bit). */
export const MAX_TENANTS = 65536;

export interface WorkloadBuilderOptions {
  /** Requests to reserve room for (the arrays grow by doubling past it). */
  readonly capacity?: number;
  /** Tenant names known up front, in index order; default `['default']`. */
  readonly tenantNames?: readonly string[];
  /** Tokens per hashed block, when requests will carry block hash ids. */
  readonly blockTokens?: number;
}

/**
 * Collects requests into growing typed arrays (doubling, so n adds cost O(n)).
 * Arrivals must be added in non-decreasing order: readers check the order of
 * their input first and report it as the user's error; here it is a bug.
 */
export class WorkloadBuilder {
  private n = 0;
  private arrival: Float64Array;
  private prompt: Int32Array;
  private output: Int32Array;
  private tenants: Uint16Array;
  private offsets: Uint32Array;
  private ids = new Uint32Array(0);
  private idCount = 0;
  private hasHashes = false;
  private readonly names: string[];
  private readonly nameIndex = new Map<string, number>();
  private readonly blockTokens: number | undefined;

  constructor(opts: WorkloadBuilderOptions = {}) {
    const cap = Math.max(16, Math.ceil(opts.capacity ?? 1024));
    this.arrival = new Float64Array(cap);
    this.prompt = new Int32Array(cap);
    this.output = new Int32Array(cap);
    this.tenants = new Uint16Array(cap);
    this.offsets = new Uint32Array(cap + 1);
    this.names = [];
    for (const name of opts.tenantNames ?? ['default']) this.tenantIndex(name);
    this.blockTokens = opts.blockTokens;
  }

  /** Requests added so far. */
  get count(): number {
    return this.n;
  }

  /** Arrival of the last request added, ms, or -Infinity when empty. */
  get lastArrivalMs(): number {
    return this.n > 0 ? this.arrival[this.n - 1]! : Number.NEGATIVE_INFINITY;
  }

  /** The index of tenant `name`, adding it when new. */
  tenantIndex(name: string): number {
    let i = this.nameIndex.get(name);
    if (i === undefined) {
      if (this.names.length >= MAX_TENANTS) throw new InvalidInputError(`expected at most ${MAX_TENANTS} tenants`, `tenant '${name}'`);
      i = this.names.length;
      this.names.push(name);
      this.nameIndex.set(name, i);
    }
    return i;
  }

  /** Appends one request; `hashIds` are its prefix-cache block hash ids, if any. */
  add(arrivalMs: number, promptTokens: number, outputTokens: number, tenant = 0, hashIds?: ArrayLike<number>): void {
    if (arrivalMs < this.lastArrivalMs) throw new RangeError(`WorkloadBuilder.add: arrival ${arrivalMs} ms before the previous one`);
    if (this.n === this.arrival.length) this.growRequests();
    const i = this.n;
    this.arrival[i] = arrivalMs;
    this.prompt[i] = promptTokens;
    this.output[i] = outputTokens;
    this.tenants[i] = tenant;
    if (hashIds !== undefined) {
      this.hasHashes = true;
      const need = this.idCount + hashIds.length;
      if (need > this.ids.length) this.growIds(need);
      for (let k = 0; k < hashIds.length; k++) this.ids[this.idCount + k] = hashIds[k]!;
      this.idCount = need;
    }
    this.n = i + 1;
    this.offsets[i + 1] = this.idCount;
  }

  /** The workload, in arrays trimmed to size (the builder can be dropped afterwards). */
  build(): Workload {
    const n = this.n;
    const base = {
      count: n,
      arrivalMs: this.arrival.slice(0, n),
      promptTokens: this.prompt.slice(0, n),
      outputTokens: this.output.slice(0, n),
      tenant: this.tenants.slice(0, n),
      tenantNames: [...this.names],
    };
    if (!this.hasHashes) return this.blockTokens === undefined ? base : { ...base, blockTokens: this.blockTokens };
    return {
      ...base,
      blockHashes: { offsets: this.offsets.slice(0, n + 1), ids: this.ids.slice(0, this.idCount) },
      blockTokens: this.blockTokens ?? 512,
    };
  }

  private growRequests(): void {
    const cap = this.arrival.length * 2;
    this.arrival = grow(this.arrival, new Float64Array(cap));
    this.prompt = grow(this.prompt, new Int32Array(cap));
    this.output = grow(this.output, new Int32Array(cap));
    this.tenants = grow(this.tenants, new Uint16Array(cap));
    this.offsets = grow(this.offsets, new Uint32Array(cap + 1));
  }

  private growIds(need: number): void {
    this.ids = grow(this.ids, new Uint32Array(Math.max(need, this.ids.length * 2, 1024)));
  }
}

function grow<T extends { set(array: ArrayLike<number>): void }>(from: ArrayLike<number>, to: T): T {
  to.set(from);
  return to;
}

/**
 * `n` copies of `w` one after another. Copy k is shifted by k × (span + mean
 * gap), where span is last minus first arrival and the mean gap is span /
 * (count - 1), so the seam between copies looks like any other gap.
 *
 * Block hash ids of copy k are offset by k × (max id + 1): copies do not share
 * prefixes with each other. A tiled trace then stands for new users with the
 * same habits, and its prefix-cache hit rate stays that of one copy rather
 * than rising towards 100% as n grows.
 */
export function repeatWorkload(w: Workload, n: number): Workload {
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`expected a positive integer number of copies, got ${n}`, 'repeat');
  const c = w.count;
  const span = c > 0 ? w.arrivalMs[c - 1]! - w.arrivalMs[0]! : 0;
  const period = c > 1 ? span + span / (c - 1) : 0;
  const arrivalMs = new Float64Array(c * n);
  const promptTokens = new Int32Array(c * n);
  const outputTokens = new Int32Array(c * n);
  const tenant = new Uint16Array(c * n);
  for (let k = 0; k < n; k++) {
    const shift = k * period;
    const at = k * c;
    for (let i = 0; i < c; i++) arrivalMs[at + i] = w.arrivalMs[i]! + shift;
    promptTokens.set(w.promptTokens, at);
    outputTokens.set(w.outputTokens, at);
    tenant.set(w.tenant, at);
  }
  const out = { count: c * n, arrivalMs, promptTokens, outputTokens, tenant, tenantNames: [...w.tenantNames] };
  const withTokens = w.blockTokens === undefined ? out : { ...out, blockTokens: w.blockTokens };
  if (w.blockHashes === undefined) return withTokens;
  return { ...withTokens, blockHashes: repeatHashes(w.blockHashes, c, n) };
}

function repeatHashes(h: BlockHashes, c: number, n: number): BlockHashes {
  let maxId = -1;
  for (let j = 0; j < h.ids.length; j++) if (h.ids[j]! > maxId) maxId = h.ids[j]!;
  const stride = maxId + 1;
  if ((n - 1) * stride + maxId > 0xffffffff) {
    throw new InvalidInputError(`${n} copies of block ids up to ${maxId} overflow 32-bit ids; repeat fewer times`, 'repeat');
  }
  const m = h.ids.length;
  const offsets = new Uint32Array(c * n + 1);
  const ids = new Uint32Array(m * n);
  for (let k = 0; k < n; k++) {
    for (let i = 0; i < c; i++) offsets[k * c + i + 1] = h.offsets[i + 1]! + k * m;
    const add = k * stride;
    for (let j = 0; j < m; j++) ids[k * m + j] = h.ids[j]! + add;
  }
  return { offsets, ids };
}

/** `w` sped up `x` times: every arrival time divided by `x` (x > 1 raises the request rate). */
export function scaleRate(w: Workload, x: number): Workload {
  if (!(x > 0) || !Number.isFinite(x)) throw new InvalidInputError(`expected a positive rate factor, got ${x}`, 'rate scale');
  const arrivalMs = new Float64Array(w.count);
  for (let i = 0; i < w.count; i++) arrivalMs[i] = w.arrivalMs[i]! / x;
  return { ...w, arrivalMs };
}

/** The first `maxRequests` requests of `w` (all of them when it has fewer), in fresh arrays. */
export function sliceWorkload(w: Workload, maxRequests: number): Workload {
  if (!Number.isInteger(maxRequests) || maxRequests < 0) {
    throw new InvalidInputError(`expected a non-negative integer number of requests, got ${maxRequests}`, 'max requests');
  }
  const n = Math.min(w.count, maxRequests);
  const out: Workload = {
    ...w,
    count: n,
    arrivalMs: w.arrivalMs.slice(0, n),
    promptTokens: w.promptTokens.slice(0, n),
    outputTokens: w.outputTokens.slice(0, n),
    tenant: w.tenant.slice(0, n),
    tenantNames: [...w.tenantNames],
  };
  if (w.blockHashes === undefined) return out;
  const offsets = w.blockHashes.offsets.slice(0, n + 1);
  return { ...out, blockHashes: { offsets, ids: w.blockHashes.ids.slice(0, offsets[n]!) } };
}
