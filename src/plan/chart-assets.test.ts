import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chartLibraries, planChartsModule } from './chart-assets.js';

describe('chart assets', () => {
  it('reads the d3 and Plot UMD builds once', () => {
    const libs = chartLibraries();
    expect(libs.d3).toMatch(/^\/\/ https:\/\/d3js\.org v7\./);
    expect(libs.plot).toMatch(/^\/\/ @observablehq\/plot v0\.6\./);
    // UMD: they define globals instead of importing anything.
    expect(libs.plot).toContain('.Plot=');
    for (const text of [libs.d3, libs.plot]) expect(text).not.toMatch(/<\/script/i);
    expect(chartLibraries()).toBe(libs);
  });

  it('reads the plan charts module that the dashboard bundles, as is', () => {
    const text = planChartsModule();
    expect(text).toBe(readFileSync(new URL('../../web/charts/plan-charts.js', import.meta.url), 'utf8'));
    expect(text).toContain('export function purchasesByVendor(data, o)');
    expect(text).not.toMatch(/^\s*import\b/m);
    expect(planChartsModule()).toBe(text);
  });
});
