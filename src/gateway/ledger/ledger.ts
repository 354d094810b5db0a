/**
 * @module The usage ledger: one record per gateway request, the interface that
 * the SQLite and PostgreSQL stores both implement, and the shapes of its queries.
 */

/** How a request ended. Streams that the client dropped are metered by what was delivered. */
export const ledgerStatuses = ['ok', 'client-disconnected', 'upstream-error', 'upstream-timeout', 'rejected'] as const;
export type LedgerStatus = (typeof ledgerStatuses)[number];

/** One gateway request, as billed. */
export interface LedgerRecord {
  /** Gateway-assigned id, unique across tenants; the idempotency key of `record`. */
  readonly requestId: string;
  readonly tenantId: string;
  /** Id of the API key that made the request (not the secret). */
  readonly keyId: string;
  /** Model name as the client asked for it. */
  readonly model: string;
  /** Pool the router chose; '' when none was (a rejected request). */
  readonly pool: string;
  /** Backend that served the request; '' when none did. */
  readonly backend: string;
  /** Prompt tokens, tokens (cached ones included, as OpenAI counts them). */
  readonly inputTokens: number;
  /** Completion tokens actually delivered to the client, tokens. */
  readonly outputTokens: number;
  /** Of `inputTokens`, those served from a prefix cache, tokens. */
  readonly cachedTokens: number;
  /** Price charged for the request, US dollars. */
  readonly costUsd: number;
  /** Arrival to last byte sent (or to the end of the attempt), milliseconds. */
  readonly latencyMs: number;
  /** Arrival to first token sent, milliseconds; absent when no token was sent. */
  readonly ttftMs?: number;
  readonly status: LedgerStatus;
  /** Arrival time, Unix epoch milliseconds (an integer); it decides the UTC day and month. */
  readonly createdAtMs: number;
}

/** Sums over a set of records. */
export interface UsageTotals {
  /** Number of records. */
  readonly requests: number;
  /** Tokens. */
  readonly inputTokens: number;
  /** Tokens. */
  readonly outputTokens: number;
  /** Tokens. */
  readonly cachedTokens: number;
  /** US dollars. */
  readonly costUsd: number;
}

/** Sums for one model on one UTC day. */
export interface ModelDayUsage extends UsageTotals {
  readonly model: string;
  /** UTC calendar day, 'YYYY-MM-DD'. */
  readonly day: string;
}

export interface UsageReport {
  readonly totals: UsageTotals;
  /** Ordered by day, then model. */
  readonly byModelDay: readonly ModelDayUsage[];
}

export interface UsageQuery {
  readonly tenantId: string;
  /** Inclusive lower bound on `createdAtMs`, Unix epoch milliseconds; default: the beginning. */
  readonly fromMs?: number;
  /** Exclusive upper bound on `createdAtMs`, Unix epoch milliseconds; default: no bound. */
  readonly toMs?: number;
}

export interface RequestsQuery {
  readonly tenantId: string;
  /** The `nextCursor` of the previous page, unchanged; absent for the first page. */
  readonly cursor?: string;
  /** Records per page, 1 to 1000; default 100. */
  readonly limit?: number;
}

export interface RequestsPage {
  /** Newest first (by `createdAtMs`, then `requestId`, both descending). */
  readonly records: LedgerRecord[];
  /** Present when more records follow. Stable: records added later never shift a page. */
  readonly nextCursor?: string;
}

/**
 * A store of ledger records. Implementations: `openSqliteLedger` (one
 * instance, a file under the data directory) and `openPgLedger` (several
 * gateway instances sharing one database).
 */
export interface Ledger {
  /**
   * Stores a record; the usage is durable once this returns (or its promise
   * resolves). Idempotent on `requestId`: a record whose id is already stored
   * is ignored, never counted twice. Throws InvalidInputError on a malformed record.
   */
  record(r: LedgerRecord): Promise<void> | void;
  /** Totals and per model and UTC day of one tenant, over an optional time range. */
  usage(q: UsageQuery): Promise<UsageReport>;
  /** One page of a tenant's records; throws InvalidInputError on a bad cursor or limit. */
  requests(q: RequestsQuery): Promise<RequestsPage>;
  /** A tenant's spend in the UTC calendar month that contains `nowMs`, US dollars. */
  monthSpendUsd(tenantId: string, nowMs: number): Promise<number>;
  /** Sums over every record of every tenant (the dashboard's all-time token count). */
  totals(): Promise<UsageTotals>;
  /** Releases the file or the connections; the ledger is unusable afterwards. */
  close(): Promise<void>;
}
