/**
 * @module The body of GET /api/tenants/live: every tenant with its limits,
 * its live figures since start (tokens, rate, requests, rejections by
 * reason) and its usage this UTC month from the ledger.
 */
import { utcMonthRangeMs } from '../gateway/ledger/utc-calendar.js';
import type { GatewayContext } from '../gateway/server/gateway-context.js';

export async function tenantsLiveView(ctx: GatewayContext, nowMs: number): Promise<unknown> {
  const tenants = await ctx.tenants.listTenants();
  const month = utcMonthRangeMs(nowMs);
  const rows = await Promise.all(
    tenants.map(async (t) => {
      const usage = (await ctx.ledger.usage({ tenantId: t.id, ...month })).totals;
      return {
        id: t.id,
        name: t.name,
        weight: t.weight,
        models: t.models ?? null,
        budgetUsdPerMonth: t.budgetUsdPerMonth ?? null,
        spentThisMonthUsd: usage.costUsd,
        rpm: t.rpm ?? null,
        tpm: t.tpm ?? null,
        ...ctx.stats.tenantLive(t.id, nowMs),
        monthTokens: usage.inputTokens + usage.outputTokens,
        monthCostUsd: usage.costUsd,
      };
    }),
  );
  return { tenants: rows };
}
