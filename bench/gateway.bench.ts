/**
 * Overhead of the tokenfleet gateway, side by side with the open-source
 * Portkey gateway (`@portkey-ai/gateway`), against the same local mock
 * upstream (test/mock-openai-upstream.ts), one process each, on loopback:
 *
 * 1. throughput: requests/s closed-loop at CONCURRENCY connections, plain and
 *    streaming, direct to the mock, through tokenfleet (SQLite ledger,
 *    memory limits: metering on) and through Portkey; and the CPU time the
 *    server process spent per request (from /proc on Linux), which depends
 *    much less than requests/s on what else the machine runs;
 * 2. latency at an open-loop OPEN_RPS (Poisson, half streamed): p50/p99 per
 *    target and the added latency (gateway minus direct), with the garbage
 *    collections of the tokenfleet process in that window (its event loop stands
 *    still during each; logged by bench/gateway-gc-log.mjs);
 *    A bare node:http proxy (bench/pass-through-proxy.mjs, on the gateways' CPU)
 *    runs as a floor in every section: what any Node.js gateway adds at the
 *    least on this machine, so that a gateway's own cost is the part above it;
 * 3. time to the first streamed byte on a model that sends its first token
 *    at once and the rest 20 ms later: a gateway that held the first byte
 *    back would add up to 20 ms.
 *
 * Each target is measured alone: the other gateway processes are stopped
 * (SIGSTOP) during its sections and continued after, so that an idle
 * neighbour's housekeeping (collections, timers) does not land on the
 * measured gateway's CPU.
 *
 * The client runs in this process. On a shared machine the figures are
 * noisy: read them with `uptime`. Needs `npm run build` first.
 * Run: npm run bench:gateway [-- --seconds 5 --concurrency 64 --rps 1000]
 * (`--only tokenfleet` skips Portkey; `--prompt-words N` sends prompts of N varied words instead of 16
 * tokens of one word (what a tokenizer costs on real text); `--profile DIR` writes a CPU profile of
 * the tokenfleet process into DIR, for `node --cpu-prof`'s usual viewers;
 * `--cli FILE` runs another build's main.js, to compare two builds;
 * `--node-flags="..."` (with the `=`) replaces the Node flags both gateways run with, to compare V8 settings;
 * `--pin` runs each gateway on CPU 1 and this client and the mock on CPU 0,
 * with `taskset`, so that the processes do not preempt each other: steadier
 * latency figures on a small machine, the same conditions for both gateways).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SQLITE_LEDGER_FILE } from '../src/gateway/ledger/sqlite-ledger.js';
import { LogHistogram } from '../src/sim/metrics/log-histogram.js';
import { completionBodies } from '../src/loadgen/completion-body.js';
import { emptyPlannedRequest, poissonSchedule } from '../src/loadgen/load-schedule.js';
import { sendCompletion, type CompletionResult, type CompletionTarget } from '../src/loadgen/send-completion.js';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { writeBenchGatewayConfig } from './bench-gateway-config.js';

const { values: args } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    concurrency: { type: 'string', default: '64' },
    rps: { type: 'string', default: '1000' },
    only: { type: 'string' },
    profile: { type: 'string' },
    cli: { type: 'string', default: 'dist/cli/main.js' },
    pin: { type: 'boolean', default: false },
    'node-flags': { type: 'string' },
    'prompt-words': { type: 'string' },
  },
});
/** With --pin: the command line that runs `cmd argv` on one CPU. */
const onCpu = (cpu: number, cmd: string, argv: string[]): [string, string[]] => (args.pin ? ['taskset', ['-c', String(cpu), cmd, ...argv]] : [cmd, argv]);
if (args.pin) execFileSync('taskset', ['-a', '-cp', '0', String(process.pid)], { stdio: 'ignore' });
const SECONDS = Number(args.seconds);
const CONCURRENCY = Number(args.concurrency);
const OPEN_RPS = Number(args.rps);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ADMIN = 'bench-admin';
const now = () => performance.now();

/**
 * Node flags both gateways run with: the young generation `npm start` gives the gateway (8 MB semi-spaces
 * instead of 16). A gateway allocates ~60 KB per proxied request that dies within the request; each scavenge
 * stops the event loop for as long as it copies what is still alive, and that is what puts requests in the
 * tail at 1,000 requests/s. With 8 MB: ~12 scavenges a second of ~2 ms (max ~4 ms); with 64 MB (the
 * earlier default, fewer collections): ~1 a second of 11-12 ms (max 14-17 ms), and twice the added p99
 * (alternated runs: 6.1-6.7 ms against 11.3-15.3 ms) for no fewer requests/s and no more CPU per request.
 * And an old generation of 256 MB before the first full collection (`--initial-old-space-size=256`, which V8
 * keeps as the floor of the limit afterwards): a gateway promotes ~1.2 KB per request that dies soon after, so
 * with V8's default limit a full collection came every ~4 s at 1,000 requests/s, and its marking (on the
 * event loop and on helper threads sharing the pinned CPU) left 50-90 ms clusters of late requests; over a
 * 20 s open loop: 0 full collections and an added p99 of 6.3-12.7 ms against 2-5 and 40-66 ms.
 */
const GATEWAY_NODE_FLAGS = args['node-flags'] !== undefined ? args['node-flags'].split(' ').filter((f) => f !== '') : ['--max-semi-space-size=8', '--initial-old-space-size=256'];

/** The bare node:http proxy's row: what any Node.js gateway adds at the least on this machine. */
const FLOOR = 'node:http proxy (floor)';

const children: ChildProcess[] = [];
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Spawns a process and resolves with the first match of `ready` in its stdout. */
function start(name: string, cmd: string, argv: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<RegExpExecArray> {
  const child = spawn(cmd, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 30 s:\n${out}\n${err}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code}:\n${out}\n${err}`)));
  });
}

async function waitHttp(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`${url} never answered`);
}

interface Target {
  readonly name: string;
  readonly key: string;
  readonly target: CompletionTarget;
  /** The server process behind the target (the mock itself for `direct`), whose CPU time is read. */
  readonly pid: number | undefined;
}

/** USER_HZ: the unit of /proc/<pid>/stat times on every Linux architecture Node runs on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU time a process has used so far in user and in system (kernel) mode, ms; NaN where /proc is not there (not Linux). */
function cpuMs(pid: number | undefined): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command (which may hold spaces), 1-based from the state field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: (Number(fields[11]) * 1000) / CLOCK_TICKS_PER_SECOND, system: (Number(fields[12]) * 1000) / CLOCK_TICKS_PER_SECOND };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

const PROMPT_TOKENS = 16;
const WARM_UP_REQUESTS = 3000;
const OUTPUT_TOKENS = 8;
const MODELS = ['mock', 'mock-slow'];

/**
 * With `--prompt-words N`: prompts of N pseudo-words (2-9 letters, deterministic), a different slice of a long
 * text for every request, so that the gateway's tokenizer meets text as it would in production (the default
 * prompt repeats one token, which its cache answers at once). The mock answers the same whatever the prompt.
 */
function variedBodies(words: number): { body(model: number, promptTokens: number, outputTokens: number, stream: boolean): string; readonly samplePrompt: string } {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let seed = 12345;
  const next = (): number => (seed = (seed * 16807) % 2147483647);
  const corpus: string[] = [];
  for (let i = 0; i < words * 4; i++) {
    let w = '';
    for (let k = 2 + (next() % 8); k > 0; k--) w += letters[next() % 26];
    corpus.push(w);
  }
  let offset = 0;
  const heads = MODELS.map((m) => `{"model":${JSON.stringify(m)},"messages":[{"role":"user","content":"`);
  return {
    samplePrompt: corpus.slice(0, words).join(' '),
    body(model, _promptTokens, outputTokens, stream) {
      offset = (offset + 7919) % (corpus.length - words);
      const prompt = corpus.slice(offset, offset + words).join(' ');
      return `${heads[model]}${prompt}"}],"max_tokens":${outputTokens}${stream ? ',"stream":true,"stream_options":{"include_usage":true}}' : '}'}`;
    },
  };
}
const PROMPT_WORDS = args['prompt-words'] !== undefined ? Number(args['prompt-words']) : undefined;
if (PROMPT_WORDS !== undefined && !(Number.isInteger(PROMPT_WORDS) && PROMPT_WORDS > 0)) throw new Error(`--prompt-words takes a positive whole number, got ${args['prompt-words']}`);
const varied = PROMPT_WORDS !== undefined ? variedBodies(PROMPT_WORDS) : undefined;
const bodies = varied ?? completionBodies(MODELS, PROMPT_TOKENS);

function once(t: Target, model: number, stream: boolean): Promise<CompletionResult> {
  return new Promise((resolve) => sendCompletion(t.target, t.key, bodies.body(model, PROMPT_TOKENS, OUTPUT_TOKENS, stream), stream, now, resolve));
}

/** Closed loop: CONCURRENCY workers, each sending as soon as its previous request ended. */
/**
 * Runs `measure` with every other gateway process stopped (SIGSTOP, then SIGCONT), the mock and the client
 * excepted: one gateway at a time on the gateways' CPU. Idle gateways are not always idle: Portkey, after its
 * closed loop, once took 150 ms of CPU on tokenfleet's CPU during tokenfleet's open loop (a 10 ms added p99
 * in that run, against 1-2.5 ms in runs without it).
 */
async function alone<T>(t: Target, all: readonly Target[], measure: () => Promise<T>): Promise<T> {
  const others = all.filter((o) => o !== t && o.name !== 'direct (mock)' && o.pid !== undefined).map((o) => o.pid!);
  for (const pid of others) process.kill(pid, 'SIGSTOP');
  // The measured gateway may have just been continued: let it run its overdue timers first (closing idle
  // keep-alive connections, which a request sent at once would meet as a reset).
  await new Promise((resolve) => setTimeout(resolve, 250));
  try {
    return await measure();
  } finally {
    for (const pid of others) process.kill(pid, 'SIGCONT');
  }
}

async function closedLoop(t: Target, stream: boolean): Promise<{ rps: number; failed: number; cpuMsPerRequest: number; systemShare: number }> {
  let ok = 0;
  let failed = 0;
  let counting = false;
  let cpuAtStart = { user: Number.NaN, system: Number.NaN };
  const stopAt = now() + 1000 + SECONDS * 1000;
  setTimeout(() => {
    counting = true;
    cpuAtStart = cpuMs(t.pid);
  }, 1000); // warm-up second
  const worker = async () => {
    while (now() < stopAt) {
      const r = await once(t, 0, stream);
      if (!counting) continue;
      if (r.ok) ok++;
      else failed++;
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const cpu = cpuMs(t.pid);
  const userMs = cpu.user - cpuAtStart.user;
  const systemMs = cpu.system - cpuAtStart.system;
  return { rps: ok / SECONDS, failed, cpuMsPerRequest: (userMs + systemMs) / ok, systemShare: systemMs / (userMs + systemMs) };
}

/** WARM_UP_REQUESTS requests, half streamed, CONCURRENCY at a time. */
async function warmUp(t: Target): Promise<void> {
  let left = WARM_UP_REQUESTS;
  const worker = async () => {
    while (left-- > 0) await once(t, 0, left % 2 === 0);
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

interface OpenLoopResult {
  readonly latency: LogHistogram;
  readonly failed: number;
  readonly sent: number;
}

/** Open loop: Poisson arrivals at OPEN_RPS for SECONDS (after a 1 s warm-up at the same rate), half streamed. */
function openLoop(t: Target): Promise<OpenLoopResult> {
  const schedule = poissonSchedule({
    rps: OPEN_RPS,
    seed: 42,
    tenantCount: 1,
    modelCount: 1,
    streamShare: 0.5,
    lengths: { kind: 'lognormal', medianPromptTokens: PROMPT_TOKENS, medianOutputTokens: OUTPUT_TOKENS, sigma: 0 },
    caps: { maxPromptTokens: PROMPT_TOKENS, maxOutputTokens: OUTPUT_TOKENS },
  });
  const latency = new LogHistogram({ minValue: 1e-3 });
  let failed = 0;
  let sent = 0;
  let pending = 0;
  const next = emptyPlannedRequest();
  schedule.next(next);
  const startMs = now();
  const endMs = (SECONDS + 1) * 1000;
  return new Promise((resolve) => {
    let sending = true;
    const maybeDone = () => {
      if (!sending && pending === 0) resolve({ latency, failed, sent });
    };
    const tick = () => {
      const t0 = now() - startMs;
      while (next.atMs <= t0 && next.atMs < endMs) {
        const measured = next.atMs >= 1000;
        pending++;
        sent++;
        sendCompletion(t.target, t.key, bodies.body(0, PROMPT_TOKENS, OUTPUT_TOKENS, next.stream), next.stream, now, (r) => {
          pending--;
          if (measured) {
            if (r.ok) latency.add(r.latencyMs);
            else failed++;
          }
          maybeDone();
        });
        schedule.next(next);
      }
      if (next.atMs >= endMs) {
        sending = false;
        maybeDone();
        return;
      }
      setTimeout(tick, Math.max(0, next.atMs - (now() - startMs)));
    };
    tick();
  });
}

/**
 * The open loop's requests as tokenfleet's own ledger saw them: from arrival (the request's headers read) to
 * the record (just before the response ends), and to the upstream's first token; what the client adds on top
 * is the loopback, the client's own queueing and the time before the gateway reads the request.
 */
function insideTokenfleet(ledgerFile: string, fromMs: number): string {
  const db = new Database(ledgerFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT latency_ms AS latency, ttft_ms AS ttft FROM ledger_requests WHERE created_at >= ?').all(fromMs) as { latency: number; ttft: number | null }[];
    const latency = new LogHistogram({ minValue: 1e-3 });
    const ttft = new LogHistogram({ minValue: 1e-3 });
    for (const r of rows) {
      latency.add(Math.max(r.latency, 1e-3));
      if (r.ttft !== null) ttft.add(Math.max(r.ttft, 1e-3));
    }
    return `inside tokenfleet (its ledger, ${rows.length} requests): arrival to record p50 ${f(latency.quantile(0.5), 3)} p99 ${f(latency.quantile(0.99), 3)}; arrival to the upstream's first token p50 ${f(ttft.quantile(0.5), 3)} p99 ${f(ttft.quantile(0.99), 3)}`;
  } finally {
    db.close();
  }
}

/**
 * The garbage collections of the tokenfleet process between `fromMs` and `toMs` (Unix epoch ms), from the log
 * that bench/gateway-gc-log.mjs writes in it: the event loop stands still during each pause, so a request that
 * arrives then waits for its end, and pauses longer than the latency target put requests in the tail.
 */
function pausesDuring(logFile: string, fromMs: number, toMs: number): string {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return 'garbage collections inside tokenfleet: no log (bench/gateway-gc-log.mjs did not load)';
  }
  const byKind = new Map<string, number[]>();
  for (const line of text.split('\n')) {
    const [at, pause, kind] = line.split(' ');
    if (kind === undefined || Number(at) < fromMs || Number(at) > toMs) continue;
    const list = byKind.get(kind) ?? [];
    list.push(Number(pause));
    byKind.set(kind, list);
  }
  const seconds = (toMs - fromMs) / 1000;
  const parts = [...byKind].map(([kind, ms]) => {
    ms.sort((a, b) => a - b);
    const total = ms.reduce((a, b) => a + b, 0);
    return `${ms.length} ${kind} (pause median ${f(ms[Math.floor(ms.length / 2)]!, 1)} ms, max ${f(ms.at(-1)!, 1)} ms, ${f((100 * total) / (seconds * 1000), 1)}% of the time)`;
  });
  return `garbage collections inside tokenfleet in the measured ${f(seconds, 1)} s: ${parts.length > 0 ? parts.join('; ') : 'none'}`;
}

/** Time to the first streamed byte of the `-slow` model, sequentially. */
async function firstByte(t: Target, n: number): Promise<{ p50: number; p99: number; latencyP50: number }> {
  const fb = new LogHistogram({ minValue: 1e-3 });
  const lat = new LogHistogram({ minValue: 1e-3 });
  for (let i = 0; i < n; i++) {
    const r = await once(t, 1, true);
    if (!r.ok || r.firstByteMs === undefined) throw new Error(`${t.name}: slow stream failed (status ${r.status})`);
    if (i >= 10) {
      fb.add(r.firstByteMs);
      lat.add(r.latencyMs);
    }
  }
  return { p50: fb.quantile(0.5), p99: fb.quantile(0.99), latencyP50: lat.quantile(0.5) };
}

function row(cells: (string | number)[]): string {
  return cells.map((c, i) => (i === 0 ? String(c).padEnd(24) : String(c).padStart(16))).join('');
}
const f = (x: number, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

async function main(): Promise<void> {
  console.log(`gateway bench: ${CONCURRENCY} connections closed-loop for ${SECONDS} s; open loop ${OPEN_RPS} rps for ${SECONDS} s; gateways run with node ${GATEWAY_NODE_FLAGS.join(' ')}; prompts ${varied !== undefined ? `of ${PROMPT_WORDS} varied words (~${countTokens(varied.samplePrompt)} o200k tokens)` : `of ${PROMPT_TOKENS} tokens of one word`}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  const mockPort = Number((await start('mock upstream', ...onCpu(0, process.execPath, ['--import', 'tsx', 'test/mock-openai-upstream.ts', '0']), /listening on (\d+)/))[1]);
  const mockPid = children.at(-1)?.pid;

  const dir = mkdtempSync(join(tmpdir(), 'tf-bench-'));
  const config = writeBenchGatewayConfig(dir, mockPort, ['mock', 'mock-slow']);
  const gcLog = join(dir, 'gc.log');
  const tfArgv = [...GATEWAY_NODE_FLAGS, '--import', pathToFileURL(join(ROOT, 'bench', 'gateway-gc-log.mjs')).href, ...(args.profile !== undefined ? ['--cpu-prof', '--cpu-prof-interval=200', `--cpu-prof-dir=${args.profile}`] : []), args.cli, 'serve', '--config', config, '--quiet', '--no-plan'];
  const tfUrl = (await start('tokenfleet', ...onCpu(1, process.execPath, tfArgv), /listening on (http:\/\/\S+)/, { TOKENFLEET_ADMIN_TOKEN: ADMIN, TOKENFLEET_GC_LOG: gcLog }))[1]!;
  const tfPid = children.at(-1)?.pid;
  const admin = { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' };
  const tenant = (await (await fetch(`${tfUrl}/admin/tenants`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'bench', rpm: 100_000_000, tpm: 10_000_000_000, budgetUsdPerMonth: 1_000_000_000 }) })).json()) as { id: string };
  const tfKey = ((await (await fetch(`${tfUrl}/admin/tenants/${tenant.id}/keys`, { method: 'POST', headers: admin })).json()) as { key: string }).key;

  const portkeyPort = await freePort();
  const portkeyDir = join(ROOT, 'node_modules', '@portkey-ai', 'gateway', 'build', 'start-server.js');
  const portkey = spawn(...onCpu(1, process.execPath, [...GATEWAY_NODE_FLAGS, portkeyDir, `--port=${portkeyPort}`, '--headless']), { cwd: ROOT, env: { ...process.env, NODE_ENV: 'production' }, stdio: 'ignore' });
  children.push(portkey);
  await waitHttp(`http://127.0.0.1:${portkeyPort}/`);

  // The floor: a bare node:http proxy on the gateways' CPU (bench/pass-through-proxy.mjs).
  const floorPort = Number((await start('pass-through proxy', ...onCpu(1, process.execPath, [...GATEWAY_NODE_FLAGS, join(ROOT, 'bench', 'pass-through-proxy.mjs'), String(mockPort)]), /listening on (\d+)/))[1]);
  const floorPid = children.at(-1)?.pid;

  const agent = () => new Agent({ keepAlive: true, maxSockets: Math.max(CONCURRENCY, 2048), scheduling: 'lifo' });
  const targets: Target[] = [
    { name: 'direct (mock)', key: 'unused', pid: mockPid, target: { agent: agent(), hostname: '127.0.0.1', port: mockPort, path: '/v1/chat/completions' } },
    { name: FLOOR, key: 'unused', pid: floorPid, target: { agent: agent(), hostname: '127.0.0.1', port: floorPort, path: '/v1/chat/completions' } },
    { name: 'tokenfleet', key: tfKey, pid: tfPid, target: { agent: agent(), hostname: '127.0.0.1', port: Number(new URL(tfUrl).port), path: '/v1/chat/completions' } },
    {
      name: 'portkey',
      key: 'unused',
      pid: portkey.pid,
      target: {
        agent: agent(),
        hostname: '127.0.0.1',
        port: portkeyPort,
        path: '/v1/chat/completions',
        headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `http://127.0.0.1:${mockPort}/v1` },
      },
    },
  ].filter((t) => args.only === undefined || t.name === 'direct (mock)' || t.name === FLOOR || t.name.startsWith(args.only));
  for (const t of targets) {
    for (const stream of [false, true]) {
      const r = await once(t, 0, stream);
      if (!r.ok) throw new Error(`${t.name}: a ${stream ? 'streamed' : 'plain'} request failed with status ${r.status} ${r.error ?? ''}`);
    }
    // Warm-up: lazy initialisation (the tokenizer's tables, prepared statements) and the JIT, off the clock.
    await warmUp(t);
  }

  console.log('\n1. closed loop, requests/s (higher is better) and the server process\'s CPU time per request, ms (lower is better;');
  console.log('   unlike requests/s it hardly depends on what else runs on the machine; "kernel" is the share of it spent in system calls)');
  console.log(row(['target', 'plain rps', 'stream rps', 'plain CPU ms', 'stream CPU ms', 'kernel', 'failed']));
  const tput = new Map<string, { plain: number; stream: number; plainCpu: number; streamCpu: number }>();
  for (const t of targets) {
    const plain = await alone(t, targets, () => closedLoop(t, false));
    const stream = await alone(t, targets, () => closedLoop(t, true));
    tput.set(t.name, { plain: plain.rps, stream: stream.rps, plainCpu: plain.cpuMsPerRequest, streamCpu: stream.cpuMsPerRequest });
    const kernel = `${f(100 * plain.systemShare, 0)}% / ${f(100 * stream.systemShare, 0)}%`;
    console.log(row([t.name, f(plain.rps, 0), f(stream.rps, 0), f(plain.cpuMsPerRequest, 3), f(stream.cpuMsPerRequest, 3), kernel, plain.failed + stream.failed]));
  }
  const tf = tput.get('tokenfleet');
  const pk = tput.get('portkey');
  if (tf && pk) {
    console.log(row(['tokenfleet / portkey', `${f(tf.plain / pk.plain, 2)}x`, `${f(tf.stream / pk.stream, 2)}x`, `${f(pk.plainCpu / tf.plainCpu, 2)}x less`, `${f(pk.streamCpu / tf.streamCpu, 2)}x less`, '', '']));
  }

  console.log(`\n2. open loop at ${OPEN_RPS} rps (Poisson, half streamed), latency ms`);
  console.log(row(['target', 'sent', 'p50', 'p99', 'added p50', 'added p99', 'failed']));
  let direct: OpenLoopResult | undefined;
  let floor: OpenLoopResult | undefined;
  const above: string[] = [];
  let inside = '';
  let gcPauses = '';
  /** The gateways' own CPU (with --pin they share one): what the others took while tokenfleet was measured. */
  const neighbours = targets.filter((t) => t.name !== 'direct (mock)' && t.name !== 'tokenfleet');
  const cpuTotal = (pid: number | undefined): number => {
    const c = cpuMs(pid);
    return c.user + c.system;
  };
  let neighbourCpu = '';
  for (const t of targets) {
    let measuredFromMs = 0;
    let neighbourMs: number[] = [];
    const r = await alone(t, targets, async () => {
      measuredFromMs = Date.now() + 1000; // after the open loop's warm-up second
      const before = neighbours.map((n) => cpuTotal(n.pid));
      const result = await openLoop(t);
      neighbourMs = neighbours.map((n, i) => cpuTotal(n.pid) - before[i]!);
      return result;
    });
    if (t.name === 'tokenfleet') {
      inside = insideTokenfleet(join(dir, 'data', SQLITE_LEDGER_FILE), measuredFromMs);
      gcPauses = pausesDuring(gcLog, measuredFromMs, Date.now());
      neighbourCpu = neighbours.map((n, i) => `${n.name} ${f(neighbourMs[i]!, 0)} ms`).join(', ');
    }
    direct ??= r;
    const p50 = r.latency.quantile(0.5);
    const p99 = r.latency.quantile(0.99);
    const d50 = direct.latency.quantile(0.5);
    const d99 = direct.latency.quantile(0.99);
    console.log(row([t.name, r.sent, f(p50, 3), f(p99, 3), r === direct ? '' : f(p50 - d50, 3), r === direct ? '' : f(p99 - d99, 3), r.failed]));
    if (t.name === FLOOR) floor = r;
    else if (floor !== undefined && r !== direct) above.push(`${t.name} p50 ${f(p50 - floor.latency.quantile(0.5), 3)} p99 ${f(p99 - floor.latency.quantile(0.99), 3)}`);
  }
  if (above.length > 0) console.log(`added over the node:http proxy (each gateway's own work): ${above.join('; ')}`);

  if (inside !== '') console.log(inside);
  if (gcPauses !== '') console.log(gcPauses);
  if (neighbourCpu !== '') console.log(`CPU time the other gateway processes took during tokenfleet's open loop (stopped${args.pin ? ', on its CPU' : ''}): ${neighbourCpu}`);

  console.log('\n3. first streamed byte, ms (upstream: first token at once, the rest 20 ms later)');
  console.log(row(['target', 'first byte p50', 'first byte p99', 'added p50', 'latency p50']));
  let directFb: number | undefined;
  for (const t of targets) {
    const r = await alone(t, targets, () => firstByte(t, 210));
    directFb ??= r.p50;
    console.log(row([t.name, f(r.p50, 3), f(r.p99, 3), t.name === 'direct (mock)' ? '' : f(r.p50 - directFb, 3), f(r.latencyP50, 1)]));
  }
  console.log(`\nload average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  for (const t of targets) t.target.agent.destroy();
  for (const c of children) c.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}

await main();
