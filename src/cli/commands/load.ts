/**
 * @module `tokenfleet load`: an open-loop load generator against a running
 * gateway (Poisson at --rps, or a ServeGen replay with one tenant per
 * client), a live line every 2 s on a terminal and a summary at the end
 * (--json: the summary only). Ctrl-C stops sending, waits briefly for the
 * requests in flight and prints the summary.
 */
import { z } from 'zod';
import { readEnv } from '../../config/env.js';
import { readTextFile } from '../../config/read-text-file.js';
import { InvalidInputError } from '../../core/errors.js';
import type { LoadLengths } from '../../loadgen/load-lengths.js';
import type { LoadSummary, MsQuantiles } from '../../loadgen/load-stats.js';
import { readLengthStats } from '../../sim/workload/read-length-stats.js';
import { ExitError } from '../exit-error.js';
import { fmtNum, formatTable } from '../format-table.js';
import { parseOptions, positiveInt } from '../parse-options.js';

const num = z.coerce.number({ error: 'expected a number' });
const positive = num.positive('expected a positive number');

const schema = z.object({
  url: z.string().min(1),
  rps: positive.optional(),
  duration: positive.optional(),
  tenants: positiveInt.max(1000, 'expected at most 1000').optional(),
  adminToken: z.string().optional(),
  key: z.array(z.string().min(1, 'expected a key')).optional(),
  models: z.string().optional(),
  streamShare: num.min(0, 'expected a share from 0 to 1').max(1, 'expected a share from 0 to 1'),
  promptTokens: positiveInt,
  outputTokens: positiveInt,
  lengthSigma: num.min(0, 'expected 0 or more'),
  lengths: z.string().optional(),
  maxPromptTokens: positiveInt,
  maxOutputTokens: positiveInt,
  seed: num.int('expected a whole number'),
  servegen: z.string().optional(),
  rateScale: positive,
  servegenStart: num.min(0, 'expected seconds from 0'),
  maxClients: positiveInt.optional(),
  maxInFlight: positiveInt,
  json: z.boolean().optional(),
});

/** Interval of the live line, ms. */
const LIVE_INTERVAL_MS = 2000;

function ms(q: MsQuantiles | undefined, k: keyof MsQuantiles): string {
  return q === undefined ? '-' : fmtNum(q[k], q[k] < 10 ? 2 : 1);
}

function liveLine(s: LoadSummary, intervalRps: number): string {
  const statuses = Object.entries(s.statusCounts)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  return `${fmtNum(s.elapsedSeconds, 0)}s  sent ${fmtNum(s.sent)}  ${fmtNum(intervalRps)} rps  in flight ${fmtNum(s.inFlight)}  [${statuses}]  ttft p50 ${ms(s.ttftMs, 'p50')} ms  latency p99 ${ms(s.latencyMs, 'p99')} ms`;
}

export function formatLoadSummary(s: LoadSummary): string {
  const lines = [
    `${fmtNum(s.sent)} requests sent in ${fmtNum(s.elapsedSeconds, 1)} s (${fmtNum(s.offeredRps, 1)} rps offered), ${fmtNum(s.completed)} answered (${fmtNum(s.achievedRps, 1)} rps), ${fmtNum(s.ok)} ok (${fmtNum(s.okRps, 1)} rps)`,
    `status: ${Object.entries(s.statusCounts).map(([k, v]) => `${k} ${fmtNum(v)}`).join(', ') || 'none'}` +
      (s.incomplete > 0 ? `; ${fmtNum(s.incomplete)} incomplete 200s` : '') +
      (s.skipped > 0 ? `; ${fmtNum(s.skipped)} not sent (too many in flight)` : '') +
      (s.inFlight > 0 ? `; ${fmtNum(s.inFlight)} cut at stop` : ''),
    `tokens: ${fmtNum(s.promptTokens)} prompt, ${fmtNum(s.completionTokens)} completion; send lag p99 ${fmtNum(s.sendLagP99Ms, 1)} ms`,
    '',
    formatTable(
      ['ms', 'p50', 'p90', 'p99'],
      [
        ['TTFT (streams)', ms(s.ttftMs, 'p50'), ms(s.ttftMs, 'p90'), ms(s.ttftMs, 'p99')],
        ['latency (ok)', ms(s.latencyMs, 'p50'), ms(s.latencyMs, 'p90'), ms(s.latencyMs, 'p99')],
      ],
      ['left', 'right', 'right', 'right'],
    ),
  ];
  return lines.join('\n');
}

function lengthsOf(o: z.infer<typeof schema>): LoadLengths {
  if (o.lengths !== undefined) return { kind: 'distribution', distribution: readLengthStats(readTextFile(o.lengths), o.lengths) };
  return { kind: 'lognormal', medianPromptTokens: o.promptTokens, medianOutputTokens: o.outputTokens, sigma: o.lengthSigma };
}

export async function loadCommand(raw: unknown): Promise<void> {
  const o = parseOptions(schema, raw);
  if (o.rps === undefined && o.servegen === undefined) throw new InvalidInputError('give a rate (--rps N) or a ServeGen profile (--servegen DIR)', '--rps');
  if (o.rps !== undefined && o.servegen !== undefined) throw new InvalidInputError('give either --rps or --servegen, not both', '--rps');
  if (o.tenants !== undefined && o.key !== undefined) throw new InvalidInputError('give either --tenants (created with the admin token) or --key, not both', '--tenants');
  const models = o.models?.split(',').map((m) => m.trim()).filter((m) => m !== '');
  const { startLoad } = await import('../../loadgen/start-load.js');
  const adminToken = o.adminToken ?? readEnv().adminToken;
  const run = await startLoad({
    url: o.url,
    ...(o.rps !== undefined && { rps: o.rps }),
    ...(o.servegen !== undefined && { servegen: { dir: o.servegen, startSeconds: o.servegenStart, rateScale: o.rateScale, ...(o.maxClients !== undefined && { maxClients: o.maxClients }) } }),
    ...(o.duration !== undefined && { durationSeconds: o.duration }),
    ...(o.key !== undefined ? { keys: o.key } : { tenants: o.tenants ?? 4 }),
    ...(adminToken !== undefined && { adminToken }),
    ...(models !== undefined && { models }),
    streamShare: o.streamShare,
    lengths: lengthsOf(o),
    maxPromptTokens: o.maxPromptTokens,
    maxOutputTokens: o.maxOutputTokens,
    seed: o.seed,
    maxInFlight: o.maxInFlight,
  });
  const live = !o.json && process.stderr.isTTY === true;
  if (!o.json) {
    process.stderr.write(
      `sending to ${o.url} as ${run.tenants.length} tenant${run.tenants.length === 1 ? '' : 's'} (${run.tenants.slice(0, 4).map((t) => t.name).join(', ')}${run.tenants.length > 4 ? ', ...' : ''}), models ${run.models.join(', ')}; ${o.duration === undefined ? 'Ctrl-C to stop' : `for ${o.duration} s`}\n`,
    );
  }
  let lastSent = 0;
  let lastAt = 0;
  const ticker = live
    ? setInterval(() => {
        const s = run.stats();
        const rps = s.elapsedSeconds > lastAt ? (s.completed - lastSent) / (s.elapsedSeconds - lastAt) : 0;
        lastSent = s.completed;
        lastAt = s.elapsedSeconds;
        process.stderr.write(`\r\x1b[2K${liveLine(s, rps)}`);
      }, LIVE_INTERVAL_MS)
    : undefined;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    void run.stop({ drainTimeoutMs: 5000 });
  };
  process.once('SIGINT', onSigint);
  const summary = await run.finished;
  process.off('SIGINT', onSigint);
  if (ticker !== undefined) {
    clearInterval(ticker);
    process.stderr.write('\r\x1b[2K');
  }
  process.stdout.write(o.json ? JSON.stringify({ ...summary, tenants: run.tenants.map((t) => t.name), models: run.models, interrupted }, null, 2) + '\n' : formatLoadSummary(summary) + '\n');
  if (summary.sent > 0 && summary.ok === 0) throw new ExitError(1, `none of the ${summary.sent} requests succeeded (statuses: ${JSON.stringify(summary.statusCounts)})`);
}
