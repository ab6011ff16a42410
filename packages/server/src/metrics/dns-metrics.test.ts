import { DnsClient } from '@herald/stack';
import { startNamed } from '@herald/test-kit';
import { HeraldMetrics } from './herald-metrics.js';

async function value(metrics: HeraldMetrics, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return metric?.values.find((v) => JSON.stringify(Object.entries(v.labels).sort()) === wanted)?.value;
}

describe('DNS metrics', () => {
  it('counts the DNS client’s queries by type and result, and its cache hits by type', async () => {
    const named = await startNamed([{ origin: 'example.test', records: ['_sip._udp IN SRV 10 60 5060 sip1'] }]);
    try {
      const metrics = new HeraldMetrics({ defaultMetrics: false });
      expect(await value(metrics, 'herald_dns_queries_total', { type: 'SRV', result: 'answer' })).toBe(0);
      const dns = new DnsClient({ servers: [named.server], onQuery: metrics.dns.query, onCacheHit: metrics.dns.cacheHit });
      await dns.srv('_sip._udp.example.test');
      await dns.srv('_sip._udp.example.test');
      await dns.srv('_sip._tcp.example.test');
      expect(await value(metrics, 'herald_dns_queries_total', { type: 'SRV', result: 'answer' })).toBe(1);
      expect(await value(metrics, 'herald_dns_queries_total', { type: 'SRV', result: 'nxdomain' })).toBe(1);
      expect(await value(metrics, 'herald_dns_cache_hits_total', { type: 'SRV' })).toBe(1);
      expect(await value(metrics, 'herald_dns_cache_hits_total', { type: 'A' })).toBe(0);
    } finally {
      await named.stop();
    }
  });
});
