/**
 * @module The HiGHS adapter: the only file that loads the `highs` package
 * (WebAssembly, loaded lazily and once per process), and the `Solver` contract
 * the planner solves through, so tests and other back ends can stand in for it.
 */
import type { Highs, Model } from 'highs';

/** Outcome of a solve, coarser than HiGHS's model status. */
export type SolveStatus = 'optimal' | 'time-limit' | 'infeasible' | 'unbounded' | 'error';

export interface SolveOptions {
  /** Wall-clock limit, seconds. */
  readonly timeLimitSeconds?: number;
  /** Relative MIP gap at which HiGHS may stop (HiGHS default 1e-4). */
  readonly mipRelGap?: number;
}

export interface RawSolution {
  readonly status: SolveStatus;
  /** HiGHS's own words for the outcome (e.g. `Time limit reached`), or the error message. */
  readonly detail: string;
  /** True when `columnValues` holds a feasible point (optimal, or an incumbent at a limit). */
  readonly hasSolution: boolean;
  /** Objective including its constant; NaN without a solution. */
  readonly objective: number;
  /** Relative MIP gap of the solution; 0 for an LP or a proved optimum. */
  readonly mipGap: number;
  readonly columnValues: ReadonlyMap<string, number>;
  /** Row activities (left-hand sides), by row name. */
  readonly rowValues: ReadonlyMap<string, number>;
  /** Row duals d(objective)/d(right-hand side), by row name; empty for a MIP or without a dual solution. */
  readonly rowDuals: ReadonlyMap<string, number>;
}

/** Solves CPLEX LP text synchronously. */
export interface Solver {
  solve(lp: string, options?: SolveOptions): RawSolution;
}

let loading: Promise<Solver> | undefined;

/**
 * Loads HiGHS once (later calls share the same instance) and wraps it as a `Solver`.
 * `fresh: true` loads a new WebAssembly instance: the module's memory only
 * grows, so a long run of large solves (a plan and all its variants) uses a
 * fresh instance per plan rather than failing late with HiGHS status -1.
 */
export function loadSolver(opts: { fresh?: boolean } = {}): Promise<Solver> {
  if (opts.fresh) loading = undefined;
  loading ??= import('highs')
    .then((mod) => loaderOf(mod)())
    .then((highs): Solver => ({ solve: (lp, options) => solveWith(highs, lp, options ?? {}) }))
    .catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
  return loading;
}

/**
 * The package's ESM build exports the loader as `default`; its typings are
 * CommonJS, so TypeScript sees it one `default` deeper. Accept both.
 */
function loaderOf(mod: unknown): () => Promise<Highs> {
  const outer = (mod as { default?: unknown }).default;
  const loader = typeof outer === 'function' ? outer : (outer as { default?: unknown } | undefined)?.default;
  if (typeof loader !== 'function') throw new Error("the 'highs' package exports no loader function; reinstall it (npm ci)");
  return loader as () => Promise<Highs>;
}

/** HiGHS `primal_solution_status` / `dual_solution_status` value for a feasible solution. */
const FEASIBLE = 2;

function solveWith(highs: Highs, lp: string, options: SolveOptions): RawSolution {
  let model: Model;
  try {
    model = highs.createModel({ format: 'lp', data: lp });
  } catch (error) {
    return failed(`HiGHS could not read the model: ${message(error)}`);
  }
  try {
    model.options.set({
      output_flag: false,
      ...(options.timeLimitSeconds !== undefined ? { time_limit: options.timeLimitSeconds } : {}),
      ...(options.mipRelGap !== undefined ? { mip_rel_gap: options.mipRelGap } : {}),
    });
    model.run();
    const codes = highs.constants.modelStatus;
    if (model.getModelStatus() === codes.unboundedOrInfeasible) {
      // Presolve cannot tell the two apart; the simplex without it can.
      model.options.set('presolve', 'off');
      model.clearSolver();
      model.run();
    }
    const code = model.getModelStatus();
    const status = statusOf(code, codes);
    const detail = statusText(code, codes);
    if (code === codes.empty) {
      return { ...empty(), status, detail, hasSolution: true, objective: model.getObjectiveOffset(), mipGap: 0 };
    }
    const hasSolution = (status === 'optimal' || status === 'time-limit') && Number(model.info.get('primal_solution_status')) === FEASIBLE;
    if (!hasSolution) return { ...empty(), status, detail, hasSolution, objective: Number.NaN, mipGap: Number.NaN };

    const isMip = model.getModel().integrality.some((t) => t !== 0);
    const solution = model.getSolution();
    const dims = model.getDimensions();
    const columnValues = new Map<string, number>();
    for (let j = 0; j < dims.numCols; j++) columnValues.set(model.getColName(j), solution.colValue[j]!);
    const rowValues = new Map<string, number>();
    const rowDuals = new Map<string, number>();
    const withDuals = !isMip && Number(model.info.get('dual_solution_status')) === FEASIBLE;
    for (let i = 0; i < dims.numRows; i++) {
      const name = model.getRowName(i);
      rowValues.set(name, solution.rowValue[i]!);
      if (withDuals) rowDuals.set(name, solution.rowDual[i]!);
    }
    const gap = isMip ? Number(model.info.get('mip_gap')) : 0;
    return {
      status,
      detail,
      hasSolution,
      objective: model.getObjectiveValue(),
      mipGap: Number.isFinite(gap) && gap > 0 ? gap : 0,
      columnValues,
      rowValues,
      rowDuals,
    };
  } catch (error) {
    return failed(`HiGHS failed: ${message(error)}`);
  } finally {
    model.dispose();
  }
}

type ModelStatusCodes = Highs['constants']['modelStatus'];

function statusOf(code: number, c: ModelStatusCodes): SolveStatus {
  switch (code) {
    case c.optimal:
    case c.empty:
      return 'optimal';
    case c.infeasible:
    case c.unboundedOrInfeasible:
      return 'infeasible';
    case c.unbounded:
      return 'unbounded';
    case c.timeLimit:
    case c.iterationLimit:
    case c.solutionLimit:
    case c.interrupted:
    case c.objectiveBound:
    case c.objectiveTarget:
      return 'time-limit';
    default:
      return 'error';
  }
}

function statusText(code: number, c: ModelStatusCodes): string {
  const name = Object.entries(c).find(([, v]) => v === code)?.[0];
  return name === undefined ? `HiGHS model status ${code}` : `HiGHS model status ${name}`;
}

function empty(): Pick<RawSolution, 'columnValues' | 'rowValues' | 'rowDuals'> {
  return { columnValues: new Map(), rowValues: new Map(), rowDuals: new Map() };
}

function failed(detail: string): RawSolution {
  return { ...empty(), status: 'error', detail, hasSolution: false, objective: Number.NaN, mipGap: Number.NaN };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
