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
});
