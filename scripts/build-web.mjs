/**
 * Builds the dashboard (web/) into dist/web/: index.html, app.js (the app,
 * Observable Plot and d3 bundled: nothing is fetched from a CDN at run time)
 * and app.css, minified, with source maps. Also simulation-report.js: the
 * Simulate charts as one classic script (IIFE, licences at its end, no source
 * map) that `tokenfleet simulate --report` inlines. Run by `npm run build`, so
 * by `npm install` too.
 */
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
try {
  await build({
    absWorkingDir: root,
    entryPoints: [
      { in: 'web/main.ts', out: 'app' },
      { in: 'web/app.css', out: 'app' },
    ],
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    tsconfig: 'web/tsconfig.json',
    logLevel: 'warning',
  });
  await build({
    absWorkingDir: root,
    entryPoints: [{ in: 'web/reports/simulation-report.ts', out: 'simulation-report' }],
    outdir: out,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    // Inlined in a report that must open on its own: no map file to point at, licences kept in the text.
    sourcemap: false,
    legalComments: 'eof',
    tsconfig: 'web/tsconfig.json',
    logLevel: 'warning',
  });
} catch {
  // esbuild has printed the errors with their file and line.
  process.exitCode = 1;
}
if (process.exitCode !== 1) copyFileSync(join(root, 'web', 'index.html'), join(out, 'index.html'));
