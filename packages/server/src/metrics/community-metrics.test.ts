import { HeraldMetrics } from './herald-metrics.js';

describe('community metrics', () => {
  it('counts requests and failovers by community, and shows each connector up or down', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.communities.request('chicago', 'in', 'accepted');
    metrics.communities.request('chicago', 'in', 'accepted');
    metrics.communities.request('chicago', 'out', 'SIP_ERR_COMMUNITY_DISABLED');
    metrics.communities.failedOver('chicago');
    metrics.communities.connectorProbed('chicago', 'sip:gw1.chi.acme.test', true);
    metrics.communities.connectorProbed('chicago', 'sip:gw2.chi.acme.test', true);
    metrics.communities.connectorProbed('chicago', 'sip:gw2.chi.acme.test', false);
    const json = await metrics.registry.getMetricsAsJSON();
    const values = (name: string) => json.find((m) => m.name === name)?.values.map((v) => [v.labels, v.value]);
    expect(values('herald_community_requests_total')).toEqual([
      [{ community: 'chicago', direction: 'in', result: 'accepted' }, 2],
      [{ community: 'chicago', direction: 'out', result: 'SIP_ERR_COMMUNITY_DISABLED' }, 1],
    ]);
    expect(values('herald_community_failovers_total')).toEqual([[{ community: 'chicago' }, 1]]);
    expect(values('herald_community_connector_up')).toEqual([
      [{ community: 'chicago', connector: 'sip:gw1.chi.acme.test' }, 1],
      [{ community: 'chicago', connector: 'sip:gw2.chi.acme.test' }, 0],
    ]);
  });
});
