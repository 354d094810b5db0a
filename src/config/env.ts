/** @module The only reader of process.env: the environment variables tokenfleet understands. */

export interface TokenfleetEnv {
  /** Bearer token of the gateway's admin API (TOKENFLEET_ADMIN_TOKEN). */
  readonly adminToken?: string;
}

export function readEnv(env: NodeJS.ProcessEnv = process.env): TokenfleetEnv {
  const adminToken = env.TOKENFLEET_ADMIN_TOKEN?.trim();
  return adminToken ? { adminToken } : {};
}
