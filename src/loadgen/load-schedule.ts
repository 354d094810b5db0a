/**
 * @module The open-loop schedule of a load run: when each request is sent
 * (ms after the start), for which tenant and model, streamed or not, and its
 * prompt and output lengths. Pure and deterministic per seed, with the
 * project's named streams: `load.arrivals` (Poisson gaps), `load.mix`
 * (tenant, model, stream) and `load.lengths`, so changing, say, the stream
 * share never moves an arrival.
 *
 * ServeGen replay (servegenSchedule) draws each client's arrivals and lengths
 * with the simulator's generator, one 600 s window of the profile at a time
 * (its renewal processes restart at every window start anyway), and keeps
 * only the model and stream choice on `load.mix`.
 */
import { InvalidInputError } from '../core/errors.js';
import type { LengthPair } from '../sim/workload/length-distribution.js';
import { createRng, hashSeedAndName } from '../sim/workload/rng.js';
import { servegenWorkload, type ServegenClient } from '../sim/workload/servegen.js';
import type { Workload } from '../sim/workload/workload.js';
import { checkLoadLengths, drawLoadLengths, type LengthCaps, type LoadLengths } from './load-lengths.js';

/** One request of the schedule (filled in place by `next`). */
export interface PlannedRequest {
  /** When to send it, ms after the start of the run. */
  atMs: number;
  /** Index into the run's tenants. */
  tenant: number;
  /** Index into the run's models. */
  model: number;
  stream: boolean;
  /** Prompt length, tokens. */
  promptTokens: number;
  /** max_tokens of the request, tokens. */
  outputTokens: number;
}

/** An endless (or exhausted) sequence of requests in time order. */
export interface LoadSchedule {
  /** Fills `out` with the next request; false when there is none. */
  next(out: PlannedRequest): boolean;
}

export function emptyPlannedRequest(): PlannedRequest {
  return { atMs: 0, tenant: 0, model: 0, stream: false, promptTokens: 1, outputTokens: 1 };
}

interface MixOptions {
  /** Number of tenants requests are spread over (uniformly). */
  readonly tenantCount: number;
  /** Number of models requests are spread over (uniformly). */
  readonly modelCount: number;
  /** Share of streamed requests, in [0, 1]. */
  readonly streamShare: number;
  /** A safe integer. */
  readonly seed: number;
}

export interface PoissonScheduleOptions extends MixOptions {
  /** Mean arrival rate, requests per second. */
  readonly rps: number;
  readonly lengths: LoadLengths;
  readonly caps: LengthCaps;
}

function checkMix(o: MixOptions, needTenants: boolean): void {
  if (!Number.isSafeInteger(o.seed)) throw new InvalidInputError(`expected an integer seed, got ${o.seed}`, 'seed');
  if (needTenants && !(Number.isInteger(o.tenantCount) && o.tenantCount >= 1)) throw new InvalidInputError(`expected at least one tenant, got ${o.tenantCount}`, 'tenants');
  if (!(Number.isInteger(o.modelCount) && o.modelCount >= 1)) throw new InvalidInputError(`expected at least one model, got ${o.modelCount}`, 'models');
  if (!(o.streamShare >= 0 && o.streamShare <= 1)) throw new InvalidInputError(`expected a share from 0 to 1, got ${o.streamShare}`, 'stream-share');
}

/** Poisson arrivals at `rps`, tenants and models drawn uniformly, lengths from `lengths`. */
export function poissonSchedule(o: PoissonScheduleOptions): LoadSchedule {
  checkMix(o, true);
  if (!(o.rps > 0) || !Number.isFinite(o.rps)) throw new InvalidInputError(`expected a positive rate, got ${o.rps}`, 'rps');
  checkLoadLengths(o.lengths);
  const rng = createRng(o.seed);
  const arrivals = rng.stream('load.arrivals');
  const mix = rng.stream('load.mix');
  const lengthStream = rng.stream('load.lengths');
  const meanGapMs = 1000 / o.rps;
  const pair: LengthPair = { prompt: 0, output: 0 };
  let t = 0;
  return {
    next(out) {
      t += arrivals.exponential(meanGapMs);
      out.atMs = t;
      out.tenant = Math.floor(mix.next() * o.tenantCount);
      out.model = Math.floor(mix.next() * o.modelCount);
      out.stream = mix.next() < o.streamShare;
      drawLoadLengths(o.lengths, o.caps, lengthStream, pair);
      out.promptTokens = pair.prompt;
      out.outputTokens = pair.output;
      return true;
    },
  };
}

export interface ServegenScheduleOptions extends Omit<MixOptions, 'tenantCount'> {
  /** Where in the profile's day the run starts, seconds. */
  readonly startSeconds: number;
  /** Multiplies every client's rate. */
  readonly rateScale: number;
  readonly caps: LengthCaps;
}

/** Requests per client of `clients` (tenant i = clients[i]), with ServeGen's own rates and lengths. */
export function servegenSchedule(clients: readonly ServegenClient[], o: ServegenScheduleOptions): LoadSchedule {
  checkMix({ ...o, tenantCount: clients.length }, false);
  if (clients.length === 0) throw new InvalidInputError('expected at least one ServeGen client', 'servegen');
  if (!(o.rateScale > 0) || !Number.isFinite(o.rateScale)) throw new InvalidInputError(`expected a positive scale, got ${o.rateScale}`, 'rate-scale');
  if (!(o.startSeconds >= 0) || !Number.isFinite(o.startSeconds)) throw new InvalidInputError(`expected seconds from 0, got ${o.startSeconds}`, 'servegen-start');
  if (!clients.some((c) => c.windows.some((w) => w.rateRps > 0))) throw new InvalidInputError('every client of the profile is idle all day', 'servegen');
  const chunkSeconds = clients[0]!.windowSeconds;
  const daySeconds = Math.max(...clients.map((c) => c.windowSeconds * c.windows.length));
  const indexOf = new Map(clients.map((c, i) => [c.name, i]));
  const mix = createRng(o.seed).stream('load.mix');
  let chunk: Workload | undefined;
  let tenantOf: number[] = [];
  let chunkIndex = -1;
  let i = 0;
  return {
    next(out) {
      // A day of idle chunks in a row cannot happen (some client is active), but never loop forever.
      for (let idle = 0; chunk === undefined || i >= chunk.count; idle++) {
        if (idle * chunkSeconds > daySeconds + chunkSeconds) return false;
        chunkIndex++;
        chunk = servegenWorkload(clients, {
          startSeconds: o.startSeconds + chunkIndex * chunkSeconds,
          durationSeconds: chunkSeconds,
          seed: hashSeedAndName(o.seed, `load.servegen.${chunkIndex}`),
          rateScale: o.rateScale,
        });
        tenantOf = chunk.tenantNames.map((name) => indexOf.get(name)!);
        i = 0;
      }
      out.atMs = chunkIndex * chunkSeconds * 1000 + chunk.arrivalMs[i]!;
      out.tenant = tenantOf[chunk.tenant[i]!]!;
      out.model = Math.floor(mix.next() * o.modelCount);
      out.stream = mix.next() < o.streamShare;
      out.promptTokens = Math.min(o.caps.maxPromptTokens, chunk.promptTokens[i]!);
      out.outputTokens = Math.min(o.caps.maxOutputTokens, chunk.outputTokens[i]!);
      i++;
      return true;
    },
  };
}
