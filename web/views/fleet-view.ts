/**
 * @module Fleet: the pools by vendor and accelerator, their backends and health,
 * and the live tokens per second, queue depth, TTFT and TPOT over time.
 */
import type { LivePool, LiveStats } from '../api-types.js';
import { draw, figure } from '../charts/chart-theme.js';
import { poolRateBars, poolSeriesChart } from '../charts/live-charts.js';
import { h, replace, table } from '../dom.js';
import { duration, integer, tokensPerSecond } from '../format.js';
import { subscribeLive } from '../live-feed.js';
import type { View } from '../view.js';

/** A backend's short name in its pool's row: `#0` for `<pool>-0`, else its id. */
function backendLabel(pool: string, id: string): string {
  return id.startsWith(`${pool}-`) ? `#${id.slice(pool.length + 1)}` : id;
}

function backendBadge(pool: string, b: LivePool['backends'][number]): HTMLElement {
  const state = b.healthy ? (b.circuit === 'closed' ? 'healthy' : `healthy, circuit ${b.circuit}`) : `unhealthy, circuit ${b.circuit}`;
  return h('span', { class: `badge ${b.healthy && b.circuit === 'closed' ? 'ok' : b.healthy ? 'warn' : 'bad'}`, title: `${b.id}: ${state}; ${b.outstanding} requests in flight, ${integer(b.queuedPromptTokens)} prompt tokens queued` }, `${backendLabel(pool, b.id)} ${state}, ${b.outstanding} in flight`);
}

const latency = (p: { p50: number; p90: number } | null) => (p === null ? 'no requests' : `${duration(p.p50)} / ${duration(p.p90)}`);

function vendorSections(pools: readonly LivePool[]): HTMLElement[] {
  const byVendor = new Map<string, LivePool[]>();
  for (const p of pools) {
    const v = p.vendor ?? 'Upstream servers (hardware unknown)';
    byVendor.set(v, [...(byVendor.get(v) ?? []), p]);
  }
  return [...byVendor].map(([vendor, list]) => {
    const chips = new Set(list.map((p) => p.acceleratorName ?? p.accelerator ?? 'unknown'));
    return h(
      'section',
      { 'aria-label': `${vendor} pools` },
      h('h3', {}, `${vendor}: ${[...chips].join(', ')}`),
      table(
        `${vendor} pools, live (latencies over the last 60 s)`,
        ['Pool and model', 'Accelerator, engine', 'Backends (health)', 'Tokens/s now', 'Queued (requests)', 'TTFT p50 / p90', 'TPOT p50 / p90'],
        list.map((p) => [
          h('span', {}, h('strong', {}, p.pool), h('br'), p.model),
          h('span', {}, p.acceleratorName ?? p.accelerator ?? 'unknown hardware', h('br'), `${p.engine ?? '–'}, ${p.kind}`),
          h('div', { class: 'backends' }, p.backends.map((b) => backendBadge(p.pool, b))),
          tokensPerSecond(p.tokensPerSecond),
          integer(p.queueDepth),
          latency(p.ttftMs),
          latency(p.tpotMs),
        ]),
        [3, 4, 5, 6],
      ),
    );
  });
}

export const fleetView: View = {
  route: 'fleet',
  title: 'Fleet',
  mount(root) {
    const status = h('div', { role: 'status', 'aria-live': 'polite' });
    const summary = h('div', { class: 'cards' });
    const pools = h('div', {});
    const bars = figure('pool-rate', 'Tokens per second now, per pool', 'Last 10 seconds; colour is the accelerator vendor; "unhealthy" marks a pool with a backend out of rotation.');
    const figs = {
      tokensPerSecond: figure('pool-tokens', 'Tokens per second per pool', '5-second buckets over the last 5 minutes.'),
      queueDepth: figure('pool-queue', 'Queue depth per pool', 'Requests waiting in the gateway\'s fair queue, 5-second buckets.'),
      ttftMsP50: figure('pool-ttft', 'Time to first token (TTFT), median per pool', 'Median TTFT of the requests that started in each 5-second bucket; gaps: no request.'),
      tpotMsP50: figure('pool-tpot', 'Time per output token (TPOT), median per pool', 'Median TPOT of the requests that finished in each 5-second bucket; gaps: no request.'),
    };
    const labels = { tokensPerSecond: 'Tokens per second (tok/s)', queueDepth: 'Queued requests (requests)', ttftMsP50: 'TTFT p50 (ms)', tpotMsP50: 'TPOT p50 (ms)' } as const;
    replace(
      root,
      h('h1', {}, 'Fleet'),
      h('p', { class: 'lede' }, 'The pools this gateway routes to, grouped by accelerator vendor: each pool serves one model on one kind of accelerator, through one or more backends (emulated accelerators run the performance model in real time; upstream ones are real OpenAI-compatible servers).'),
      status,
      summary,
      bars.figure,
      h('h2', {}, 'Pools by vendor'),
      pools,
      h('h2', {}, 'Over the last 5 minutes'),
      h('div', { class: 'grid-2' }, Object.values(figs).map((f) => f.figure)),
    );
    const unsubscribe = subscribeLive((live: LiveStats | null, error) => {
      replace(status, error ? h('p', { class: 'error' }, error) : null);
      if (live === null) return;
      const backends = live.pools.flatMap((p) => p.backends);
      const vendors = new Set(live.pools.map((p) => p.vendor ?? 'upstream'));
      replace(
        summary,
        ...[
          ['Pools', `${live.pools.length}`, `${vendors.size} vendors: ${[...vendors].join(', ')}`],
          ['Backends healthy', `${backends.filter((b) => b.healthy).length} of ${backends.length}`, `${backends.filter((b) => b.circuit !== 'closed').length} with the circuit open`],
          ['Tokens per second now', tokensPerSecond(live.tokensPerSecond), 'all pools, last 10 s'],
          ['Queued requests', integer(live.pools.reduce((s, p) => s + p.queueDepth, 0)), 'in the fair queues now'],
        ].map(([label, value, sub]) => h('div', { class: 'card' }, h('div', { class: 'label' }, label!), h('div', { class: 'value' }, value!), h('div', { class: 'sub' }, sub!))),
      );
      replace(pools, live.pools.length > 0 ? vendorSections(live.pools) : h('p', { class: 'empty' }, 'No pools are configured.'));
      draw(bars.body, (w) => poolRateBars(live.pools, w));
      for (const [channel, f] of Object.entries(figs) as [keyof typeof figs, (typeof figs)[keyof typeof figs]][]) draw(f.body, (w) => poolSeriesChart(live.pools, channel, labels[channel], w));
    });
    return unsubscribe;
  },
};
