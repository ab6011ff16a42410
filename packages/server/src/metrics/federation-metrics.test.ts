import { HeraldMetrics } from './herald-metrics.js';

describe('federation metrics', () => {
  it('counts requests by peer, direction and result', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.federation.request('partner.example', 'in', 'accepted');
    metrics.federation.request('partner.example', 'in', 'accepted');
    metrics.federation.request('other', 'out', 'SIP_ERR_FEDERATION_DOMAIN_BLOCKED');
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'herald_federation_requests_total');
    expect(metric?.values.map((v) => [v.labels, v.value])).toEqual([
      [{ peer: 'partner.example', direction: 'in', result: 'accepted' }, 2],
      [{ peer: 'other', direction: 'out', result: 'SIP_ERR_FEDERATION_DOMAIN_BLOCKED' }, 1],
    ]);
  });

  it('exports the exact count at each scrape, the requests between scrapes added once', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    const value = async () => (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'herald_federation_requests_total')?.values.map((v) => v.value);
    metrics.federation.request('partner.example', 'in', 'accepted');
    expect(await value()).toEqual([1]);
    expect(await value()).toEqual([1]);
    metrics.federation.request('partner.example', 'in', 'accepted');
    metrics.federation.request('partner.example', 'in', 'accepted');
    expect(await value()).toEqual([3]);
  });
});
