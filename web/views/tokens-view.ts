/**
 * @module Tokens: the live counter of tokens processed (the industry's figure),
 * the rate now, the rate extrapolated to a day against 50 trillion a day, the
 * last five minutes, and the tokens per tenant.
 */
import { adminToken } from '../admin-token.js';
import { errorText, getAdmin } from '../api.js';
import type { LiveStats, LiveTenants } from '../api-types.js';
import { draw, figure } from '../charts/chart-theme.js';
import { COMPANY_TOKENS_PER_DAY, tokenRateChart, tokensPerDayChart } from '../charts/live-charts.js';
import { h, replace, table } from '../dom.js';
import { clock, compact, integer, percent, perSecond, tokens, tokensPerSecond } from '../format.js';
import { subscribeLive } from '../live-feed.js';
import { every, type View } from '../view.js';

/** How often the screen-reader summary is refreshed; the visible counter changes every poll. */
const ANNOUNCE_EVERY_MS = 30_000;

function stat(label: string, value: string, sub = ''): HTMLElement {
  return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value' }, value), sub ? h('div', { class: 'sub' }, sub) : null);
}

function tenantRows(data: LiveTenants, live: LiveStats | null): HTMLElement {
  const total = Math.max(1, data.tenants.reduce((s, t) => s + t.tokensSinceStart, 0));
  const rows = [...data.tenants]
    .sort((a, b) => b.tokensSinceStart - a.tokensSinceStart)
    .map((t) => [
      t.name,
      integer(t.tokensSinceStart),
      tokensPerSecond(t.tokensPerSecond),
      h('div', { class: 'meter', role: 'img', 'aria-label': `${percent(t.tokensSinceStart / total)} of tokens since start` }, h('div', { class: 'bar' }, h('div', { class: 'fill', style: `width:${(100 * t.tokensSinceStart) / total}%` })), percent(t.tokensSinceStart / total)),
      integer(t.monthTokens),
    ]);
  const since = live ? ` (since ${clock(live.startedAtMs, live.nowMs)})` : '';
  return table(`Tokens per tenant${since}`, ['Tenant', 'Tokens since start', 'Tokens/s now', 'Share of tokens since start', 'Tokens this month (ledger)'], rows, [1, 2, 4]);
}

export const tokensView: View = {
  route: 'tokens',
  title: 'Tokens',
  mount(root) {
    const counter = h('p', { class: 'counter', id: 'token-counter', 'aria-describedby': 'counter-label' }, '…');
    const counterSub = h('p', { class: 'counter-sub' }, 'Waiting for the first figures…');
    const announce = h('p', { class: 'sr-only', role: 'status', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const stats = h('div', { class: 'cards' });
    const perDayText = h('p', { class: 'per-day' });
    const perDay = figure('tokens-per-day', 'Tokens per day: this gateway at its current rate, against the company', 'Log scale: each grid line is 10 times the one before. The company figure is Doubao, reported at the Volcano Engine FORCE conference on 2025-12-18 (30 trillion a day at the end of September 2025).');
    const rate = figure('token-rate', 'Tokens per second, last 5 minutes', 'One-second buckets; input (prompt) and output (generated) tokens stacked, so the top edge is all tokens per second.');
    const status = h('div', { role: 'status', 'aria-live': 'polite' });
    const tenants = h('div', {}, h('p', { class: 'empty' }, 'Loading tenants…'));
    replace(
      root,
      h('h1', {}, 'Tokens'),
      h('p', { class: 'lede' }, 'Tokens processed by this gateway: prompt tokens in plus generated tokens out, as metered in the ledger. The counter is the all-time total; the rate is over the last 10 seconds.'),
      h('section', { class: 'counter-card', 'aria-labelledby': 'counter-label' }, h('p', { class: 'counter-label', id: 'counter-label' }, 'Tokens processed, all time'), counter, counterSub, announce),
      status,
      stats,
      h('h2', {}, 'At this rate'),
      perDayText,
      perDay.figure,
      rate.figure,
      h('h2', {}, 'Per tenant'),
      tenants,
    );

    let lastAnnounceMs = 0;
    let live: LiveStats | null = null;
    const unsubscribe = subscribeLive((next, error) => {
      replace(status, error ? h('p', { class: 'error' }, error) : null);
      if (next === null) return;
      live = next;
      counter.textContent = integer(next.tokens.total);
      counter.title = `${integer(next.tokens.input)} input + ${integer(next.tokens.output)} output tokens`;
      counterSub.textContent = `${tokens(next.tokens.total)} in all · ${tokens(next.tokens.sinceStart)} since this server started at ${clock(next.startedAtMs, next.nowMs)}`;
      if (next.nowMs - lastAnnounceMs >= ANNOUNCE_EVERY_MS) {
        lastAnnounceMs = next.nowMs;
        announce.textContent = `${tokens(next.tokens.total)} processed, ${tokensPerSecond(next.tokensPerSecond)} now.`;
      }
      replace(
        stats,
        stat('Tokens per second now', tokensPerSecond(next.tokensPerSecond), 'input + output, last 10 s'),
        stat('Output tokens per second', tokensPerSecond(next.outputTokensPerSecond), 'generated tokens, last 10 s'),
        stat('Requests per second', perSecond(next.requestsPerSecond, 'req'), 'last 10 s'),
        stat('Requests since start', integer(next.requests.total), `${integer(next.requests.ok)} ok · ${integer(next.requests.rejected)} rejected · ${integer(next.requests.failed)} failed`),
      );
      const perDayTokens = next.tokensPerSecond * 86_400;
      const share = perDayTokens / COMPANY_TOKENS_PER_DAY;
      perDayText.replaceChildren(
        'At this rate: ',
        h('strong', { id: 'tokens-per-day' }, `${compact(perDayTokens)} tokens/day`),
        ` (${tokensPerSecond(next.tokensPerSecond)} × 86,400 s). The company serves 50 trillion tokens a day (about 579 million tok/s on average): `,
        perDayTokens > 0 ? `this gateway is ${percent(share)} of that; ${compact(1 / share)} gateways like it would be needed.` : 'this gateway is idle right now.',
      );
      draw(perDay.body, (w) => tokensPerDayChart(next.tokensPerSecond, w));
      draw(rate.body, (w) => tokenRateChart(next, w));
    });

    const stopTenants = every(3000, async () => {
      if (adminToken() === null) {
        replace(tenants, h('p', { class: 'notice' }, 'Tokens per tenant need the admin token: open the URL that tokenfleet serve printed (it ends in #admin=…), or paste the token at the top right.'));
        return;
      }
      try {
        replace(tenants, tenantRows(await getAdmin<LiveTenants>('/api/tenants/live'), live));
      } catch (err) {
        replace(tenants, h('p', { class: 'error' }, `Tenants unavailable: ${errorText(err)}`));
      }
    });
    return () => {
      unsubscribe();
      stopTenants();
    };
  },
};
