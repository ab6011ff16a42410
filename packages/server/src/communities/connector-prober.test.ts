import { PassThrough } from 'node:stream';
import type { CommunitySettings, ForwardOutcome, Target } from '@herald/proxy';
import { type SipRequest, type SipUri, createResponse, parseUri } from '@herald/sip';
import { FakeClock } from '@herald/test-kit';
import { testCommunity } from '../../test/helpers/admin-server-fixture.js';
import { createLogger } from '../logger.js';
import { type ConnectorHealth, ConnectorProber } from './connector-prober.js';

/** One connector of `name` unless the test says otherwise: one domain, two connectors. */
function community(name: string, overrides: Partial<CommunitySettings> = {}): CommunitySettings {
  return testCommunity(name, { domains: [`${name}.test`], proxies: [`sip:gw1.${name}.test`, `sip:gw2.${name}.test;transport=tcp`], ...overrides });
}

interface Sent {
  request: SipRequest;
  targets: readonly Target[];
  finish(outcome: 'answer' | 'timeout' | 'unreachable' | 'refused', status?: number): void;
}

function outcomeOf(request: SipRequest, how: 'answer' | 'timeout' | 'unreachable' | 'refused', status: number): ForwardOutcome {
  if (how === 'answer') return { status, response: createResponse(request, status), handled: false, received: true };
  if (how === 'timeout') return { status: 408, response: createResponse(request, 408), handled: false, received: false };
  if (how === 'refused') return { status, response: createResponse(request, status), handled: false, received: false };
  return { status: 500, response: null, handled: false, received: false };
}

/** Lets the promises a finished probe started run. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 10; turn++) await new Promise((r) => setImmediate(r));
}

describe('ConnectorProber: RFC 3261 §11 OPTIONS to each connector of a community', () => {
  let clock: FakeClock;
  let sent: Sent[];
  let enabled: Set<string>;
  let probed: ConnectorHealth[];
  let prober: ConnectorProber;

  const start = (communities: CommunitySettings[]) => {
    prober = new ConnectorProber({
      communities,
      isEnabled: (name) => enabled.has(name),
      // The proxy core's outcome of an originated request: a branch's response, its own 408 when nothing answered, a 500 for a transport
      // error, its own response for a connector it could not try (404: DNS knows no such host; 503: a TLS connection to a peer failed).
      originate: (request, targets) =>
        new Promise<ForwardOutcome>((resolve) =>
          sent.push({
            request,
            targets,
            finish: (how, status = 200) => resolve(outcomeOf(request, how, status)),
          }),
        ),
      wayTo: (c) => c.proxies.map((p) => {
        const hop = parseUri(p) as SipUri;
        return { hop, peer: c.transport === 'tls' ? { domain: hop.host, onlyTls: true } : undefined };
      }),
      host: 'example.com',
      failedTargetMs: 60_000,
      probeTimeoutMs: 9_600,
      clock,
      logger: createLogger({ level: 'error', format: 'json' }, new PassThrough()),
      onProbed: (h) => probed.push(h),
    });
    prober.start();
  };

  beforeEach(() => {
    clock = new FakeClock();
    sent = [];
    enabled = new Set(['chicago', 'boston']);
    probed = [];
  });
  afterEach(() => prober.stop());

  it('sends each connector an OPTIONS from Herald, through the proxy core, to that connector alone', () => {
    start([community('chicago'), community('boston', { transport: 'tls', proxies: ['sip:gw.boston.test;transport=tls'] })]);
    expect(sent.map((s) => s.request.uriText)).toEqual(['sip:gw1.chicago.test', 'sip:gw2.chicago.test;transport=tcp', 'sip:gw.boston.test;transport=tls']);
    const { request, targets } = sent[0];
    expect(request.method).toBe('OPTIONS');
    expect(request.header('from')).toMatch(/^<sip:herald@example\.com>;tag=\S+$/);
    expect(request.header('to')).toBe('<sip:gw1.chicago.test>');
    expect(request.header('cseq')).toBe('1 OPTIONS');
    // RFC 3261 §16.6 step 3: the proxy core writes Max-Forwards 70 into a request without one.
    expect(request.header('max-forwards')).toBeUndefined();
    expect(targets).toHaveLength(1);
    expect(targets[0].nextHops?.map((h) => h.host)).toEqual(['gw1.chicago.test']);
    expect(targets[0].peer).toBeUndefined();
    expect(sent[2].targets[0].peer).toEqual({ domain: 'gw.boston.test', onlyTls: true });
  });

  it('records a connector that answers anything as up, and one that times out or cannot be reached as down', async () => {
    start([community('chicago', { proxies: ['sip:gw1.chicago.test', 'sip:gw2.chicago.test', 'sip:gw3.chicago.test'] })]);
    expect(prober.connectors().map((h) => h.up)).toEqual([null, null, null]);
    sent[0].finish('answer', 404);
    sent[1].finish('timeout');
    sent[2].finish('unreachable');
    await settle();
    expect(prober.connectors()).toEqual([
      { community: 'chicago', connector: 'sip:gw1.chicago.test', up: true, lastStatus: 404, lastCheckedAt: clock.now() },
      { community: 'chicago', connector: 'sip:gw2.chicago.test', up: false, lastStatus: 408, lastCheckedAt: clock.now() },
      { community: 'chicago', connector: 'sip:gw3.chicago.test', up: false, lastStatus: 500, lastCheckedAt: clock.now() },
    ]);
    expect(probed.map((h) => h.up)).toEqual([true, false, false]);
  });

  it('records a connector as down when the response is Herald\'s own: a name DNS does not know, a TLS connection that failed', async () => {
    start([community('chicago')]);
    sent[0].finish('refused', 404);
    sent[1].finish('refused', 503);
    await settle();
    expect(prober.connectors().map(({ up, lastStatus }) => ({ up, lastStatus }))).toEqual([
      { up: false, lastStatus: 404 },
      { up: false, lastStatus: 503 },
    ]);
  });

  it('keeps a connector that failed its probe tried last until the next probe has had its time, the resolver\'s 60 s at least', () => {
    start([community('chicago'), community('boston', { probeIntervalMs: 120_000 })]);
    expect(sent.map((s) => s.targets[0].failedForMs)).toEqual([60_000, 60_000, 129_600, 129_600]);
  });

  it('starts the next round an interval after the last one ended, never while one is under way', async () => {
    start([community('chicago')]);
    clock.advance(60_000);
    expect(sent).toHaveLength(2);
    sent[0].finish('answer');
    sent[1].finish('answer');
    await settle();
    clock.advance(9_999);
    expect(sent).toHaveLength(2);
    clock.advance(1);
    expect(sent).toHaveLength(4);
  });

  it('probes only switched-on communities, and none whose probeInterval is 0', async () => {
    enabled.delete('boston');
    start([community('chicago', { probeIntervalMs: 0 }), community('boston')]);
    expect(sent).toHaveLength(0);
    enabled.add('boston');
    clock.advance(10_000);
    expect(sent.map((s) => s.request.uriText)).toEqual(['sip:gw1.boston.test', 'sip:gw2.boston.test;transport=tcp']);
  });

  it('leaves no timer behind when stopped, and ignores a probe that ends after', async () => {
    start([community('chicago')]);
    sent[0].finish('answer');
    await settle();
    prober.stop();
    sent[1].finish('answer');
    await settle();
    expect(clock.pending).toBe(0);
    expect(prober.connectors().map((h) => h.up)).toEqual([true, null]);
  });
});
