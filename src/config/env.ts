/** @module The only reader of process.env: the environment variables tokenfleet understands. */

export interface TokenfleetEnv {
  /** Bearer token of the gateway's admin API (TOKENFLEET_ADMIN_TOKEN). */
  readonly adminToken?: string;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): TokenfleetEnv {
  const adminToken = env.TOKENFLEET_ADMIN_TOKEN?.trim();
  return adminToken ? { adminToken } : {};
}

/**
 * The API key of an upstream backend, from the environment variable a gateway config names
 * (`apiKeyEnv`); undefined when it is unset or blank.
 */
export function readUpstreamKey(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const key = env[name]?.trim();
  return key ? key : undefined;
}

/** The PostgreSQL that tests use (TOKENFLEET_TEST_PG_URL), default the local trust-auth server's `test` database. */
export function readTestPgUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TOKENFLEET_TEST_PG_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';
}
