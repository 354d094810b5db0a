/** @module Where a period id falls on a plan's timeline, for ids inside or outside the horizon. */
import type { PlanInput } from './plan-input.js';

/**
 * Position of a period id on the plan's timeline: its index, or a half step
 * between indices for ids outside the horizon (ids sort as `YYYYQn`), so that
 * `availableFrom: 2025Q4` before a 2026Q1 start reads as "already available".
 */
export function periodPosition(input: PlanInput): (id: string) => number {
  const index = new Map(input.periods.map((p, i) => [p.id, i]));
  return (id) => index.get(id) ?? input.periods.filter((p) => p.id < id).length - 0.5;
}
