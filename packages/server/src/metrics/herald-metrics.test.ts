import { HeraldMetrics } from './herald-metrics.js';

/** The value of `name` with exactly `labels`, from a scrape (`undefined` when absent). */
async function value(metrics: HeraldMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
  const wanted = JSON.stringify(Object.entries(labels).sort());
  return metric?.values.find((v) => JSON.stringify(Object.entries(v.labels).sort()) === wanted)?.value;
}

const idle = { transactions: () => ({ inviteClient: 0, nonInviteClient: 0, inviteServer: 0, nonInviteServer: 0 }), acceptedConnections: () => 0, registeredAors: async () => 0 };

describe('HeraldMetrics', () => {
  it('counts requests by method, folding unknown methods into "other"', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.request('REGISTER');
    metrics.request('REGISTER');
    metrics.request('OPTIONS');
    metrics.request('FOO');
    metrics.request('BAR');
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'REGISTER' })).toBe(2);
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'OPTIONS' })).toBe(1);
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'other' })).toBe(2);
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'FOO' })).toBeUndefined();
  });

  it('keeps counting across scrapes (the tallies are added, not replaced)', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.request('MESSAGE');
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'MESSAGE' })).toBe(1);
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'MESSAGE' })).toBe(1);
    metrics.request('MESSAGE');
    expect(await value(metrics, 'herald_sip_requests_total', { method: 'MESSAGE' })).toBe(2);
  });

  it('counts responses by request method and status code', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.response('OPTIONS', 200);
    metrics.response('OPTIONS', 200);
    metrics.response('INVITE', 100);
    metrics.response('INVITE', 486);
    expect(await value(metrics, 'herald_sip_responses_total', { method: 'OPTIONS', status: '200' })).toBe(2);
    expect(await value(metrics, 'herald_sip_responses_total', { method: 'INVITE', status: '100' })).toBe(1);
    expect(await value(metrics, 'herald_sip_responses_total', { method: 'INVITE', status: '486' })).toBe(1);
  });

  it('derives registrations from final responses to REGISTER: ok, challenged, rejected', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    expect(await value(metrics, 'herald_registrations_total', { result: 'ok' })).toBe(0);
    metrics.response('REGISTER', 100);
    metrics.response('REGISTER', 401);
    metrics.response('REGISTER', 407);
    metrics.response('REGISTER', 200);
    metrics.response('REGISTER', 423);
    metrics.response('REGISTER', 503);
    metrics.response('OPTIONS', 401);
    expect(await value(metrics, 'herald_registrations_total', { result: 'ok' })).toBe(1);
    expect(await value(metrics, 'herald_registrations_total', { result: 'challenged' })).toBe(2);
    expect(await value(metrics, 'herald_registrations_total', { result: 'rejected' })).toBe(2);
  });

  it('counts digest failures by reason', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.authFailure('wrong-password');
    metrics.authFailure('wrong-password');
    metrics.authFailure('stale-nonce');
    expect(await value(metrics, 'herald_auth_failures_total', { reason: 'wrong-password' })).toBe(2);
    expect(await value(metrics, 'herald_auth_failures_total', { reason: 'stale-nonce' })).toBe(1);
  });

  it('counts what each limit refused', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    metrics.limitHit('rateLimit');
    metrics.limitHit('rateLimit');
    metrics.limitHit('maxConnections');
    expect(await value(metrics, 'herald_limit_hits_total', { limit: 'rateLimit' })).toBe(2);
    expect(await value(metrics, 'herald_limit_hits_total', { limit: 'maxConnections' })).toBe(1);
  });

  it('reads transactions in flight, accepted connections and registered AoRs from its sources at scrape time', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    let aors = 3;
    metrics.collectFrom({ transactions: () => ({ inviteClient: 1, nonInviteClient: 2, inviteServer: 3, nonInviteServer: 4 }), acceptedConnections: () => 9, registeredAors: async () => aors });
    expect(await value(metrics, 'herald_connections_accepted')).toBe(9);
    expect(await value(metrics, 'herald_transactions_in_flight', { kind: 'invite_client' })).toBe(1);
    expect(await value(metrics, 'herald_transactions_in_flight', { kind: 'non_invite_client' })).toBe(2);
    expect(await value(metrics, 'herald_transactions_in_flight', { kind: 'invite_server' })).toBe(3);
    expect(await value(metrics, 'herald_transactions_in_flight', { kind: 'non_invite_server' })).toBe(4);
    expect(await value(metrics, 'herald_registered_aors')).toBe(3);
    aors = 5;
    expect(await value(metrics, 'herald_registered_aors')).toBe(5);
  });

  it('keeps the last registered-AoR count when the store fails during a scrape', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    let fail = false;
    metrics.collectFrom({ ...idle, registeredAors: async () => (fail ? Promise.reject(new Error('down')) : 7) });
    expect(await value(metrics, 'herald_registered_aors')).toBe(7);
    fail = true;
    expect(await value(metrics, 'herald_registered_aors')).toBe(7);
  });

  it('aggregates registered AoRs across cluster workers with max, since they share one store', () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    expect((metrics.registry.getSingleMetric('herald_registered_aors') as unknown as { aggregator: string }).aggregator).toBe('max');
  });

  it('times store operations into a histogram with buckets from 50 µs to 1 s', async () => {
    const metrics = new HeraldMetrics({ defaultMetrics: false });
    const observe = metrics.storeTimer('locations', 'get');
    observe(0.00004);
    observe(0.002);
    const text = (await metrics.scrape()).body;
    expect(text).toContain('herald_store_operation_seconds_bucket{le="0.00005",store="locations",operation="get"} 1');
    expect(text).toContain('herald_store_operation_seconds_bucket{le="1",store="locations",operation="get"} 2');
    expect(text).toContain('herald_store_operation_seconds_count{store="locations",operation="get"} 2');
  });

  it('scrapes Prometheus text, with Node process metrics when asked', async () => {
    const metrics = new HeraldMetrics();
    metrics.collectFrom(idle);
    const { contentType, body } = await metrics.scrape();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(body).toContain('# TYPE herald_sip_requests_total counter');
    expect(body).toContain('herald_registered_aors 0');
    expect(body).toContain('process_cpu_user_seconds_total');
    expect(new HeraldMetrics({ defaultMetrics: false }).registry.getSingleMetric('process_cpu_user_seconds_total')).toBeUndefined();
  });
});
