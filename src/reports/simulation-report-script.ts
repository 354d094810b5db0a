/**
 * @module The chart code of the simulation report: dist/web/simulation-report.js,
 * the dashboard's Simulate charts bundled by `npm run build` as one classic
 * script for the report to inline.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { TokenfleetError } from '../core/errors.js';

/** The bundle is missing: the web build has not run (exit code 1). */
export class ReportScriptMissingError extends TokenfleetError {
  constructor(readonly path: string) {
    super(`cannot write the report: the chart bundle ${path} is missing; run npm run build (it bundles web/reports/simulation-report.ts)`);
  }
}

/** Two levels up from this file both in src/reports/ (tests) and in dist/reports/ (the built CLI). */
const DEFAULT_SCRIPT = new URL('../../dist/web/simulation-report.js', import.meta.url);

/** The bundle's text; `file` overrides where it is read from (tests). */
export function simulationReportScript(file: URL | string = DEFAULT_SCRIPT): string {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  if (!existsSync(path)) throw new ReportScriptMissingError(path);
  return readFileSync(path, 'utf8');
}
