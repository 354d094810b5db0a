/**
 * @module The ledger survives `kill -9` under load: `tokenfleet serve` (SQLite
 * ledger in a temp data dir, an upstream that answers at once) takes an
 * open-loop load of about 1,000 requests/s from the load generator; the
 * process is killed with SIGKILL mid-load, restarted on the same data dir,
 * and every request the client saw succeed (a 200 with a complete body, or a
 * stream that reached `data: [DONE]`) is in the ledger exactly once, under the
 * id the client got (the `x-request-id` and the completion's `id`).
 * Needs `npm run build` first.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLoad } from '../src/loadgen/start-load.js';
import type { CompletionResult } from '../src/loadgen/send-completion.js';
import { mockModelsYaml, startMockUpstream, type MockUpstream } from './mock-openai-upstream.js';
import { admin, startServe, type ServeProcess } from './spawn-serve.js';

const ADMIN = 'crash-test-admin';
/** Successful requests seen before the kill. */
const OK_BEFORE_KILL = 1500;

let dir: string | undefined;
let mock: MockUpstream | undefined;
const procs: ServeProcess[] = [];

afterAll(async () => {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await mock?.close();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

describe('gateway killed with SIGKILL under load', () => {
  it('keeps every request the client saw succeed in the ledger, exactly once', { timeout: 180_000 }, async () => {
    mock = await startMockUpstream(0, { tokens: 4 });
    dir = mkdtempSync(join(tmpdir(), 'tf-crash-'));
    const config = join(dir, 'gateway.yaml');
    writeFileSync(
      config,
      `ledger: { kind: sqlite }
limits: { kind: memory }
router: least-outstanding
${mockModelsYaml(mock.port)}`,
    );
    const dataDir = join(dir, 'data');
    const first = await startServe(config, ADMIN, dataDir);
    procs.push(first);

    const succeeded: CompletionResult[] = [];
    let reached!: () => void;
    const enough = new Promise<void>((resolve) => (reached = resolve));
    const run = await startLoad({
      url: first.url,
      rps: 1000,
      durationSeconds: 120,
      tenants: 1,
      adminToken: ADMIN,
      streamShare: 0.5,
      lengths: { kind: 'lognormal', medianPromptTokens: 16, medianOutputTokens: 4, sigma: 0.5 },
      seed: 5,
      onResult: (r) => {
        if (!r.ok) return;
        succeeded.push(r);
        if (succeeded.length === OK_BEFORE_KILL) reached();
      },
    });
    const tenantId = run.tenants[0]!.tenantId!;
    await enough;
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const summary = await run.stop({ drainTimeoutMs: 10_000 });
    expect(summary.ok).toBe(succeeded.length);
    expect(summary.sent).toBeGreaterThan(summary.ok);

    // Restart on the same data dir: the ledger opens (WAL recovery) and answers.
    const second = await startServe(config, ADMIN, dataDir);
    procs.push(second);
    const counts = new Map<string, number>();
    const statuses = new Map<string, string>();
    let cursor: string | undefined;
    do {
      const page = await admin<{ data: { requestId: string; status: string }[]; nextCursor?: string }>(
        second.url,
        ADMIN,
        'GET',
        `/admin/requests?tenant=${encodeURIComponent(tenantId)}&limit=1000${cursor !== undefined ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      for (const r of page.data) {
        counts.set(r.requestId, (counts.get(r.requestId) ?? 0) + 1);
        statuses.set(r.requestId, r.status);
      }
      cursor = page.nextCursor;
    } while (cursor !== undefined);

    const missing: string[] = [];
    for (const r of succeeded) {
      expect(r.requestId).toBeDefined();
      expect(r.completionId).toBe(r.requestId);
      const n = counts.get(r.requestId!) ?? 0;
      if (n !== 1) missing.push(`${r.requestId}: ${n} records`);
      else expect(statuses.get(r.requestId!)).toBe('ok');
    }
    expect(missing, `succeeded requests not in the ledger exactly once:\n${missing.slice(0, 10).join('\n')}`).toEqual([]);
    expect(succeeded.filter((r) => r.stream).length).toBeGreaterThan(0);
    expect(succeeded.filter((r) => !r.stream).length).toBeGreaterThan(0);

    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });
});
