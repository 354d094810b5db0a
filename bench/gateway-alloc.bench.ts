/**
 * Bytes allocated on the V8 heap and CPU time per proxied request in the
 * tokenfleet gateway process (metering on: SQLite ledger, memory limits),
 * plain and streamed, against the local mock upstream: figures that depend
 * far less on what else the machine runs than latencies do (young-generation
 * scavenges, a few ms each, are most of the gateway's latency tail at
 * 1,000 requests/s; fewer bytes per request, fewer of them), and the bytes
 * per request that scavenges promote to the old generation (what outlives two
 * scavenges: each scavenge copies it, and only full collections free it).
 *
 * The gateway runs as a child (`tokenfleet serve` from the sources through
 * tsx, or a build with --cli: its figures are the ones to quote, since tsx's
 * transform adds allocations of its own) with bench/gateway-alloc-probe.ts loaded, which
 * measures each window between two forced GCs; the client and the mock
 * upstream run in this process. After a warm-up, each round sends --requests
 * plain then --requests streamed chat completions (8 output tokens),
 * --concurrency at a time; the figures are the medians over --rounds.
 *
 * Run: npx tsx bench/gateway-alloc.bench.ts [--requests 10000 --rounds 3
 * --concurrency 4 --heap-profile --cli dist/cli/main.js --semi-space-mb 8]
 * (`--semi-space-mb` sets V8's young-generation semi-spaces of the gateway, 8 MB by default as `npm start`
 * runs it; 0 leaves V8's default of 16 MB).
 * (`--heap-profile` prints the top allocating functions of the last round,
 * from V8's sampling heap profiler, which itself slows the gateway down).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildSync } from 'esbuild';
import { completionBodies } from '../src/loadgen/completion-body.js';
import { sendCompletion, type CompletionResult, type CompletionTarget } from '../src/loadgen/send-completion.js';
import { startMockUpstream } from '../test/mock-openai-upstream.js';
import type { ProbeReport } from './gateway-alloc-probe.js';
import { writeBenchGatewayConfig } from './bench-gateway-config.js';

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '10000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '4' },
    warmup: { type: 'string', default: '2000' },
    cli: { type: 'string' },
    'heap-profile': { type: 'boolean', default: false },
    'semi-space-mb': { type: 'string', default: '8' },
  },
});
const REQUESTS = Number(args.requests);
const ROUNDS = Number(args.rounds);
const CONCURRENCY = Number(args.concurrency);
const WARM_UP = Number(args.warmup);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'bench-admin';
const PROMPT_TOKENS = 16;
const OUTPUT_TOKENS = 8;
const bodies = completionBodies(['mock'], PROMPT_TOKENS);
const now = () => performance.now();

function startGateway(dir: string, config: string): Promise<{ child: ChildProcess; url: string }> {
  // The probe is TypeScript: for a build it is compiled to JavaScript first (tsx would also
  // transform the build's files, with esbuild's keepNames wrappers, which allocate); for the
  // sources tsx runs both.
  const probe = fileURLToPath(new URL('./gateway-alloc-probe.ts', import.meta.url));
  let preload: string[];
  if (args.cli === undefined) {
    preload = ['--import', 'tsx', '--import', probe, 'src/cli/main.ts'];
  } else {
    const js = join(dir, 'gateway-alloc-probe.mjs');
    buildSync({ entryPoints: [probe], outfile: js, format: 'esm', platform: 'node', target: 'node20', logLevel: 'error' });
    preload = ['--import', pathToFileURL(js).href, args.cli];
  }
  const semi = Number(args['semi-space-mb']);
  const argv = ['--expose-gc', ...(semi > 0 ? [`--max-semi-space-size=${semi}`] : []), ...preload, 'serve', '--config', config, '--quiet', '--no-plan'];
  const child = spawn(process.execPath, argv, { cwd: ROOT, env: { ...process.env, TOKENFLEET_ADMIN_TOKEN: ADMIN }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the gateway did not start in 60 s:\n${out}\n${err}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1]! });
      }
    });
    child.once('exit', (code) => reject(new Error(`the gateway exited with ${code}:\n${out}\n${err}`)));
  });
}

function ask<T>(child: ChildProcess, message: object): Promise<T> {
  return new Promise((resolve) => {
    child.once('message', (m) => resolve(m as T));
    child.send(message);
  });
}

function once(target: CompletionTarget, key: string, stream: boolean): Promise<CompletionResult> {
  return new Promise((resolve) => sendCompletion(target, key, bodies.body(0, PROMPT_TOKENS, OUTPUT_TOKENS, stream), stream, now, resolve));
}

/** `n` requests, CONCURRENCY at a time; throws at the first failure. */
async function run(target: CompletionTarget, key: string, n: number, stream: (i: number) => boolean): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < n) {
      const i = next++;
      const r = await once(target, key, stream(i));
      if (!r.ok) throw new Error(`request ${i} failed: status ${r.status} ${r.error ?? ''}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  console.log(`gateway allocations: ${REQUESTS} plain + ${REQUESTS} streamed requests per round, ${ROUNDS} rounds, concurrency ${CONCURRENCY}; semi-spaces ${Number(args['semi-space-mb']) > 0 ? `${args['semi-space-mb']} MB` : "V8's default"}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const mock = await startMockUpstream(0);
  const dir = mkdtempSync(join(tmpdir(), 'tf-alloc-'));
  const config = writeBenchGatewayConfig(dir, mock.port, ['mock']);
  const { child, url } = await startGateway(dir, config);
  try {
    const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
    const tenant = (await (await fetch(`${url}/admin/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', rpm: 100_000_000, tpm: 10_000_000_000, budgetUsdPerMonth: 1_000_000_000 }) })).json()) as { id: string };
    const key = ((await (await fetch(`${url}/admin/tenants/${tenant.id}/keys`, { method: 'POST', headers: admin })).json()) as { key: string }).key;
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY, scheduling: 'lifo' });
    const target: CompletionTarget = { agent, hostname: '127.0.0.1', port: Number(new URL(url).port), path: '/v1/chat/completions' };

    await run(target, key, WARM_UP, (i) => i % 2 === 0);
    const figures = { plain: [] as ProbeReport[], stream: [] as ProbeReport[] };
    let top: ProbeReport['top'];
    for (let round = 0; round < ROUNDS; round++) {
      for (const stream of [false, true]) {
        const heapProfile = args['heap-profile'] && round === ROUNDS - 1;
        await ask(child, { cmd: 'start', heapProfile });
        const t0 = now();
        await run(target, key, REQUESTS, () => stream);
        const wallMs = now() - t0;
        const r = await ask<ProbeReport>(child, { cmd: 'stop' });
        figures[stream ? 'stream' : 'plain'].push(r);
        console.log(`round ${round + 1} ${stream ? 'stream' : 'plain '}: ${(REQUESTS / (wallMs / 1000)).toFixed(0)} requests/s`);
        if (r.top) {
          console.log(`\ntop allocating functions, ${stream ? 'streamed' : 'plain'} requests (sampled), bytes per request:`);
          for (const t of r.top) console.log(`${(t.bytes / REQUESTS).toFixed(0).padStart(8)}  ${t.fn}`);
          top = r.top;
        }
      }
    }
    void top;
    console.log('\n' + ['requests', 'KB allocated/req', 'CPU us/req', 'scavenges/1k req', 'GC pause ms/1k req', 'B promoted/req'].map((s, i) => (i === 0 ? s.padEnd(10) : s.padStart(20))).join(''));
    for (const kind of ['plain', 'stream'] as const) {
      const rs = figures[kind];
      const cells = [
        median(rs.map((r) => r.allocatedBytes / REQUESTS / 1024)).toFixed(2),
        median(rs.map((r) => r.cpuMicros / REQUESTS)).toFixed(0),
        median(rs.map((r) => (r.scavenges * 1000) / REQUESTS)).toFixed(2),
        median(rs.map((r) => (r.gcPauseMs * 1000) / REQUESTS)).toFixed(2),
        median(rs.map((r) => r.promotedBytes / REQUESTS)).toFixed(0),
      ];
      console.log([kind, ...cells].map((s, i) => (i === 0 ? s.padEnd(10) : s.padStart(20))).join(''));
      console.log(`${''.padEnd(10)}rounds: ${rs.map((r) => `${(r.allocatedBytes / REQUESTS / 1024).toFixed(2)} KB ${(r.cpuMicros / REQUESTS).toFixed(0)} us`).join(', ')}`);
    }
    agent.destroy();
  } finally {
    child.kill('SIGTERM');
    await mock.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
