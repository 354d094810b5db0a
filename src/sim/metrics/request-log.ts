/**
 * @module Per-request records kept column by column in typed arrays that grow
 * geometrically (about 64 bytes a request), written out as CSV on demand.
 */

export const REQUESTS_CSV_HEADER =
  'id,pool,tenant,arrival_ms,first_token_ms,finish_ms,queue_ms,prompt_tokens,output_tokens,cached_tokens,preemptions';

/** Rows per string handed out by `csvChunks`, so a million rows never sit in one array of lines. */
const ROWS_PER_CHUNK = 10_000;

/** Milliseconds to at most three decimals (microsecond resolution), deterministic across runs. */
function ms(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

export class RequestLog {
  private n = 0;
  private ids: Float64Array;
  private pools: Int32Array;
  private tenants: Int32Array;
  /** Simulated milliseconds. */
  private arrivals: Float64Array;
  private admissions: Float64Array;
  private firstTokens: Float64Array;
  private finishes: Float64Array;
  /** Token counts. */
  private prompts: Uint32Array;
  private outputs: Uint32Array;
  private cached: Uint32Array;
  private preemptions: Uint32Array;

  constructor(initialCapacity = 1024) {
    const c = Math.max(1, Math.floor(initialCapacity));
    this.ids = new Float64Array(c);
    this.pools = new Int32Array(c);
    this.tenants = new Int32Array(c);
    this.arrivals = new Float64Array(c);
    this.admissions = new Float64Array(c);
    this.firstTokens = new Float64Array(c);
    this.finishes = new Float64Array(c);
    this.prompts = new Uint32Array(c);
    this.outputs = new Uint32Array(c);
    this.cached = new Uint32Array(c);
    this.preemptions = new Uint32Array(c);
  }

  /** Number of requests kept. */
  get length(): number {
    return this.n;
  }

  /** Appends one request; allocates only when the arrays double. */
  push(
    id: number,
    pool: number,
    tenant: number,
    arrivalMs: number,
    admittedMs: number,
    firstTokenMs: number,
    finishMs: number,
    promptTokens: number,
    outputTokens: number,
    cachedTokens: number,
    preemptions: number,
  ): void {
    if (this.n === this.ids.length) this.grow();
    const i = this.n++;
    this.ids[i] = id;
    this.pools[i] = pool;
    this.tenants[i] = tenant;
    this.arrivals[i] = arrivalMs;
    this.admissions[i] = admittedMs;
    this.firstTokens[i] = firstTokenMs;
    this.finishes[i] = finishMs;
    this.prompts[i] = promptTokens;
    this.outputs[i] = outputTokens;
    this.cached[i] = cachedTokens;
    this.preemptions[i] = preemptions;
  }

  /**
   * The CSV in pieces (header first, then blocks of rows, each ending in a
   * newline), for writing to a stream. Pools and tenants are written by name
   * when names are given, by index otherwise.
   */
  *csvChunks(poolNames?: readonly string[], tenantNames?: readonly string[]): Generator<string> {
    yield REQUESTS_CSV_HEADER + '\n';
    for (let start = 0; start < this.n; start += ROWS_PER_CHUNK) {
      const end = Math.min(this.n, start + ROWS_PER_CHUNK);
      const lines: string[] = [];
      for (let i = start; i < end; i++) {
        const pool = this.pools[i]!;
        const tenant = this.tenants[i]!;
        const arrival = this.arrivals[i]!;
        lines.push(
          [
            this.ids[i]!,
            csvField(poolNames?.[pool] ?? String(pool)),
            csvField(tenantNames?.[tenant] ?? String(tenant)),
            ms(arrival),
            ms(this.firstTokens[i]!),
            ms(this.finishes[i]!),
            ms(this.admissions[i]! - arrival),
            this.prompts[i]!,
            this.outputs[i]!,
            this.cached[i]!,
            this.preemptions[i]!,
          ].join(','),
        );
      }
      yield lines.join('\n') + '\n';
    }
  }

  /** The whole CSV as one string (see `csvChunks` to stream it instead). */
  toCsv(poolNames?: readonly string[], tenantNames?: readonly string[]): string {
    let out = '';
    for (const chunk of this.csvChunks(poolNames, tenantNames)) out += chunk;
    return out;
  }

  private grow(): void {
    const c = this.ids.length * 2;
    this.ids = grown(this.ids, new Float64Array(c));
    this.pools = grown(this.pools, new Int32Array(c));
    this.tenants = grown(this.tenants, new Int32Array(c));
    this.arrivals = grown(this.arrivals, new Float64Array(c));
    this.admissions = grown(this.admissions, new Float64Array(c));
    this.firstTokens = grown(this.firstTokens, new Float64Array(c));
    this.finishes = grown(this.finishes, new Float64Array(c));
    this.prompts = grown(this.prompts, new Uint32Array(c));
    this.outputs = grown(this.outputs, new Uint32Array(c));
    this.cached = grown(this.cached, new Uint32Array(c));
    this.preemptions = grown(this.preemptions, new Uint32Array(c));
  }
}

function grown<T extends Float64Array | Int32Array | Uint32Array>(old: T, next: T): T {
  next.set(old);
  return next;
}

/** Quotes a name that holds a comma, quote or newline (RFC 4180). */
function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
