import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGatewayMetrics, OTHER_TENANT } from './gateway-metrics.js';

/** The value of the sample line `name{labels}` in an exposition text (labels in prom-client's order). */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('gateway metrics', () => {
  it('shows a recorded request in the exposition text', async () => {
    const m = createGatewayMetrics();
    m.recordRequest({
      model: 'llama-3.1-8b', pool: 'llama8b-h200', tenant: 'acme', status: 200,
      inputTokens: 1200, outputTokens: 80, cachedTokens: 512, ttftSeconds: 0.3, tpotSeconds: 0.012,
    });
    m.recordRequest({ model: 'llama-3.1-8b', pool: 'llama8b-h200', tenant: 'acme', status: 200, inputTokens: 100, outputTokens: 20 });
    m.recordRequest({ model: 'llama-3.1-8b', tenant: 'acme', status: 429 });
    m.recordRejection('rate_limit_rpm');
    m.setQueueDepth('llama-3.1-8b', 7);
    const text = await m.metricsText();
    const p = 'tokenfleet_gateway_';
    expect(sample(text, `${p}requests_total{model="llama-3.1-8b",pool="llama8b-h200",tenant="acme",status="200"}`)).toBe(2);
    expect(sample(text, `${p}requests_total{model="llama-3.1-8b",pool="none",tenant="acme",status="429"}`)).toBe(1);
    expect(sample(text, `${p}tokens_total{model="llama-3.1-8b",pool="llama8b-h200",tenant="acme",type="input"}`)).toBe(1300);
    expect(sample(text, `${p}tokens_total{model="llama-3.1-8b",pool="llama8b-h200",tenant="acme",type="output"}`)).toBe(100);
    expect(sample(text, `${p}tokens_total{model="llama-3.1-8b",pool="llama8b-h200",tenant="acme",type="cached"}`)).toBe(512);
    expect(sample(text, `${p}time_to_first_token_seconds_bucket{le="0.25",pool="llama8b-h200",tenant="acme"}`)).toBe(0);
    expect(sample(text, `${p}time_to_first_token_seconds_bucket{le="0.5",pool="llama8b-h200",tenant="acme"}`)).toBe(1);
    expect(sample(text, `${p}time_to_first_token_seconds_count{pool="llama8b-h200",tenant="acme"}`)).toBe(1);
    expect(sample(text, `${p}time_per_output_token_seconds_sum{pool="llama8b-h200",tenant="acme"}`)).toBeCloseTo(0.012);
    expect(sample(text, `${p}queue_depth{model="llama-3.1-8b"}`)).toBe(7);
    expect(sample(text, `${p}rejections_total{reason="rate_limit_rpm"}`)).toBe(1);
    expect(sample(text, `${p}rejections_total{reason="budget_exceeded"}`)).toBe(0);
    expect(text).toMatch(/# TYPE tokenfleet_gateway_time_to_first_token_seconds histogram/);
    expect(m.contentType).toMatch(/^text\/plain/);
  });

  it('bounds tenant label cardinality: tenants past the limit are recorded as other', async () => {
    const m = createGatewayMetrics({ maxTenantLabels: 3 });
    for (let i = 0; i < 50; i++) m.recordRequest({ model: 'm', pool: 'p', tenant: `t${i}`, status: 200, inputTokens: 10 });
    m.recordRequest({ model: 'm', pool: 'p', tenant: 't1', status: 200, inputTokens: 10 }); // a known tenant keeps its label
    const text = await m.metricsText();
    const tenants = new Set([...text.matchAll(/tenant="([^"]*)"/g)].map((x) => x[1]));
    expect([...tenants].sort()).toEqual([OTHER_TENANT, 't0', 't1', 't2']);
    expect(sample(text, 'tokenfleet_gateway_requests_total{model="m",pool="p",tenant="other",status="200"}')).toBe(47);
    expect(sample(text, 'tokenfleet_gateway_requests_total{model="m",pool="p",tenant="t1",status="200"}')).toBe(2);
  });

  it('keeps its own registry: two instances do not share counters, the global default is untouched', async () => {
    const before = (await globalRegistry.getMetricsAsJSON()).length;
    const a = createGatewayMetrics();
    const b = createGatewayMetrics();
    a.recordRejection('timeout');
    expect(sample(await b.metricsText(), 'tokenfleet_gateway_rejections_total{reason="timeout"}')).toBe(0);
    expect((await globalRegistry.getMetricsAsJSON()).length).toBe(before);
  });
});
