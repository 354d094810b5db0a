/** Types of plan-charts.js, the plan's drawing code shared by the dashboard and the HTML report. */
import type { PlanChartData } from '../../src/plan/plan-charts.js';

/** What the drawing functions use; the report leaves them out and the page globals are read. */
export interface PlanChartEnv {
  readonly Plot?: unknown;
  readonly d3?: { format(specifier: string): (n: number) => string };
  readonly document?: Document;
  /** Width of the chart in CSS pixels (default 720). */
  readonly width?: number;
}

type DrawPlanChart = (data: PlanChartData, o?: PlanChartEnv) => HTMLElement | SVGSVGElement;

export const purchasesByVendor: DrawPlanChart;
export const spendVsBudget: DrawPlanChart;
export const servedVsDemand: DrawPlanChart;
export const powerPerSite: DrawPlanChart;
export const variantComparison: DrawPlanChart;
export const capacityTable: DrawPlanChart;
