/**
 * @module The chart code as text, read once, so that a report can inline it and
 * open offline: the libraries (d3 and Observable Plot, UMD builds, from
 * node_modules) and the project's plan charts (web/charts/plan-charts.js, the
 * module the dashboard bundles).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The UMD builds to inline, in load order (Plot's UMD reads the global `d3`). */
export interface ChartLibraries {
  /** d3 v7, defines the global `d3`. */
  readonly d3: string;
  /** Observable Plot 0.6, defines the global `Plot`. */
  readonly plot: string;
}

const require = createRequire(import.meta.url);

/**
 * Both packages export only their ESM entry to Node (`exports` hides `dist/`),
 * so resolve that entry and walk up to the package root, then take the UMD
 * file from its `dist/`.
 */
function umdBuild(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === pkg) break;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the package root of ${pkg}; run npm install`);
    dir = up;
  }
  const path = join(dir, 'dist', file);
  if (!existsSync(path)) throw new Error(`${pkg} has no dist/${file}; reinstall it (npm install ${pkg})`);
  // A literal `</script` would end the inline <script> element early; in these
  // builds it can only sit inside a string, where `<\/` means the same.
  return readFileSync(path, 'utf8').replace(/<\/(script)/gi, '<\\/$1');
}

let cached: ChartLibraries | undefined;

/** The library texts, read on first use and cached for the process. */
export function chartLibraries(): ChartLibraries {
  cached ??= { d3: umdBuild('d3', 'd3.min.js'), plot: umdBuild('@observablehq/plot', 'plot.umd.min.js') };
  return cached;
}

/**
 * The plan charts module: web/charts/plan-charts.js, two levels up from this
 * file both in src/plan/ (tests) and in dist/plan/ (the built CLI).
 */
const PLAN_CHARTS_FILE = new URL('../../web/charts/plan-charts.js', import.meta.url);

let planCharts: string | undefined;

/**
 * The source of web/charts/plan-charts.js, an ES module without imports (its
 * functions take Plot, d3 and document as options or read the page globals),
 * ready to inline in a `<script type="module">`. Read on first use and cached.
 */
export function planChartsModule(): string {
  if (planCharts === undefined) {
    if (!existsSync(PLAN_CHARTS_FILE)) throw new Error(`cannot find the plan charts at ${PLAN_CHARTS_FILE.pathname}; the package is incomplete (reinstall tokenfleet)`);
    const text = readFileSync(PLAN_CHARTS_FILE, 'utf8');
    if (/<\/script/i.test(text) || /^\s*import\b/m.test(text)) throw new Error(`${PLAN_CHARTS_FILE.pathname} must not contain "</script" nor import anything: the report inlines it`);
    planCharts = text;
  }
  return planCharts;
}
