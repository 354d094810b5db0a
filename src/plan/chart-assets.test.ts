import { describe, expect, it } from 'vitest';
import { chartLibraries } from './chart-assets.js';

describe('chartLibraries', () => {
  it('reads the d3 and Plot UMD builds once', () => {
    const libs = chartLibraries();
    expect(libs.d3).toMatch(/^\/\/ https:\/\/d3js\.org v7\./);
    expect(libs.plot).toMatch(/^\/\/ @observablehq\/plot v0\.6\./);
    // UMD: they define globals instead of importing anything.
    expect(libs.plot).toContain('.Plot=');
    for (const text of [libs.d3, libs.plot]) expect(text).not.toMatch(/<\/script/i);
    expect(chartLibraries()).toBe(libs);
  });
});
