/**
 * @module Multi-tenant load drawn from Alibaba's ServeGen client profiles
 * (Apache-2.0; here a DeepSeek-R1 service: 73 clients over 24 hours).
 *
 * A client is a list of 600-second windows (`window_start_s, rate_rps, cv,
 * distribution, shape, scale`) and, every 6 hours, probability tables of
 * `input_tokens`, `output_tokens` and `reason_ratio`. Generation, per client
 * and per window:
 * - arrivals are a renewal process restarted at each window start, with gaps
 *   from the window's distribution (Gamma or Weibull) of the window's shape,
 *   rescaled so the mean gap is exactly 1 / (rate_rps × rateScale). The fitted
 *   `scale` column is not used: in sparse windows it disagrees with rate_rps
 *   (client 0 at 2,400 s: a fitted mean gap of 1.6 s against 1 / 0.085 = 11.8 s),
 *   and rate_rps is the measured count;
 * - prompt and output lengths are drawn independently from the tables in
 *   effect (the last table starting at or before the window). Output tokens
 *   count every generated token, reasoning included: `reason_ratio` is the
 *   share of them spent reasoning, which a serving simulator treats like any
 *   other output token, so it is parsed and kept but not drawn.
 * Times past the last window wrap around (the profile is one day).
 * Streams: `servegen.<client>.arrivals` and `servegen.<client>.lengths`, so
 * adding or dropping a client never changes another client's requests.
 */
import { InvalidInputError } from '../../core/errors.js';
import { mergeWorkloads } from './merge-workloads.js';
import { drawFromTable, parsePythonNumberDict, type ProbabilityTable } from './probability-table.js';
import { createRng } from './rng.js';
import { WorkloadBuilder, type Workload } from './workload.js';

/** One window of a client's arrival profile. */
export interface ServegenWindow {
  /** Window start, seconds from the start of the profile's day. */
  readonly startSeconds: number;
  /** Mean arrival rate in the window, requests per second (0: idle). */
  readonly rateRps: number;
  /** Coefficient of variation of the gaps, as fitted. */
  readonly cv: number;
  /** Family of the gap distribution; null when idle. */
  readonly distribution: 'gamma' | 'weibull' | null;
  /** Fitted shape (sets the burstiness). */
  readonly shape: number;
  /** Fitted scale, seconds (not used for generation; see the module comment). */
  readonly scale: number;
}

/** Length tables in effect from `startSeconds` until the next ones. */
export interface ServegenLengthTables {
  /** Seconds from the start of the day. */
  readonly startSeconds: number;
  /** Prompt length, tokens. */
  readonly inputTokens: ProbabilityTable;
  /** Output length including reasoning, tokens. */
  readonly outputTokens: ProbabilityTable;
  /** Share of the output spent reasoning, in [0, 1]. */
  readonly reasonRatio: ProbabilityTable;
}

export interface ServegenClient {
  /** Tenant name of its requests, e.g. `client-3`. */
  readonly name: string;
  /** Window length, seconds (600 in the published profiles). */
  readonly windowSeconds: number;
  /** Windows in time order, evenly spaced. */
  readonly windows: readonly ServegenWindow[];
  /** Length tables in time order. */
  readonly lengthTables: readonly ServegenLengthTables[];
}

/** Where errors in a client's two files are reported. */
export type ServegenFiles = string | { readonly trace: string; readonly dataset: string };

/**
 * Parses one client: `traceCsv` (the `chunk-<n>-trace.csv` text, no header) and
 * `datasetJson` (the `chunk-<n>-dataset.json` text). `file` names the trace
 * file (the dataset's name is derived from it) or both files, for errors.
 */
export function parseServegenClient(traceCsv: string, datasetJson: string, clientName: string, file: ServegenFiles): ServegenClient {
  const traceFile = typeof file === 'string' ? file : file.trace;
  const datasetFile = typeof file === 'string' ? file.replace(/-trace\.csv$/, '-dataset.json') : file.dataset;
  const windows = parseWindows(traceCsv, traceFile);
  const windowSeconds = windows.length > 1 ? windows[1]!.startSeconds - windows[0]!.startSeconds : 600;
  for (let i = 1; i < windows.length; i++) {
    if (windows[i]!.startSeconds - windows[i - 1]!.startSeconds !== windowSeconds) {
      throw new InvalidInputError(`expected windows every ${windowSeconds} s, got a start of ${windows[i]!.startSeconds} s`, `${traceFile} (window ${i + 1})`);
    }
  }
  const lengthTables = parseDataset(datasetJson, datasetFile);
  for (const w of windows) {
    if (w.rateRps === 0) continue;
    const t = tablesAt(lengthTables, w.startSeconds);
    if (t === undefined || t.inputTokens.values.length === 0 || t.outputTokens.values.length === 0) {
      throw new InvalidInputError(`expected input_tokens and output_tokens tables for the active window at ${w.startSeconds} s`, datasetFile);
    }
  }
  return { name: clientName, windowSeconds, windows, lengthTables };
}

function parseWindows(text: string, file: string): ServegenWindow[] {
  const windows: ServegenWindow[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.trim();
    if (raw.length === 0 || (i === 0 && /^[A-Za-z_]/.test(raw))) continue; // tolerate a header line
    const where = `${file}:${i + 1}`;
    const f = raw.split(',').map((s) => s.trim());
    if (f.length !== 6) throw new InvalidInputError(`expected 6 fields (window_start_s,rate_rps,cv,distribution,shape,scale), got ${f.length}`, where);
    const [start, rate, cv, shape, scale] = [f[0], f[1], f[2], f[4], f[5]].map((s) => (s === '' ? Number.NaN : Number(s))) as [number, number, number, number, number];
    if (!(start >= 0) || (windows.length > 0 && start <= windows[windows.length - 1]!.startSeconds)) {
      throw new InvalidInputError(`expected window_start_s to be a non-negative number of seconds, increasing, got ${JSON.stringify(f[0])}`, where);
    }
    if (!(rate >= 0) || !Number.isFinite(rate)) throw new InvalidInputError(`expected rate_rps >= 0, got ${JSON.stringify(f[1])}`, where);
    if (rate === 0) {
      windows.push({ startSeconds: start, rateRps: 0, cv: 0, distribution: null, shape: 0, scale: 0 });
      continue;
    }
    const distribution = f[3] === 'Gamma' ? 'gamma' : f[3] === 'Weibull' ? 'weibull' : undefined;
    if (distribution === undefined) throw new InvalidInputError(`expected distribution Gamma or Weibull for an active window, got ${JSON.stringify(f[3])}`, where);
    if (!(shape > 0) || !Number.isFinite(unitMeanScale(distribution, shape))) {
      throw new InvalidInputError(`expected a positive shape with a finite mean gap, got ${JSON.stringify(f[4])}`, where);
    }
    windows.push({ startSeconds: start, rateRps: rate, cv: Number.isFinite(cv) ? cv : 0, distribution, shape, scale: Number.isFinite(scale) ? scale : 0 });
  }
  if (windows.length === 0) throw new InvalidInputError('expected at least one window row', file);
  return windows;
}

function parseDataset(text: string, file: string): ServegenLengthTables[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InvalidInputError(`expected JSON: ${(err as Error).message}`, file);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new InvalidInputError('expected an object keyed by window start', file);
  const tables: ServegenLengthTables[] = [];
  for (const [key, entry] of Object.entries(doc)) {
    const startSeconds = Number(key);
    if (!(startSeconds >= 0)) throw new InvalidInputError(`expected keys that are window starts in seconds, got ${JSON.stringify(key)}`, file);
    const table = (field: string): ProbabilityTable => {
      const where = `${file} (window "${key}", ${field})`;
      const raw: unknown = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>)[field] : undefined;
      if (raw === undefined && field === 'reason_ratio') return { values: new Float64Array(0), cdf: new Float64Array(0) };
      if (typeof raw !== 'string') throw new InvalidInputError('expected a Python dict literal in a string', where);
      const parsed = parsePythonNumberDict(raw);
      if (typeof parsed === 'string') throw new InvalidInputError(parsed, where);
      return parsed;
    };
    tables.push({ startSeconds, inputTokens: table('input_tokens'), outputTokens: table('output_tokens'), reasonRatio: table('reason_ratio') });
  }
  return tables.sort((a, b) => a.startSeconds - b.startSeconds);
}

function tablesAt(tables: readonly ServegenLengthTables[], startSeconds: number): ServegenLengthTables | undefined {
  let found: ServegenLengthTables | undefined;
  for (const t of tables) if (t.startSeconds <= startSeconds) found = t;
  return found ?? tables[0];
}

/** The scale that gives the distribution a mean of 1 at this shape. */
function unitMeanScale(distribution: 'gamma' | 'weibull', shape: number): number {
  return distribution === 'gamma' ? 1 / shape : 1 / gammaFunction(1 + 1 / shape);
}

/** Γ(x) for x >= 0.5 (Lanczos, g = 7; relative error below 1e-13). */
function gammaFunction(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
    -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0]!;
  for (let i = 1; i < c.length; i++) a += c[i]! / (z + i);
  const t = z + 7.5;
  return Math.sqrt(2 * Math.PI) * Math.pow(t, z + 0.5) * Math.exp(-t) * a;
}

export interface ServegenWorkloadOptions {
  /** Start of the generated span, seconds into the profile's day; request times are ms after it. */
  readonly startSeconds: number;
  /** Length of the generated span, seconds. */
  readonly durationSeconds: number;
  /** Seed of the generator (a safe integer). */
  readonly seed: number;
  /** Multiplies every client's rate (default 1). */
  readonly rateScale?: number;
  /** Keep only the busiest clients over the span (by expected requests; ties by list order). */
  readonly maxClients?: number;
}

/** Calls `fn` for each part of [start, end) that lies in one window of `c`, with that window. */
function forEachSegment(c: ServegenClient, start: number, end: number, fn: (w: ServegenWindow, from: number, to: number) => void): void {
  const origin = c.windows[0]!.startSeconds;
  const n = c.windows.length;
  for (let t = start; t < end; ) {
    if (t < origin) {
      t = Math.min(end, origin);
      continue;
    }
    const k = Math.floor((t - origin) / c.windowSeconds);
    const to = Math.min(end, origin + (k + 1) * c.windowSeconds);
    fn(c.windows[k % n]!, t, to);
    t = to;
  }
}

/** Requests of every client over [startSeconds, startSeconds + durationSeconds), merged in time order, tenant = client name. */
export function servegenWorkload(clients: readonly ServegenClient[], opts: ServegenWorkloadOptions): Workload {
  const { startSeconds: start, durationSeconds, seed } = opts;
  const rateScale = opts.rateScale ?? 1;
  if (!(start >= 0) || !Number.isFinite(start)) throw new InvalidInputError(`expected a non-negative start, got ${start}`, 'startSeconds');
  if (!(durationSeconds > 0) || !Number.isFinite(durationSeconds)) throw new InvalidInputError(`expected a positive duration, got ${durationSeconds}`, 'durationSeconds');
  if (!(rateScale > 0) || !Number.isFinite(rateScale)) throw new InvalidInputError(`expected a positive rate scale, got ${rateScale}`, 'rateScale');
  const end = start + durationSeconds;
  if (opts.maxClients !== undefined && !(Number.isInteger(opts.maxClients) && opts.maxClients >= 0)) {
    throw new InvalidInputError(`expected a non-negative integer, got ${opts.maxClients}`, 'maxClients');
  }
  let chosen = clients;
  if (opts.maxClients !== undefined && opts.maxClients < clients.length) {
    const expected = clients.map((c, i) => {
      let sum = 0;
      forEachSegment(c, start, end, (w, from, to) => (sum += w.rateRps * (to - from)));
      return { i, sum };
    });
    const keep = new Set(expected.sort((a, b) => b.sum - a.sum || a.i - b.i).slice(0, opts.maxClients).map((e) => e.i));
    chosen = clients.filter((_, i) => keep.has(i));
  }
  const rng = createRng(seed);
  const parts = chosen.map((c) => {
    const arrivals = rng.stream(`servegen.${c.name}.arrivals`);
    const lengths = rng.stream(`servegen.${c.name}.lengths`);
    const b = new WorkloadBuilder({ tenantNames: [c.name], capacity: 1024 });
    forEachSegment(c, start, end, (w, from, to) => {
      if (w.distribution === null) return;
      const meanGap = 1 / (w.rateRps * rateScale);
      const unit = unitMeanScale(w.distribution, w.shape);
      const tables = tablesAt(c.lengthTables, w.startSeconds)!;
      for (let t = from; ; ) {
        t += meanGap * (w.distribution === 'gamma' ? arrivals.gamma(w.shape, unit) : arrivals.weibull(w.shape, unit));
        if (t >= to) break;
        const prompt = Math.max(1, Math.round(drawFromTable(tables.inputTokens, lengths.next())));
        const output = Math.max(1, Math.round(drawFromTable(tables.outputTokens, lengths.next())));
        b.add((t - start) * 1000, prompt, output, 0);
      }
    });
    return b.build();
  });
  return mergeWorkloads(parts);
}
