import { type SipUri, isSipUri, parseUri, parseVia } from '@herald/sip';
import { type NamedServer, startNamed } from '@herald/test-kit';
import { DnsClient } from './dns-client.js';
import { SipResolver } from './sip-resolver.js';

/**
 * The zones an operator would publish, served by a real named: NAPTR → SRV → A for
 * naptr.test, SRV only for srv.test, A only for plain.test, weighted SRV for weights.test.
 */
const ZONES = [
  {
    origin: 'naptr.test',
    records: [
      '@ IN NAPTR 10 50 "s" "SIP+D2T" "" _sip._tcp',
      '@ IN NAPTR 20 50 "s" "SIP+D2U" "" _sip._udp',
      '@ IN NAPTR 5 50 "s" "SIPS+D2T" "" _sips._tcp',
      '@ IN NAPTR 1 50 "u" "E2U+sip" "!^.*$!sip:x@y!" .',
      '_sip._tcp IN SRV 20 0 5072 b',
      '_sip._tcp IN SRV 10 0 5070 a',
      '_sip._udp IN SRV 10 0 5060 a',
      '_sips._tcp IN SRV 10 0 5061 a',
      'a IN A 127.0.0.2',
      'b IN A 127.0.0.3',
      'b IN AAAA ::1',
    ],
  },
  {
    origin: 'srv.test',
    records: ['_sip._udp IN SRV 10 0 5080 host', '_sips._tcp IN SRV 10 0 5081 host', 'host IN A 127.0.0.4', '@ IN A 127.0.0.99'],
  },
  { origin: 'plain.test', records: ['@ IN A 127.0.0.5', 'sentby IN A 127.0.0.6'] },
  { origin: 'weights.test', records: ['_sip._udp IN SRV 10 1 5060 light', '_sip._udp IN SRV 10 3 5060 heavy', '_sip._udp IN SRV 20 0 5060 backup', 'light IN A 127.0.0.7', 'heavy IN A 127.0.0.8', 'backup IN A 127.0.0.9'] },
  { origin: 'gone.test', records: ['_sip._udp IN SRV 0 0 0 .', '@ IN A 127.0.0.10'] },
];

let named: NamedServer;
beforeAll(async () => {
  named = await startNamed(ZONES);
});
afterAll(async () => {
  await named?.stop();
});

function resolver(options: { transports?: Array<'udp' | 'tcp' | 'tls'>; random?: () => number } = {}): SipResolver {
  return new SipResolver({ dns: new DnsClient({ servers: [named.server] }), ...options });
}

function sip(text: string): SipUri {
  const uri = parseUri(text);
  if (!isSipUri(uri)) throw new Error(text);
  return uri;
}

describe('RFC 3263 §4 against a real named', () => {
  it('follows NAPTR (by order, SIP services only) to SRV (by priority) to A/AAAA', async () => {
    expect(await resolver().resolveUri(sip('sip:bob@naptr.test'))).toEqual([
      { transport: 'tls', address: '127.0.0.2', port: 5061, serverName: 'naptr.test' },
      { transport: 'tcp', address: '127.0.0.2', port: 5070 },
      { transport: 'tcp', address: '127.0.0.3', port: 5072 },
      { transport: 'tcp', address: '::1', port: 5072 },
      { transport: 'udp', address: '127.0.0.2', port: 5060 },
    ]);
  });

  it('keeps only the NAPTR services of transports Herald sends on', async () => {
    expect(await resolver({ transports: ['udp'] }).resolveUri(sip('sip:bob@naptr.test'))).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5060 }]);
  });

  it('keeps only SIPS+D2T for a sips: URI, to be checked against the URI domain (RFC 5922 §4)', async () => {
    expect(await resolver().resolveUri(sip('sips:bob@naptr.test'))).toEqual([{ transport: 'tls', address: '127.0.0.2', port: 5061, serverName: 'naptr.test' }]);
  });

  it('asks SRV when there is no NAPTR, and only _sips._tcp for sips:', async () => {
    expect(await resolver().resolveUri(sip('sip:bob@srv.test'))).toEqual([
      { transport: 'tls', address: '127.0.0.4', port: 5081, serverName: 'srv.test' },
      { transport: 'udp', address: '127.0.0.4', port: 5080 },
    ]);
    expect(await resolver({ transports: ['udp', 'tcp'] }).resolveUri(sip('sip:bob@srv.test'))).toEqual([{ transport: 'udp', address: '127.0.0.4', port: 5080 }]);
    expect(await resolver().resolveUri(sip('sips:bob@srv.test'))).toEqual([{ transport: 'tls', address: '127.0.0.4', port: 5081, serverName: 'srv.test' }]);
  });

  it('takes the A record at the default port when there is neither NAPTR nor SRV', async () => {
    expect(await resolver().resolveUri(sip('sip:bob@plain.test'))).toEqual([{ transport: 'udp', address: '127.0.0.5', port: 5060 }]);
    expect(await resolver().resolveUri(sip('sips:bob@plain.test'))).toEqual([{ transport: 'tls', address: '127.0.0.5', port: 5061, serverName: 'plain.test' }]);
  });

  it('uses the transport parameter for the SRV asked, and an explicit port for A alone', async () => {
    expect(await resolver().resolveUri(sip('sip:bob@naptr.test;transport=udp'))).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5060 }]);
    expect(await resolver().resolveUri(sip('sip:bob@srv.test:5999;transport=tcp'))).toEqual([{ transport: 'tcp', address: '127.0.0.99', port: 5999 }]);
  });

  it('takes an SRV target of "." as no service, and a name DNS does not know as nothing', async () => {
    expect(await resolver().resolveUri(sip('sip:bob@gone.test'))).toEqual([]);
    expect(await resolver().resolveUri(sip('sip:bob@nowhere.plain.test'))).toEqual([]);
  });

  it('spreads picks within a priority by weight (1:3 over 400 look-ups), and keeps the lower priority last', async () => {
    const r = resolver();
    const uri = sip('sip:bob@weights.test');
    let light = 0;
    for (let i = 0; i < 400; i++) {
      const found = await r.resolveUri(uri);
      expect(found[2].address).toBe('127.0.0.9');
      if (found[0].address === '127.0.0.7') light++;
    }
    // Expected 100 (25 %); the bounds are over 5 standard deviations (8.7) away.
    expect(light).toBeGreaterThan(55);
    expect(light).toBeLessThan(145);
  });

  it('orders by the random source it is given, whatever order named serves the records in', async () => {
    const uri = sip('sip:bob@weights.test');
    // Drawn over heavy (3) then light (1): 0.1 × 4 falls in heavy's share, 0.9 × 4 in light's.
    for (let i = 0; i < 4; i++) {
      expect((await resolver({ random: () => 0.1 }).resolveUri(uri)).map((d) => d.address)).toEqual(['127.0.0.8', '127.0.0.7', '127.0.0.9']);
      expect((await resolver({ random: () => 0.9 }).resolveUri(uri)).map((d) => d.address)).toEqual(['127.0.0.7', '127.0.0.8', '127.0.0.9']);
    }
  });
});

describe('RFC 3263 §5 a Via sent-by name', () => {
  it('asks SRV for the Via transport, then A at the default port; with a port, A alone', async () => {
    expect(await resolver().resolveSentBy(parseVia('SIP/2.0/UDP srv.test;branch=z9hG4bK1'))).toEqual([{ transport: 'udp', address: '127.0.0.4', port: 5080 }]);
    expect(await resolver().resolveSentBy(parseVia('SIP/2.0/TLS srv.test;branch=z9hG4bK1'))).toEqual([{ transport: 'tls', address: '127.0.0.4', port: 5081 }]);
    expect(await resolver().resolveSentBy(parseVia('SIP/2.0/TCP sentby.plain.test;branch=z9hG4bK1'))).toEqual([{ transport: 'tcp', address: '127.0.0.6', port: 5060 }]);
    expect(await resolver().resolveSentBy(parseVia('SIP/2.0/UDP srv.test:5999;branch=z9hG4bK1'))).toEqual([{ transport: 'udp', address: '127.0.0.99', port: 5999 }]);
  });
});
