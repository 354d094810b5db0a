import { describe, expect, it } from 'vitest';
import { JobRunner } from './job-runner.js';
import type { JobExecutor, JobRequest } from './job-types.js';

const PLAN: JobRequest = { kind: 'plan', scenarioYaml: '', scenarioFile: 'x.yaml', variants: 'all', cacheFile: 'c.json', timeLimitSeconds: 1 };

/** An executor whose jobs finish when the test says so. */
function controlled() {
  const pending: { resolve: (v: unknown) => void; reject: (e: Error) => void; progress: (p: { done: number; total: number; label: string }) => void }[] = [];
  const executor: JobExecutor = (_r, onProgress) => new Promise((resolve, reject) => pending.push({ resolve, reject, progress: onProgress }));
  return { executor, pending };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('JobRunner', () => {
  it('runs jobs one at a time by default, with progress, result, error and times', async () => {
    const { executor, pending } = controlled();
    let now = 1000;
    const failures: string[] = [];
    const runner = new JobRunner({ executor, nowMs: () => now, onFailure: (j) => failures.push(j.error!) });
    const settled: string[] = [];
    const a = runner.submit(PLAN, (j) => settled.push(`${j.id}:${j.state}`));
    const b = runner.submit({ ...PLAN, kind: 'plan' });
    expect(runner.get(a.id)).toMatchObject({ state: 'running', startedAtMs: 1000, finishedAtMs: null, progress: null });
    expect(runner.get(b.id)).toMatchObject({ state: 'queued', startedAtMs: null });
    expect(runner.active('plan')!.id).toBe(a.id);
    expect(runner.active('simulate')).toBeUndefined();
    pending[0]!.progress({ done: 3, total: 10, label: 'configuration search' });
    expect(runner.get(a.id)!.progress).toEqual({ done: 3, total: 10, label: 'configuration search' });
    now = 2000;
    pending[0]!.resolve({ ok: 1 });
    await tick();
    expect(runner.get(a.id)).toMatchObject({ state: 'done', result: { ok: 1 }, error: null, finishedAtMs: 2000 });
    expect(settled).toEqual([`${a.id}:done`]);
    expect(runner.get(b.id)!.state).toBe('running');
    pending[1]!.reject(new Error('no solver'));
    await runner.idle();
    expect(runner.get(b.id)).toMatchObject({ state: 'failed', error: 'no solver', result: null });
    expect(failures).toEqual(['no solver']);
  });

  it('runs up to maxConcurrent at once', async () => {
    const { executor, pending } = controlled();
    const runner = new JobRunner({ executor, nowMs: () => 0, maxConcurrent: 2 });
    const ids = [runner.submit(PLAN), runner.submit(PLAN), runner.submit(PLAN)].map((j) => j.id);
    expect(ids.map((id) => runner.get(id)!.state)).toEqual(['running', 'running', 'queued']);
    expect(pending).toHaveLength(2);
  });

  it('keeps the last `keep` jobs, never dropping an unfinished one', async () => {
    const { executor, pending } = controlled();
    const runner = new JobRunner({ executor, nowMs: () => 0, keep: 3 });
    const first = runner.submit(PLAN);
    const done: string[] = [];
    for (let i = 0; i < 4; i++) {
      pending.at(-1)!.resolve(i);
      await tick();
      done.push(runner.submit(PLAN).id);
    }
    // `first` finished and was pruned; the running one and the two latest finished remain.
    expect(runner.get(first.id)).toBeUndefined();
    expect(runner.get(done.at(-1)!)!.state).toBe('running');
    expect(runner.get(done.at(-2)!)!.state).toBe('done');
    expect(runner.get(done[0]!)).toBeUndefined();
  });

  it('close() fails queued jobs as cancelled and aborts the running one', async () => {
    let aborted = false;
    const executor: JobExecutor = (_r, _p, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => ((aborted = true), reject(new Error('cancelled')))));
    const runner = new JobRunner({ executor, nowMs: () => 0 });
    const a = runner.submit(PLAN);
    const b = runner.submit(PLAN);
    runner.close();
    await runner.idle();
    expect(aborted).toBe(true);
    expect(runner.get(a.id)!.state).toBe('failed');
    expect(runner.get(b.id)).toMatchObject({ state: 'failed', error: 'cancelled: the server is shutting down' });
    expect(() => runner.submit(PLAN)).toThrow(/closed/);
  });
});
