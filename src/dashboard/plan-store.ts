/**
 * @module The dashboard's plan: the current scenario (YAML), the last plan
 * computed from it (charts and summary) and the plan job running, if any.
 * One plan job at a time; a new request is validated at once (the YAML and
 * the variant names) so that a mistake is a 400, not a failed job.
 */
import { parsePlanScenario } from '../config/plan-scenario.js';
import { InvalidRequestError } from '../gateway/server/gateway-errors.js';
import type { PlanChartData } from '../plan/plan-charts.js';
import { JobConflictError } from './dashboard-errors.js';
import type { JobRunner, JobView } from './jobs/job-runner.js';
import type { PlanJobResult } from './jobs/run-plan-job.js';

export interface ScenarioSource {
  /** Where the YAML came from (a path, or `scenarioYaml` for a posted one), for error messages. */
  readonly file: string;
  readonly yaml: string;
}

export interface PlanView {
  readonly state: 'running' | 'done' | 'failed' | 'none';
  /** The job computing the plan, while it runs. */
  readonly jobId: string | null;
  readonly scenarioName: string | null;
  /** The current scenario as written (the one a re-plan without YAML plans), for editing. */
  readonly scenarioYaml: string | null;
  /** When the plan shown was computed, Unix epoch ms. */
  readonly computedAtMs: number | null;
  /** The last plan computed (also while a new one runs, or after one failed). */
  readonly charts: PlanChartData | null;
  readonly summary: Record<string, unknown> | null;
  readonly error: string | null;
}

export interface PlanStoreOptions {
  readonly jobs: JobRunner;
  /** The configuration-search cache file, as `tokenfleet plan --cache`. */
  readonly cacheFile: string;
  /** Time limit of each solve, seconds. */
  readonly timeLimitSeconds: number;
}

export class PlanStore {
  private last: (PlanJobResult & { computedAtMs: number }) | undefined;
  private error: string | undefined;

  constructor(
    private scenario: ScenarioSource | undefined,
    private readonly opts: PlanStoreOptions,
  ) {}

  /**
   * Starts a plan of `source` (default: the current scenario) with `variants`.
   * @throws InvalidInputError (400) for a bad scenario, InvalidRequestError for an unknown variant, JobConflictError (409) while a plan job runs.
   */
  start(variants: readonly string[] | 'all', source?: ScenarioSource): JobView {
    const running = this.opts.jobs.active('plan');
    if (running !== undefined) throw new JobConflictError('plan', running.id);
    const scenarioSource = source ?? this.scenario;
    if (scenarioSource === undefined) throw new InvalidRequestError('no current scenario: send scenarioYaml', 'scenarioYaml');
    const scenario = parsePlanScenario(scenarioSource.yaml, scenarioSource.file);
    if (variants !== 'all') {
      const known = scenario.variants.map((v) => v.name);
      const unknown = variants.find((v) => !known.includes(v));
      if (unknown !== undefined) throw new InvalidRequestError(`variants: unknown variant '${unknown}' (variants: ${known.join(', ') || 'none'})`, 'variants');
    }
    return this.opts.jobs.submit(
      { kind: 'plan', scenarioYaml: scenarioSource.yaml, scenarioFile: scenarioSource.file, variants, cacheFile: this.opts.cacheFile, timeLimitSeconds: this.opts.timeLimitSeconds },
      (job) => {
        if (job.state === 'done') {
          this.last = { ...(job.result as PlanJobResult), computedAtMs: job.finishedAtMs ?? 0 };
          this.scenario = scenarioSource;
          this.error = undefined;
        } else {
          this.error = job.error ?? 'failed';
        }
      },
    );
  }

  view(): PlanView {
    const running = this.opts.jobs.active('plan');
    const state = running !== undefined ? 'running' : this.error !== undefined ? 'failed' : this.last !== undefined ? 'done' : 'none';
    return {
      state,
      jobId: running?.id ?? null,
      scenarioName: this.last?.scenarioName ?? null,
      scenarioYaml: this.scenario?.yaml ?? null,
      computedAtMs: this.last?.computedAtMs ?? null,
      charts: this.last?.charts ?? null,
      summary: this.last?.summary ?? null,
      error: state === 'failed' ? (this.error ?? null) : null,
    };
  }
}
