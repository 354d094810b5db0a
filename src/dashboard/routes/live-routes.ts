/** @module `GET /api/live` (public) and `GET /api/tenants/live` (admin). */
import { requireAdmin } from '../../gateway/server/admin-auth.js';
import { sendJson } from '../../gateway/server/send-json.js';
import type { ApiHandler } from '../dashboard-api.js';
import { liveView } from '../live-view.js';
import { tenantsLiveView } from '../tenants-live.js';

export const liveRoute: ApiHandler = async (api, ctx, call) => {
  sendJson(call.res, 200, liveView(ctx, api.hardware(ctx), api.ledgerTotalsAtStart, api.nowMs()), { 'cache-control': 'no-store' });
};

export const tenantsLiveRoute: ApiHandler = async (api, ctx, call) => {
  requireAdmin(ctx, call);
  sendJson(call.res, 200, await tenantsLiveView(ctx, api.nowMs()), { 'cache-control': 'no-store' });
};
