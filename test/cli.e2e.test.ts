/**
 * @module End-to-end tests of the built CLI (`node dist/cli/main.js`): exit
 * codes, output and JSON of catalog, estimate, search and predict, and that bad input
 * gives a one-line error with exit code 2, never a stack trace.
 * Needs `npm run build` first.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli', 'main.js');
const FIXTURE = join(ROOT, 'test', 'fixtures', 'silicon-sample-small.csv');
const UNKNOWN_MODEL = 'acme/NoSuchModel-7B';
/** How Node prints a stack frame; no bad input may show one. */
const STACK_FRAME = '    at ';

interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(...args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Exit 0, nothing on stderr, stdout parsed as JSON. */
function okJson<T>(r: Run): T {
  expect(r.stderr, r.stderr).toBe('');
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout) as T;
}

/** Exit 2 with a one-line `error:` (or commander's) message containing every needle, and no stack trace. */
function expectBadInput(r: Run, ...needles: string[]): void {
  expect(r.stderr).not.toContain(STACK_FRAME);
  expect(r.stderr).not.toContain('internal error');
  expect(r.status, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/^error: /);
  for (const n of needles) expect(r.stderr).toContain(n);
}

type CsvTable = { header: string[]; rows: string[][] };

function readCsv(text: string): CsvTable {
  const [header, ...rows] = parse(text, { relax_column_count: false }) as string[][];
  return { header: header!, rows };
}

function writeCsv(path: string, t: CsvTable): void {
  const field = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  writeFileSync(path, [t.header, ...t.rows].map((r) => r.map(field).join(',')).join('\n') + '\n');
}

/** A copy of the fixture with `edit` applied to each row (given a column lookup). */
function editedFixture(path: string, edit: (row: string[], col: (name: string) => number) => string[] | undefined): void {
  const t = readCsv(readFileSync(FIXTURE, 'utf8'));
  const col = (name: string) => {
    const i = t.header.indexOf(name);
    if (i < 0) throw new Error(`fixture has no column ${name}`);
    return i;
  };
  const rows = t.rows.flatMap((r) => {
    const out = edit([...r], col);
    return out ? [out] : [];
  });
  writeCsv(path, { header: t.header, rows });
}

let tmp = '';

beforeAll(() => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build before the end-to-end tests`);
  tmp = mkdtempSync(join(tmpdir(), 'tokenfleet-e2e-'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('tokenfleet --help', () => {
  it('exits 0 and lists the commands', () => {
    const r = cli('--help');
    expect(r.status).toBe(0);
    for (const c of ['catalog', 'estimate', 'search', 'predict', 'validate', 'calibrate', 'demo']) expect(r.stdout).toMatch(new RegExp(`^\\s+${c}\\b`, 'm'));
  });
});

describe('tokenfleet catalog', () => {
  interface JsonFact {
    value: unknown;
    source: string;
    confidence: string;
  }
  interface JsonAccelerator {
    id: string;
    memoryBytes: JsonFact;
  }

  it('lists the accelerators in a table', () => {
    const r = cli('catalog', 'accelerators');
    expect(r.status).toBe(0);
    for (const id of ['h200-sxm', 'h20', 'ascend-910c', 'inhouse-h20class']) expect(r.stdout).toMatch(new RegExp(`^${id}\\s`, 'm'));
  });

  it('gives every accelerator a sourced memory figure in --json', () => {
    const accs = okJson<JsonAccelerator[]>(cli('catalog', 'accelerators', '--json'));
    expect(accs.map((a) => a.id)).toEqual(expect.arrayContaining(['h200-sxm', 'h20', 'ascend-910c', 'inhouse-h20class']));
    for (const a of accs) {
      expect(a.memoryBytes, a.id).toBeDefined();
      expect(typeof a.memoryBytes.source, a.id).toBe('string');
      expect(a.memoryBytes.source.length, a.id).toBeGreaterThan(0);
    }
  });

  it('shows one accelerator with the source of each figure', () => {
    const r = cli('catalog', 'accelerator', 'h20');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^\s+source: \S/m);
    expect(r.stdout).toMatch(/bf16.*\b148\b/);
    // Its calibrations: the aggregated fit per engine, the disaggregated one beside it where there is one, and
    // the generic engine on the vLLM fit of its own family.
    expect(r.stdout).toMatch(/^\s+trtllm\s+fitted\s+.*hopper\/trtllm;/m);
    expect(r.stdout).toMatch(/^\s+trtllm disagg\s+fitted\s+.*hopper\/trtllm\/disagg;/m);
    expect(r.stdout).toMatch(/^\s+generic\s+transferred\s+.*from hopper\/vllm/m);
  });

  it('suggests the closest ids for an unknown accelerator', () => {
    const r = cli('catalog', 'accelerator', 'h2000');
    expectBadInput(r, 'closest matches');
    const closest = r.stderr.slice(r.stderr.indexOf('closest matches'));
    expect(closest).toMatch(/\bh20\b|\bh200-sxm\b/);
  });

  it('lists the built-in models', () => {
    const r = cli('catalog', 'models');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^meta-llama\/(Meta-)?Llama-3\.1-70B\s/m);
    expect(r.stdout).toMatch(/^deepseek-ai\/DeepSeek-R1\s/m);
  });

  it('shows that DeepSeek-V3 uses MLA', () => {
    const r = cli('catalog', 'model', 'deepseek-ai/DeepSeek-V3');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('MLA');
  });

  it('lists every engine in --json', () => {
    const engines = okJson<{ id: string }[]>(cli('catalog', 'engines', '--json'));
    expect(engines.map((e) => e.id)).toEqual(expect.arrayContaining(['vllm', 'sglang', 'trtllm', 'mindie', 'generic']));
  });

  it("says what each engine's memory utilization is a fraction of", () => {
    const r = cli('catalog', 'engines');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^vllm\s.*\s0\.9 of device\s/m);
    expect(r.stdout).toMatch(/^trtllm\s.*\s0\.9 of free\s/m);
  });
});

describe('tokenfleet estimate', () => {
  interface EstimateJson {
    ttftMs: number | null;
    tpotMs: number | null;
    outputTokensPerSecond: number;
    outputTokensPerSecondPerAccelerator: number;
    accelerators: number;
    fits: boolean;
    memory: { kvCapacityTokens: number; memoryUtilization: number; usableBytes: number; deviceMemoryBytes: number; reason?: string };
    confidence: { source: string; ttftMsRange: [number | null, number | null]; note: string };
  }
  const LLAMA_70B_FP8 = ['--model', 'meta-llama/Llama-3.1-70B', '--accelerator', 'h200-sxm', '--tp', '2', '--precision', 'fp8'];
  const LOAD = ['--isl', '1024', '--osl', '256', '--concurrency', '16'];

  it('estimates Llama-3.1-70B fp8 on two H200s', () => {
    const e = okJson<EstimateJson>(cli('estimate', ...LLAMA_70B_FP8, ...LOAD, '--json'));
    for (const k of ['ttftMs', 'tpotMs', 'outputTokensPerSecond', 'outputTokensPerSecondPerAccelerator'] as const) {
      const v = e[k];
      expect(Number.isFinite(v), k).toBe(true);
      expect(v, k).toBeGreaterThan(0);
    }
    expect(e.accelerators).toBe(2);
    const perAccelerator = e.outputTokensPerSecond / 2;
    expect(Math.abs(e.outputTokensPerSecondPerAccelerator - perAccelerator) / perAccelerator).toBeLessThanOrEqual(1e-6);
    expect(e.fits).toBe(true);
    expect(e.memory.kvCapacityTokens).toBeGreaterThan(0);
    expect(['fitted', 'transferred', 'prior']).toContain(e.confidence.source);
    const [lo, hi] = e.confidence.ttftMsRange;
    expect(lo).not.toBeNull();
    expect(hi).not.toBeNull();
    expect(lo!).toBeLessThanOrEqual(e.ttftMs!);
    expect(e.ttftMs!).toBeLessThanOrEqual(hi!);
  });

  it("takes the engine's token budget per iteration from --max-batched-tokens: a smaller one queues the prompts of a busy server", () => {
    const busy = ['--isl', '4096', '--osl', '256', '--concurrency', '128'];
    const budget = (e: EstimateJson) => (e as unknown as { deployment: { maxBatchedTokens: number } }).deployment.maxBatchedTokens;
    const engineDefault = okJson<EstimateJson>(cli('estimate', ...LLAMA_70B_FP8, ...busy, '--json'));
    const small = okJson<EstimateJson>(cli('estimate', ...LLAMA_70B_FP8, ...busy, '--max-batched-tokens', '512', '--json'));
    expect(budget(engineDefault)).toBeGreaterThan(512);
    expect(budget(small)).toBe(512);
    // Each 4k prompt takes 8+ iterations instead of one: the first token comes later, and decode steps carry fewer prompt tokens.
    expect(small.ttftMs!).toBeGreaterThan(2 * engineDefault.ttftMs!);
    expect(small.tpotMs!).toBeLessThan(engineDefault.tpotMs!);
    const text = cli('estimate', ...LLAMA_70B_FP8, ...busy, '--max-batched-tokens', '512');
    expect(text.stdout).toContain('a token budget of 512 per iteration and rank');
  });

  it("gives predict's figures for a measurement row of the same deployment: the benchmark the validation scores", () => {
    const dir = mkdtempSync(join(tmpdir(), 'tf-estimate-predict-'));
    try {
      const cases = [
        { engine: 'vllm', model: 'meta-llama/Llama-3.1-8B-Instruct', accelerator: 'h100-sxm', system: 'h100_sxm', tp: 1, isl: 1024, osl: 256, concurrency: 32 },
        { engine: 'sglang', model: 'Qwen/Qwen3-32B', accelerator: 'h200-sxm', system: 'h200_sxm', tp: 2, isl: 4096, osl: 512, concurrency: 64 },
      ];
      const csv = join(dir, 'rows.csv');
      writeFileSync(
        csv,
        'id,silicon_data_source,backend,model_path,system,precision,mode,isl,osl,batch_size,tp_size\n' +
          cases.map((c, i) => `row${i},source_file=bench.csv,${c.engine},${c.model},${c.system},bf16,agg,${c.isl},${c.osl},${c.concurrency},${c.tp}`).join('\n') +
          '\n',
      );
      const out = join(dir, 'out.csv');
      expect(cli('predict', csv, '--out', out, '--quiet').status).toBe(0);
      const predicted = parse(readFileSync(out, 'utf8'), { columns: true }) as { ttft_ms: string; tpot_ms: string; error: string }[];
      cases.forEach((c, i) => {
        const args = ['estimate', '--model', c.model, '--accelerator', c.accelerator, '--engine', c.engine, '--tp', String(c.tp), '--precision', 'bf16'];
        const e = okJson<EstimateJson & { benchmark: { lengthRange: number[]; requestsPerClient: number } }>(
          cli(...args, '--isl', String(c.isl), '--osl', String(c.osl), '--concurrency', String(c.concurrency), '--json'),
        );
        expect(predicted[i]!.error).toBe('');
        expect(e.ttftMs!).toBeCloseTo(Number(predicted[i]!.ttft_ms), 2);
        expect(e.tpotMs!).toBeCloseTo(Number(predicted[i]!.tpot_ms), 2);
        expect(e.benchmark).toEqual({ lengthRange: [0.8, 1], requestsPerClient: c.engine === 'sglang' ? 3 : 10 });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('prints TTFT and TPOT lines without --json', () => {
    const r = cli('estimate', ...LLAMA_70B_FP8, ...LOAD);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^TTFT\b.*\bms\b/m);
    expect(r.stdout).toMatch(/^TPOT\b.*\bms\b/m);
  });

  it('reports that Llama-3.1-70B bf16 does not fit on one H20, without an error', () => {
    const args = ['estimate', '--model', 'meta-llama/Llama-3.1-70B', '--accelerator', 'h20', '--tp', '1', '--precision', 'bf16', ...LOAD];
    const r = cli(...args, '--json');
    expect(r.stdout).toContain('"fits": false');
    const e = okJson<EstimateJson>(r);
    expect(e.fits).toBe(false);
    expect(e.memory.reason).toMatch(/GB/);

    const readable = cli(...args);
    expect(readable.status).toBe(0);
    expect(readable.stdout).toMatch(/^fits\s+NO: .*GB/m);
  });

  describe('disaggregated serving (--prefill-* and --decode-*)', () => {
    const R1 = ['estimate', '--model', 'deepseek-ai/DeepSeek-R1', '--accelerator', 'h200-sxm', '--engine', 'sglang', '--isl', '4000', '--osl', '1000', '--concurrency', '256'];
    interface DisaggJson extends EstimateJson {
      disagg?: { prefill: { parallel: { tp: number; dp: number }; workers: number; acceleratorsPerWorker: number }; decode: { parallel: { tp: number; dp: number }; workers: number; acceleratorsPerWorker: number } };
    }

    it('runs a prefill pool and a decode pool, inferring the workers unless given, and counts every accelerator', () => {
      const inferred = okJson<DisaggJson>(cli(...R1, '--prefill-tp', '8', '--decode-tp', '1', '--decode-dp', '16', '--json'));
      expect(inferred.fits).toBe(true);
      const d = inferred.disagg!;
      expect(d.prefill.parallel).toMatchObject({ tp: 8, dp: 1 });
      expect(d.decode.parallel).toMatchObject({ tp: 1, dp: 16 });
      expect(d.prefill.workers).toBeGreaterThanOrEqual(1);
      expect(inferred.accelerators).toBe(d.prefill.workers * 8 + d.decode.workers * 16);
      const given = okJson<DisaggJson>(cli(...R1, '--prefill-tp', '8', '--prefill-workers', '3', '--decode-tp', '1', '--decode-dp', '16', '--decode-workers', '2', '--json'));
      expect(given.disagg!.prefill.workers).toBe(3);
      expect(given.disagg!.decode.workers).toBe(2);
      expect(given.accelerators).toBe(3 * 8 + 2 * 16);
      // More prefill workers than needed: no more queueing for a prompt than with the inferred count.
      expect(given.ttftMs!).toBeLessThanOrEqual(inferred.ttftMs! * 1.05);
      const agg = okJson<DisaggJson>(cli(...R1, '--tp', '8', '--json'));
      expect(agg.disagg).toBeUndefined();
      const text = cli(...R1, '--prefill-tp', '8', '--decode-tp', '1', '--decode-dp', '16');
      expect(text.stdout).toMatch(/disaggregated \(sglang\): prefill \d+ x \(tp8 pp1 dp1 ep8\) \[workers inferred\] \+ decode \d+ x \(tp1 pp1 dp16 ep16\)/);
    });

    it('refuses an engine without disaggregation and nonsense sizes, naming the option', () => {
      const generic = R1.map((a) => (a === 'sglang' ? 'generic' : a));
      expectBadInput(cli(...generic, '--prefill-tp', '8', '--decode-tp', '8'), '--engine', 'no prefill/decode disaggregation');
      expectBadInput(cli(...R1, '--prefill-tp', '8', '--decode-workers', '0'), '--decode-workers');
      expectBadInput(cli(...R1, '--prefill-tp', '3', '--decode-tp', '8'), '--prefill-tp', 'does not divide');
      expectBadInput(cli(...R1, '--prefill-tp', '8', '--decode-tp', '8', '--decode-ep', '3'), '--decode-ep');
    });
  });

  describe('--speculative-tokens and --acceptance-rate', () => {
    const V3 = ['estimate', '--model', 'deepseek-ai/DeepSeek-V3', '--accelerator', 'h200-sxm', '--tp', '8', '--engine', 'sglang', '--isl', '2000', '--osl', '500', '--concurrency', '16'];
    interface SpecJson extends EstimateJson {
      deployment: { speculative?: { draftTokens: number; acceptanceRate: number; tokensPerStep: number } };
      confidence: EstimateJson['confidence'] & { assumptions: string[] };
    }

    it('lowers TPOT with an MTP drafter, more with a higher acceptance rate, and says what it assumed', () => {
      const plain = okJson<SpecJson>(cli(...V3, '--json'));
      const mtp = okJson<SpecJson>(cli(...V3, '--speculative-tokens', '1', '--acceptance-rate', '0.8', '--json'));
      const poor = okJson<SpecJson>(cli(...V3, '--speculative-tokens', '1', '--acceptance-rate', '0.3', '--json'));
      expect(plain.deployment.speculative).toBeUndefined();
      expect(mtp.deployment.speculative).toMatchObject({ draftTokens: 1, acceptanceRate: 0.8 });
      expect(mtp.deployment.speculative!.tokensPerStep).toBeCloseTo(1.8, 9);
      expect(mtp.tpotMs!).toBeLessThan(plain.tpotMs! / 1.2);
      expect(poor.tpotMs!).toBeGreaterThan(mtp.tpotMs!);
      expect(mtp.outputTokensPerSecond).toBeGreaterThan(plain.outputTokensPerSecond);
      expect(mtp.confidence.assumptions.join('\n')).toMatch(/speculative decoding: 1 drafted token .* 0\.8: 1\.80 tokens per step/);
      // Without --acceptance-rate the default 0.7 is used, and shown.
      const dflt = okJson<SpecJson>(cli(...V3, '--speculative-tokens', '2', '--json'));
      expect(dflt.deployment.speculative?.acceptanceRate).toBe(0.7);
      const text = cli(...V3, '--speculative-tokens', '1', '--acceptance-rate', '0.8');
      expect(text.stdout).toMatch(/^decode step .* \+ draft [\d.]+; all per token, a step yielding 1\.80$/m);
    });

    it('refuses nonsense, an acceptance rate alone and an engine without it, naming the option', () => {
      for (const bad of ['0', '9', '1.5', 'many']) expectBadInput(cli(...V3, '--speculative-tokens', bad), '--speculative-tokens', `'${bad}'`);
      for (const bad of ['1', '-0.1', 'high']) expectBadInput(cli(...V3, '--speculative-tokens', '1', '--acceptance-rate', bad), '--acceptance-rate', `'${bad}'`);
      expectBadInput(cli(...V3, '--acceptance-rate', '0.8'), '--acceptance-rate', 'needs --speculative-tokens');
      const generic = V3.map((a) => (a === 'sglang' ? 'generic' : a));
      expectBadInput(cli(...generic, '--speculative-tokens', '1'), '--speculative-tokens', 'no speculative decoding');
    });
  });

  describe('--stream-interval', () => {
    const V3_TRT = ['estimate', '--model', 'deepseek-ai/DeepSeek-V3', '--accelerator', 'b200-sxm', '--tp', '8', '--precision', 'fp8', '--engine', 'trtllm', '--isl', '1024', '--osl', '256', '--concurrency', '8'];
    interface StreamJson extends EstimateJson {
      e2eMs: number;
      deployment: { streamInterval?: number };
      confidence: EstimateJson['confidence'] & { assumptions: string[] };
    }

    it('holds the first token for interval - 1 iterations: TTFT up, TPOT down, end to end the same', () => {
      const every = okJson<StreamJson>(cli(...V3_TRT, '--json'));
      const tenth = okJson<StreamJson>(cli(...V3_TRT, '--stream-interval', '10', '--json'));
      expect(every.deployment.streamInterval).toBeUndefined();
      expect(tenth.deployment.streamInterval).toBe(10);
      expect(tenth.ttftMs! - every.ttftMs!).toBeGreaterThan(8 * tenth.tpotMs!);
      expect(tenth.tpotMs!).toBeLessThan(every.tpotMs!);
      expect(tenth.e2eMs).toBeCloseTo(every.e2eMs, 6);
      expect(tenth.confidence.assumptions.join('\n')).toMatch(/tokens streamed every 10 iterations: the first reaches the client [\d.]+ ms after its prefill/);
    });

    it('refuses an interval that is not a positive whole number, naming the option', () => {
      for (const bad of ['0', '-2', '1.5', 'often']) expectBadInput(cli(...V3_TRT, '--stream-interval', bad), '--stream-interval', `'${bad}'`);
    });
  });

  describe('--memory-utilization', () => {
    // Operators serve DeepSeek-R1 fp8 on 8 x H20 96 GB at 0.95; at vLLM's default 0.9 its weights and reserve do not fit.
    const R1_ON_H20 = ['estimate', '--model', 'deepseek-ai/DeepSeek-R1', '--accelerator', 'h20', '--tp', '8', '--isl', '2000', '--osl', '500', '--concurrency', '64'];

    it("does not fit DeepSeek-R1 on 8 x H20 at the engine's 0.9, and the hint names the utilization that would", () => {
      const e = okJson<EstimateJson>(cli(...R1_ON_H20, '--json'));
      expect(e.fits).toBe(false);
      expect(e.memory.memoryUtilization).toBe(0.9);
      const r = cli(...R1_ON_H20);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^memory per device {2}86\.4 GB usable \(0\.90 of 96\.0 GB\)/m);
      const lines = r.stdout.split('\n');
      const fitsAt = lines.findIndex((l) => /^fits\s+NO: /.test(l));
      expect(fitsAt).toBeGreaterThanOrEqual(0);
      const hint = /^hint\s+fits with --memory-utilization (0\.9\d)\b/.exec(lines[fitsAt + 1] ?? '');
      expect(hint, lines[fitsAt + 1]).not.toBeNull();
      // The utilization the hint names does fit.
      expect(okJson<EstimateJson>(cli(...R1_ON_H20, '--memory-utilization', hint![1]!, '--json')).fits).toBe(true);
    });

    it('fits it at 0.95, with the fraction in the memory line and in --json', () => {
      const e = okJson<EstimateJson>(cli(...R1_ON_H20, '--memory-utilization', '0.95', '--json'));
      expect(e.fits).toBe(true);
      expect(e.memory.memoryUtilization).toBe(0.95);
      expect(e.memory.usableBytes / e.memory.deviceMemoryBytes).toBeCloseTo(0.95, 9);
      expect(e.memory.kvCapacityTokens).toBeGreaterThan(2500);
      const r = cli(...R1_ON_H20, '--memory-utilization', '0.95');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^memory per device {2}91\.2 GB usable \(0\.95 of 96\.0 GB\)/m);
      expect(r.stdout).toMatch(/^TTFT\b.*\bms\b/m);
      expect(r.stdout).not.toMatch(/^hint\b/m);
    });

    it('refuses a fraction above 1, of 0 or not a number, naming the option', () => {
      for (const bad of ['1.5', '0', 'lots']) {
        expectBadInput(cli(...R1_ON_H20, '--memory-utilization', bad), '--memory-utilization', `'${bad}'`);
      }
    });
  });

  it('uses the prior, with a note, on a domestic chip', () => {
    const e = okJson<EstimateJson>(
      cli('estimate', '--model', 'meta-llama/Llama-3.1-70B', '--accelerator', 'ascend-910c', '--tp', '2', '--engine', 'mindie', ...LOAD, '--json'),
    );
    expect(e.confidence.source).toBe('prior');
    expect(e.confidence.note.trim().length).toBeGreaterThan(0);
  });

  describe('bad input exits 2 with a message and no stack trace', () => {
    it('an unknown model lists the closest matches', () => {
      expectBadInput(cli('estimate', '--model', UNKNOWN_MODEL, '--accelerator', 'h200-sxm', ...LOAD), 'closest matches', UNKNOWN_MODEL);
    });

    it('an unknown accelerator lists the closest matches', () => {
      expectBadInput(cli('estimate', '--model', 'meta-llama/Llama-3.1-70B', '--accelerator', 'h2000', ...LOAD), 'closest matches');
    });

    it('a negative --isl names the option', () => {
      expectBadInput(cli('estimate', ...LLAMA_70B_FP8, '--isl', '-5', '--osl', '256', '--concurrency', '16'), '--isl');
    });

    it('a --max-batched-tokens that is not a positive whole number names the option', () => {
      expectBadInput(cli('estimate', ...LLAMA_70B_FP8, ...LOAD, '--max-batched-tokens', '0'), '--max-batched-tokens');
      expectBadInput(cli('estimate', ...LLAMA_70B_FP8, ...LOAD, '--max-batched-tokens', '2.5'), '--max-batched-tokens');
    });

    it('a non-numeric --concurrency names the option', () => {
      expectBadInput(cli('estimate', ...LLAMA_70B_FP8, '--isl', '1024', '--osl', '256', '--concurrency', 'lots'), '--concurrency');
    });

    it('a TP that does not divide the attention heads says so', () => {
      const r = cli('estimate', '--model', 'meta-llama/Llama-3.1-70B', '--accelerator', 'h200-sxm', '--tp', '3', ...LOAD);
      expectBadInput(r, '--tp');
      expect(r.stderr).toMatch(/attention heads/);
    });

    it('a missing required option is a commander error', () => {
      expectBadInput(cli('estimate', ...LLAMA_70B_FP8, '--isl', '1024', '--osl', '256'), '--concurrency');
    });

    it('an engine outside the choices is a commander error', () => {
      expectBadInput(cli('estimate', ...LLAMA_70B_FP8, ...LOAD, '--engine', 'nosuchengine'), '--engine');
    });

    it('a malformed model config given by path names the file and the field', () => {
      const file = join(tmp, 'bad_config.json');
      writeFileSync(file, '{"hidden_size": "abc"}\n');
      expectBadInput(cli('estimate', '--model', file, '--accelerator', 'h200-sxm', ...LOAD), file, 'hidden_size');
    });

    it('a model config that is not JSON names the file and the line', () => {
      const file = join(tmp, 'truncated_config.json');
      writeFileSync(file, '{"hidden_size": \n');
      expectBadInput(cli('estimate', '--model', file, '--accelerator', 'h200-sxm', ...LOAD), file, 'line 2');
    });

    it('an accelerator whose memory is unknown is refused, not an internal error', () => {
      const accs = okJson<{ id: string; memoryBytes: { value: number | null } }[]>(cli('catalog', 'accelerators', '--json'));
      const unknown = accs.find((a) => a.memoryBytes.value === null);
      if (!unknown) return; // every chip in the catalogue has a memory figure
      expectBadInput(cli('estimate', '--model', 'meta-llama/Llama-3.1-70B', '--accelerator', unknown.id, '--tp', '8', ...LOAD), '--accelerator', 'memory');
    });
  });
});

describe('tokenfleet search', () => {
  interface LayoutJson {
    layout: string;
    acceleratorsPerReplica: number;
    concurrencyPerReplica: number;
    tokensPerSecondPerAccelerator: number;
    ttftMs: number;
    tpotMs: number;
    reason?: string;
  }
  interface DisaggSideJson {
    layout: string;
    workers: number;
    acceleratorsPerWorker: number;
  }
  interface ResultJson {
    accelerator: string;
    engine: string;
    mode?: 'agg' | 'disagg';
    disagg?: { prefill: DisaggSideJson; decode: DisaggSideJson };
    tokensPerSecondPerAccelerator: number;
    outputTokensPerSecondPerAccelerator: number;
    layout: string;
    acceleratorsPerReplica: number;
    concurrencyPerReplica: number;
    ttftMs: number;
    tpotMs: number;
    confidence: string;
    reason?: string;
    layouts?: LayoutJson[];
  }
  interface SearchJson {
    model: string;
    inputTokens: number;
    outputTokens: number;
    slo: { ttftMs: number; tpotMs: number };
    results: ResultJson[];
  }
  const LLAMA_8B = ['search', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20,h200-sxm', '--isl', '1024', '--osl', '256'];
  const SLO = ['--slo-ttft-ms', '1000', '--slo-tpot-ms', '30'];

  it('ranks every engine of each accelerator best first, each within the SLO', () => {
    const s = okJson<SearchJson>(cli(...LLAMA_8B, ...SLO, '--json'));
    expect(s).toMatchObject({ model: expect.stringMatching(/Llama-3\.1-8B$/), inputTokens: 1024, outputTokens: 256, slo: { ttftMs: 1000, tpotMs: 30 } });
    // Without --engine, every engine each accelerator runs.
    const pairs = s.results.map((r) => `${r.accelerator}/${r.engine}`).sort();
    expect(pairs).toEqual(['h20/generic', 'h20/sglang', 'h20/trtllm', 'h20/vllm', 'h200-sxm/generic', 'h200-sxm/sglang', 'h200-sxm/trtllm', 'h200-sxm/vllm']);
    const tps = s.results.map((r) => r.tokensPerSecondPerAccelerator);
    expect(tps).toEqual([...tps].sort((a, b) => b - a));
    for (const r of s.results) {
      expect(r.reason, `${r.accelerator}/${r.engine}`).toBeUndefined();
      expect(r.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
      expect(r.outputTokensPerSecondPerAccelerator).toBeCloseTo((r.tokensPerSecondPerAccelerator * 256) / (1024 + 256), 6);
      expect(r.ttftMs).toBeGreaterThan(0);
      expect(r.ttftMs).toBeLessThanOrEqual(1000);
      expect(r.tpotMs).toBeGreaterThan(0);
      expect(r.tpotMs).toBeLessThanOrEqual(30);
      expect(r.layout).toMatch(/^tp\d+ fp8$/);
      expect(r.concurrencyPerReplica).toBeGreaterThan(1);
      expect(['fitted', 'transferred', 'prior']).toContain(r.confidence);
      expect(r).not.toHaveProperty('layouts');
    }
    expect(s.results[0]!.accelerator).toBe('h200-sxm');
  });

  it('prints a header and a table in the same order, and is deterministic', () => {
    const args = [...LLAMA_8B, ...SLO, '--engine', 'vllm'];
    const r = cli(...args);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/Llama-3\.1-8B: 1,024 input \+ 256 output tokens per request; SLO TTFT <= 1,000 ms, TPOT <= 30 ms$/);
    expect(lines[2]).toMatch(/^accelerator\s+engine\s+layout\s+chips\s+concurrency\s+tok\/s\/chip\s+out tok\/s\/chip\s+TTFT ms\s+TPOT ms\s+confidence$/);
    expect(lines.slice(4).map((l) => l.split(/\s+/).slice(0, 2).join('/'))).toEqual(['h200-sxm/vllm', 'h20/vllm']);
    expect(cli(...args).stdout).toBe(r.stdout);
  });

  it('gives no capacity with a reason for an impossible SLO, not an error', () => {
    const s = okJson<SearchJson>(cli(...LLAMA_8B, '--slo-ttft-ms', '1000', '--slo-tpot-ms', '1', '--engine', 'vllm', '--json'));
    expect(s.results).toHaveLength(2);
    for (const r of s.results) {
      expect(r.tokensPerSecondPerAccelerator).toBe(0);
      expect(r.layout).toBe('');
      expect(r.reason).toMatch(/^TPOT at concurrency 1 is [\d.]+ ms > 1 ms on every layout/);
    }
    const text = cli(...LLAMA_8B, '--slo-ttft-ms', '1000', '--slo-tpot-ms', '1', '--engine', 'vllm');
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/^h20\s+vllm\s+no capacity: TPOT at concurrency 1 is/m);
  });

  it('lists every layout under each accelerator and engine with --layouts', () => {
    const args = [...LLAMA_8B, '--slo-ttft-ms', '1000', '--slo-tpot-ms', '4', '--engine', 'vllm', '--layouts'];
    const s = okJson<SearchJson>(cli(...args, '--json'));
    for (const r of s.results) {
      expect(r.layouts!.map((l) => l.layout).sort()).toEqual(['tp1 fp8', 'tp2 fp8', 'tp4 fp8', 'tp8 fp8']);
      for (const l of r.layouts!) {
        if (l.tokensPerSecondPerAccelerator > 0) expect(l.tpotMs).toBeLessThanOrEqual(4);
        else expect(l.reason).toMatch(/^misses the SLO at concurrency 1: TPOT/);
      }
    }
    const best = s.results.find((r) => r.tokensPerSecondPerAccelerator > 0)!;
    expect(best.layouts![0]).toMatchObject({ layout: best.layout, tokensPerSecondPerAccelerator: best.tokensPerSecondPerAccelerator });
    const text = cli(...args);
    expect(text.status).toBe(0);
    const sub = text.stdout.split('\n').filter((l) => /^\s+tp\d fp8\s/.test(l));
    expect(sub).toHaveLength(8);
    expect(sub.some((l) => /misses the SLO at concurrency 1/.test(l))).toBe(true);
  });

  it('searches only the engines with speculative decoding when it is asked for', () => {
    const s = okJson<SearchJson>(cli(...LLAMA_8B, ...SLO, '--speculative-tokens', '1', '--acceptance-rate', '0.8', '--json'));
    expect(s.results.map((r) => r.engine)).not.toContain('generic');
    expect(s.results).toHaveLength(6);
  });

  it('ranks disaggregated rows with the aggregated ones with --disagg, none for an engine without disaggregation', () => {
    const args = ['search', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h200-sxm', '--engine', 'vllm,generic', '--isl', '1024', '--osl', '256', ...SLO, '--disagg'];
    const s = okJson<SearchJson>(cli(...args, '--json'));
    expect(s.results.map((r) => `${r.engine}/${r.mode}`).sort()).toEqual(['generic/agg', 'vllm/agg', 'vllm/disagg']);
    const tps = s.results.map((r) => r.tokensPerSecondPerAccelerator);
    expect(tps).toEqual([...tps].sort((a, b) => b - a));
    const d = s.results.find((r) => r.mode === 'disagg')!;
    expect(d.tokensPerSecondPerAccelerator).toBeGreaterThan(0);
    expect(d.ttftMs).toBeLessThanOrEqual(1000);
    expect(d.tpotMs).toBeLessThanOrEqual(30);
    const { prefill, decode } = d.disagg!;
    expect(d.layout).toBe(`P ${prefill.workers}x(${prefill.layout}) + D ${decode.workers}x(${decode.layout})`);
    expect(d.acceleratorsPerReplica).toBe(prefill.workers * prefill.acceleratorsPerWorker + decode.workers * decode.acceleratorsPerWorker);
    for (const r of s.results.filter((x) => x.mode === 'agg')) expect(r).not.toHaveProperty('disagg');
    const text = cli(...args);
    expect(text.status).toBe(0);
    const lines = text.stdout.trimEnd().split('\n');
    expect(lines[2]).toMatch(/^accelerator\s+engine\s+mode\s+layout\s+chips\s/);
    const end = lines.indexOf('', 4);
    expect(lines.slice(4, end === -1 ? undefined : end).map((l) => l.split(/\s+/).slice(1, 3).join('/')).sort()).toEqual(['generic/agg', 'vllm/agg', 'vllm/disagg']);
    expect(text.stdout).toMatch(/^h200-sxm\s+vllm\s+disagg\s+P \d+x\(tp\d+ fp8\) \+ D \d+x\(tp\d+ fp8\)\s+\d+/m);
    // What the disaggregated rows rest on is said under the table.
    expect(text.stdout).toMatch(/^note: disagg rows infer their workers from the load/m);
  });

  describe('bad input exits 2 with a message naming the option and no stack trace', () => {
    it('an unknown accelerator, engine or model lists the closest matches', () => {
      expectBadInput(cli('search', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20,h2000', '--isl', '1024', '--osl', '256', ...SLO), '--accelerator', "'h2000'", 'closest matches');
      expectBadInput(cli(...LLAMA_8B, ...SLO, '--engine', 'vllm,vllmm'), '--engine', "'vllmm'", 'closest matches');
      expectBadInput(cli('search', '--model', UNKNOWN_MODEL, '--accelerator', 'h20', '--isl', '1024', '--osl', '256', ...SLO), '--model', 'closest matches');
    });

    it('a target of 0 ms, a bad length or share, an empty list', () => {
      expectBadInput(cli(...LLAMA_8B, '--slo-ttft-ms', '0', '--slo-tpot-ms', '30'), '--slo-ttft-ms', "'0'");
      expectBadInput(cli(...LLAMA_8B, '--slo-ttft-ms', '1000', '--slo-tpot-ms', 'fast'), '--slo-tpot-ms', "'fast'");
      expectBadInput(cli('search', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', 'h20', '--isl', '-1', '--osl', '256', ...SLO), '--isl');
      expectBadInput(cli(...LLAMA_8B, ...SLO, '--prefix-hit-rate', '1.5'), '--prefix-hit-rate', "'1.5'");
      expectBadInput(cli(...LLAMA_8B, ...SLO, '--memory-utilization', '0'), '--memory-utilization', "'0'");
      expectBadInput(cli('search', '--model', 'meta-llama/Llama-3.1-8B', '--accelerator', ',', '--isl', '1024', '--osl', '256', ...SLO), '--accelerator');
    });

    it('an acceptance rate without drafted tokens, or drafted tokens out of range', () => {
      expectBadInput(cli(...LLAMA_8B, ...SLO, '--acceptance-rate', '0.8'), '--acceptance-rate', 'needs --speculative-tokens');
      expectBadInput(cli(...LLAMA_8B, ...SLO, '--speculative-tokens', '9'), '--speculative-tokens', "'9'");
    });

    it('a missing target is a commander error', () => {
      expectBadInput(cli(...LLAMA_8B, '--slo-ttft-ms', '1000'), '--slo-tpot-ms');
    });
  });
});

describe('tokenfleet calibrate', () => {
  it('refits one group from the committed fit or from the prior, keeping the others as committed', () => {
    for (const start of ['committed', 'prior']) {
      const out = join(tmp, `calibration-${start}.ts`);
      const r = cli('calibrate', '--groups', 'hopper/vllm', '--max-rows', '4', '--start', start, '--out', out);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`^hopper/vllm: 4 rows from the ${start === 'committed' ? 'committed fit' : 'prior'}, `, 'm'));
      const text = readFileSync(out, 'utf8');
      expect(text).toMatch(/export const CALIBRATIONS/);
      // Every committed calibration is kept: one per family and engine for aggregated rows, and one more where
      // disaggregated rows were fitted apart.
      const committed = readFileSync(join(ROOT, 'src', 'core', 'perf', 'calibration-data.ts'), 'utf8');
      expect(text.match(/"family":/g)).toHaveLength(committed.match(/"family":/g)!.length);
      expect(text.match(/"mode": "disagg"/g)).toHaveLength(committed.match(/"mode": "disagg"/g)!.length);
      expect(text).toMatch(/"mode": "disagg"/);
    }
    expect(cli('calibrate', '--start', 'scratch').status).not.toBe(0);
    // A group no measurement forms is named, with the groups there are, not silently skipped.
    expectBadInput(cli('calibrate', '--groups', 'hopper/vlm', '--out', join(tmp, 'never.ts')), '--groups', 'hopper/trtllm/disagg');
  });
});

describe('tokenfleet predict', () => {
  const fixture = readCsv(readFileSync(FIXTURE, 'utf8'));
  const idCol = fixture.header.indexOf('id');
  const modelCol = fixture.header.indexOf('model_path');

  let outputs = 0;
  /** Runs predict with --out in the temp dir and returns the parsed output. */
  function predict(input: string, ...extra: string[]): { run: Run; out: CsvTable } {
    const out = join(tmp, `predictions-${++outputs}.csv`);
    const run = cli('predict', input, '--out', out, ...extra);
    expect(run.stderr).not.toContain(STACK_FRAME);
    expect(run.status, run.stderr).toBe(0);
    return { run, out: readCsv(readFileSync(out, 'utf8')) };
  }

  it('has a fixture with known, unknown, agg and disagg rows', () => {
    const real = join(ROOT, '..', 'shared', 'data', 'validation', 'silicon-measurements.csv');
    if (existsSync(real)) expect(fixture.header).toEqual(readCsv(readFileSync(real, 'utf8').split('\n', 1)[0]!).header);
    const modes = fixture.rows.map((r) => r[fixture.header.indexOf('mode')]);
    expect(modes).toContain('agg');
    expect(modes).toContain('disagg');
    expect(fixture.rows.map((r) => r[modelCol])).toContain(UNKNOWN_MODEL);
  });

  it('writes one prediction per input row, in order, with the unknown model as an error', () => {
    const { out } = predict(FIXTURE, '--quiet');
    expect(out.header).toEqual(['id', 'ttft_ms', 'tpot_ms', 'error']);
    expect(out.rows.map((r) => r[0])).toEqual(fixture.rows.map((r) => r[idCol]));
    out.rows.forEach(([id, ttft, tpot, error], i) => {
      if (fixture.rows[i]![modelCol] === UNKNOWN_MODEL) {
        expect(error, id).toMatch(/unknown model/);
        expect(ttft, id).toBe('');
        expect(tpot, id).toBe('');
      } else {
        expect(error, id).toBe('');
        for (const v of [ttft, tpot]) {
          expect(Number.isFinite(Number(v)), `${id}: '${v}'`).toBe(true);
          expect(Number(v), id).toBeGreaterThan(0);
        }
      }
    });
  });

  it('writes the same CSV to standard output without --out', () => {
    const { out } = predict(FIXTURE, '--quiet');
    const r = cli('predict', FIXTURE);
    expect(r.status).toBe(0);
    expect(readCsv(r.stdout)).toEqual(out);
  });

  it('ignores the measured columns', () => {
    const edited = join(tmp, 'measured-edited.csv');
    editedFixture(edited, (row, col) => {
      row[col('silicon_ttft_ms')] = '1';
      row[col('silicon_tpot_ms')] = '99999';
      return row;
    });
    expect(predict(edited, '--quiet').out).toEqual(predict(FIXTURE, '--quiet').out);
  });

  it('refuses a CSV without an isl column, naming the file', () => {
    const file = join(tmp, 'no-isl.csv');
    const i = fixture.header.indexOf('isl');
    writeCsv(file, { header: fixture.header.filter((_, j) => j !== i), rows: fixture.rows.map((r) => r.filter((_, j) => j !== i)) });
    expectBadInput(cli('predict', file), file, 'isl');
  });

  it('refuses a non-numeric isl, naming the file, line and column', () => {
    const file = join(tmp, 'bad-isl.csv');
    const i = fixture.header.indexOf('isl');
    // Line 1 is the header, so the second row is line 3.
    writeCsv(file, { header: fixture.header, rows: fixture.rows.map((r, k) => (k === 1 ? r.map((v, j) => (j === i ? 'abc' : v)) : r)) });
    expectBadInput(cli('predict', file), `${file}:3`, 'isl');
  });

  it('refuses a file that does not exist', () => {
    const file = join(tmp, 'no-such-file.csv');
    expectBadInput(cli('predict', file), file);
  });

  it('refuses an --out it cannot write', () => {
    expectBadInput(cli('predict', FIXTURE, '--out', join(tmp, 'no-such-dir', 'out.csv')), '--out', 'no-such-dir');
  });

  describe('--model-configs', () => {
    const source = join(ROOT, 'data', 'model-configs', 'Qwen--Qwen3-8B_config.json');
    let dir = '';
    let input = '';

    beforeAll(() => {
      dir = join(tmp, 'model-configs');
      mkdirSync(dir);
      copyFileSync(source, join(dir, 'acme--Custom-8B_config.json'));
      // Two copies of an agg Llama row: one with the custom model, one with the built-in config it was copied from.
      input = join(tmp, 'custom-model.csv');
      const base = fixture.rows.find((r) => r[modelCol] === 'meta-llama/Llama-3.1-70B')!;
      const withModel = (id: string, model: string) => base.map((v, j) => (j === idCol ? id : j === modelCol ? model : v));
      writeCsv(input, { header: fixture.header, rows: [withModel('custom', 'acme/Custom-8B'), withModel('builtin', 'Qwen/Qwen3-8B')] });
    });

    it('resolves a model from the extra directory', () => {
      const { run, out } = predict(input, '--model-configs', dir);
      const [custom, builtin] = out.rows;
      expect(custom![0]).toBe('custom');
      expect(custom![3]).toBe('');
      expect(Number(custom![1])).toBeGreaterThan(0);
      expect(Number(custom![2])).toBeGreaterThan(0);
      // The same config.json under another name predicts the same numbers.
      expect(custom!.slice(1)).toEqual(builtin!.slice(1));
      expect(run.stderr).toContain(`acme/Custom-8B -> ${join(dir, 'acme--Custom-8B_config.json')} (exact)`);
    });

    it('does not know the model without the directory', () => {
      const { out } = predict(input, '--quiet');
      expect(out.rows[0]![3]).toMatch(/unknown model/);
      expect(out.rows[1]![3]).toBe('');
    });

    it('refuses a directory that does not exist', () => {
      const missing = join(tmp, 'no-such-configs');
      expectBadInput(cli('predict', input, '--model-configs', missing), missing);
    });
  });

  it("reports a row on a chip of unknown memory as that row's error", () => {
    const accs = okJson<{ id: string; memoryBytes: { value: number | null } }[]>(cli('catalog', 'accelerators', '--json'));
    const unknown = accs.find((a) => a.memoryBytes.value === null);
    if (!unknown) return; // every chip in the catalogue has a memory figure
    const file = join(tmp, 'unknown-memory.csv');
    editedFixture(file, (row, col) => {
      if (row[col('model_path')] !== 'meta-llama/Llama-3.1-70B') return undefined;
      row[col('system')] = unknown.id;
      return row;
    });
    const { out } = predict(file, '--quiet');
    expect(out.rows.length).toBeGreaterThan(0);
    for (const r of out.rows) expect(r[3]).toMatch(/memory/);
  });
});
