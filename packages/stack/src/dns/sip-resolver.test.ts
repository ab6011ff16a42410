import { type SipUri, isSipUri, parseUri } from '@herald/sip';
import { DnsError, type DnsLookup, type NaptrRecord, type SrvRecord } from './dns-lookup.js';
import { SipResolver, orderSrv, usableNaptr } from './sip-resolver.js';

/** Records as plain data: the ordering rules, without a DNS server. */
function zone(data: { a?: Record<string, string[]>; srv?: Record<string, SrvRecord[]>; naptr?: Record<string, NaptrRecord[]> }): DnsLookup {
  return {
    addresses: (name) => Promise.resolve(data.a?.[name] ?? []),
    srv: (name) => Promise.resolve(data.srv?.[name] ?? []),
    naptr: (name) => Promise.resolve(data.naptr?.[name] ?? []),
  };
}

function sip(text: string): SipUri {
  const uri = parseUri(text);
  if (!isSipUri(uri)) throw new Error(text);
  return uri;
}

const srv = (target: string, port: number, priority = 10, weight = 0): SrvRecord => ({ priority, weight, port, target });
const naptr = (order: number, preference: number, service: string, replacement: string, flags = 'S'): NaptrRecord => ({ order, preference, flags, service, regexp: '', replacement });

/** A fixed sequence of "random" numbers, repeated. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

describe('RFC 2782 SRV order', () => {
  it('orders by priority, lowest first', () => {
    const ordered = orderSrv([srv('b', 1, 20), srv('a', 1, 10), srv('c', 1, 30)]);
    expect(ordered.map((r) => r.target)).toEqual(['a', 'b', 'c']);
  });

  it('draws within a priority in proportion to weight, over the records in target order', () => {
    const records = [srv('light', 1, 10, 1), srv('heavy', 1, 10, 3)];
    // Over heavy (3) then light (1): 0.2 × 4 = 0.8 falls in heavy's share [0, 3), 0.9 × 4 = 3.6 in light's [3, 4).
    expect(orderSrv(records, sequence(0.2, 0)).map((r) => r.target)).toEqual(['heavy', 'light']);
    expect(orderSrv(records, sequence(0.9, 0)).map((r) => r.target)).toEqual(['light', 'heavy']);
    expect(orderSrv([...records].reverse(), sequence(0.9, 0)).map((r) => r.target)).toEqual(['light', 'heavy']);
  });

  it('gives weight 0 a very small chance beside weighted records, and an equal one among its own', () => {
    const records = [srv('zero', 1, 10, 0), srv('some', 1, 10, 5)];
    // Over some (5) then zero (0.01).
    expect(orderSrv(records, sequence(0.999, 0))[0].target).toBe('zero');
    expect(orderSrv(records, sequence(0.99, 0))[0].target).toBe('some');
    const zeros = [srv('x', 1, 10, 0), srv('y', 1, 10, 0)];
    expect(orderSrv(zeros, sequence(0.7, 0))[0].target).toBe('y');
  });

  it('drops the "." target: the service is not available', () => {
    expect(orderSrv([srv('.', 0)])).toEqual([]);
  });
});

describe('RFC 3263 §4.1 NAPTR selection', () => {
  const all = new Set(['udp', 'tcp', 'tls'] as const);

  it('keeps SIP services with flag S, by order then preference', () => {
    const records = [
      naptr(20, 10, 'SIP+D2U', '_sip._udp.x'),
      naptr(10, 20, 'SIP+D2T', '_sip._tcp.x'),
      naptr(10, 10, 'SIPS+D2T', '_sips._tcp.x'),
      naptr(5, 10, 'E2U+sip', 'x', 'U'),
      naptr(5, 10, 'SIP+D2S', '_sip._sctp.x'),
    ];
    expect(usableNaptr(records, false, all).map((r) => r.replacement)).toEqual(['_sips._tcp.x', '_sip._tcp.x', '_sip._udp.x']);
  });

  it('keeps only SIPS+D2T for a SIPS URI', () => {
    const records = [naptr(10, 10, 'SIP+D2U', '_sip._udp.x'), naptr(20, 10, 'SIPS+D2T', '_sips._tcp.x')];
    expect(usableNaptr(records, true, all).map((r) => r.service)).toEqual(['SIPS+D2T']);
  });

  it('skips transports Herald does not send on', () => {
    const records = [naptr(10, 10, 'SIPS+D2T', '_sips._tcp.x'), naptr(20, 10, 'SIP+D2U', '_sip._udp.x')];
    expect(usableNaptr(records, false, new Set(['udp'] as const)).map((r) => r.service)).toEqual(['SIP+D2U']);
  });
});

describe('RFC 3263 §4 resolving a URI (records as plain data)', () => {
  const dns = zone({
    naptr: { 'peer.test': [naptr(10, 10, 'SIP+D2T', '_sip._tcp.peer.test'), naptr(20, 10, 'SIP+D2U', '_sip._udp.peer.test')] },
    srv: {
      '_sip._tcp.peer.test': [srv('b.peer.test', 5070, 20), srv('a.peer.test', 5060, 10)],
      '_sip._udp.peer.test': [srv('a.peer.test', 5060)],
      '_sip._udp.srv-only.test': [srv('a.peer.test', 5080)],
      '_sip._udp.gone.test': [srv('.', 0)],
    },
    a: { 'a.peer.test': ['127.0.0.2'], 'b.peer.test': ['127.0.0.3'], 'plain.test': ['127.0.0.4', '::1'], 'gone.test': ['127.0.0.9'] },
  });
  const resolver = new SipResolver({ dns });

  it('follows NAPTR to SRV to A', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@peer.test'))).toEqual([
      { transport: 'tcp', address: '127.0.0.2', port: 5060 },
      { transport: 'tcp', address: '127.0.0.3', port: 5070 },
      { transport: 'udp', address: '127.0.0.2', port: 5060 },
    ]);
  });

  it('falls back to SRV, then to A/AAAA at the default port', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@srv-only.test'))).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5080 }]);
    expect(await resolver.resolveUri(sip('sip:bob@plain.test'))).toEqual([
      { transport: 'udp', address: '127.0.0.4', port: 5060 },
      { transport: 'udp', address: '::1', port: 5060 },
    ]);
    expect(await resolver.resolveUri(sip('sips:bob@plain.test'))).toEqual([
      { transport: 'tls', address: '127.0.0.4', port: 5061, serverName: 'plain.test' },
      { transport: 'tls', address: '::1', port: 5061, serverName: 'plain.test' },
    ]);
  });

  it('takes an SRV target of "." as no service, without falling back to A', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@gone.test'))).toEqual([]);
  });

  it('uses the transport parameter for SRV, and an explicit port for A/AAAA alone', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@peer.test;transport=udp'))).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5060 }]);
    expect(await resolver.resolveUri(sip('sip:bob@plain.test:5999;transport=tcp'))).toEqual([
      { transport: 'tcp', address: '127.0.0.4', port: 5999 },
      { transport: 'tcp', address: '::1', port: 5999 },
    ]);
    expect(await resolver.resolveUri(sip('sip:127.0.0.1'))).toEqual([{ transport: 'udp', address: '127.0.0.1', port: 5060 }]);
  });

  it('uses maddr in place of the host only when asked', async () => {
    const uri = sip('sip:bob@peer.test:5090;maddr=127.0.0.7');
    expect(await resolver.resolveUri(uri, { maddr: true })).toEqual([{ transport: 'udp', address: '127.0.0.7', port: 5090 }]);
    expect((await resolver.resolveUri(uri)).map((d) => d.address)).toEqual([]);
  });
});

describe('RFC 3263 §4.2 the A/AAAA fallback at a given port (a gateway community without proxies)', () => {
  const dns = zone({
    srv: { '_sip._tcp.srv.test': [srv('a.srv.test', 5080)], '_sip._udp.srv.test': [srv('a.srv.test', 5080)] },
    a: { 'a.srv.test': ['127.0.0.2'], 'plain.test': ['127.0.0.4'] },
  });
  const resolver = new SipResolver({ dns });

  it('uses the port where it falls back to A/AAAA, with or without a transport, and for an address', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@plain.test'), { defaultPort: 5070 })).toEqual([{ transport: 'udp', address: '127.0.0.4', port: 5070 }]);
    expect(await resolver.resolveUri(sip('sip:plain.test;transport=tcp'), { defaultPort: 5070 })).toEqual([{ transport: 'tcp', address: '127.0.0.4', port: 5070 }]);
    expect(resolver.resolveWithoutDns(sip('sip:127.0.0.5;transport=tcp'), { defaultPort: 5070 })).toEqual([{ transport: 'tcp', address: '127.0.0.5', port: 5070 }]);
  });

  it('leaves SRV ports and a port the URI names as they are', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@srv.test;transport=tcp'), { defaultPort: 5070 })).toEqual([{ transport: 'tcp', address: '127.0.0.2', port: 5080 }]);
    expect(await resolver.resolveUri(sip('sip:bob@srv.test'), { defaultPort: 5070 })).toEqual([
      { transport: 'tcp', address: '127.0.0.2', port: 5080 },
      { transport: 'udp', address: '127.0.0.2', port: 5080 },
    ]);
    expect(await resolver.resolveUri(sip('sip:bob@plain.test:5999'), { defaultPort: 5070 })).toEqual([{ transport: 'udp', address: '127.0.0.4', port: 5999 }]);
  });
});

describe('RFC 3263 §4 resolving for TLS only (a peer domain that requires TLS)', () => {
  const dns = zone({
    naptr: { 'peer.test': [naptr(10, 10, 'SIP+D2U', '_sip._udp.peer.test'), naptr(20, 10, 'SIPS+D2T', '_sips._tcp.peer.test')] },
    srv: {
      '_sip._udp.peer.test': [srv('a.peer.test', 5060)],
      '_sips._tcp.peer.test': [srv('a.peer.test', 5061)],
      '_sip._udp.srv.test': [srv('a.peer.test', 5060)],
      '_sips._tcp.srv.test': [srv('a.peer.test', 5071)],
    },
    a: { 'a.peer.test': ['127.0.0.2'], 'plain.test': ['127.0.0.4'] },
  });
  const resolver = new SipResolver({ dns });

  it('follows only SIPS+D2T NAPTR records, then only _sips._tcp SRV, then A/AAAA at 5061', async () => {
    expect(await resolver.resolveUri(sip('sip:bob@peer.test'), { secure: true })).toEqual([{ transport: 'tls', address: '127.0.0.2', port: 5061, serverName: 'peer.test' }]);
    expect(await resolver.resolveUri(sip('sip:bob@srv.test'), { secure: true })).toEqual([{ transport: 'tls', address: '127.0.0.2', port: 5071, serverName: 'srv.test' }]);
    expect(await resolver.resolveUri(sip('sip:bob@plain.test'), { secure: true })).toEqual([{ transport: 'tls', address: '127.0.0.4', port: 5061, serverName: 'plain.test' }]);
  });

  it('takes transport=tcp as TLS, and an IP address at 5061', () => {
    expect(resolver.resolveWithoutDns(sip('sip:127.0.0.5;transport=tcp'), { secure: true })).toEqual([{ transport: 'tls', address: '127.0.0.5', port: 5061 }]);
    expect(resolver.resolveWithoutDns(sip('sip:127.0.0.5'), { secure: true })).toEqual([{ transport: 'tls', address: '127.0.0.5', port: 5061 }]);
  });
});

describe('RFC 3263 §4 when DNS cannot answer', () => {
  const failing = (types: string[], dns: DnsLookup): DnsLookup => {
    const fail = () => Promise.reject(new DnsError('no answer', 'SIP_ERR_DNS_SERVFAIL'));
    return { addresses: types.includes('A') ? fail : dns.addresses, srv: types.includes('SRV') ? fail : dns.srv, naptr: types.includes('NAPTR') ? fail : dns.naptr };
  };
  const records = zone({ srv: { '_sip._udp.peer.test': [srv('a.peer.test', 5060)] }, a: { 'a.peer.test': ['127.0.0.2'] } });

  it('goes on to SRV when only the NAPTR question fails', async () => {
    const resolver = new SipResolver({ dns: failing(['NAPTR'], records) });
    expect(await resolver.resolveUri(sip('sip:peer.test'))).toEqual([{ transport: 'udp', address: '127.0.0.2', port: 5060 }]);
  });

  it('rejects with the DnsError when no question can be answered', async () => {
    const resolver = new SipResolver({ dns: failing(['NAPTR', 'SRV', 'A'], records) });
    await expect(resolver.resolveUri(sip('sip:peer.test'))).rejects.toBeInstanceOf(DnsError);
  });

  it('takes a name the hosts file knows as a host: its addresses, no NAPTR or SRV asked', async () => {
    const hosts: DnsLookup = { ...failing(['NAPTR', 'SRV', 'A'], records), fromHostsFile: (name) => (name === 'proxy.lab' ? ['10.0.0.5', '10.0.0.6'] : null) };
    const resolver = new SipResolver({ dns: hosts });
    expect(await resolver.resolveUri(sip('sip:proxy.lab'))).toEqual([
      { transport: 'udp', address: '10.0.0.5', port: 5060 },
      { transport: 'udp', address: '10.0.0.6', port: 5060 },
    ]);
    expect(resolver.resolveWithoutDns(sip('sips:proxy.lab:5071'))).toEqual([
      { transport: 'tls', address: '10.0.0.5', port: 5071, serverName: 'proxy.lab' },
      { transport: 'tls', address: '10.0.0.6', port: 5071, serverName: 'proxy.lab' },
    ]);
    await expect(resolver.resolveUri(sip('sip:other.lab'))).rejects.toBeInstanceOf(DnsError);
  });
});

describe('RFC 3263 §4.3 targets that failed are avoided for a while', () => {
  it('moves a failed target to the end until its time is up', async () => {
    let now = 1_000;
    const dns = zone({ srv: { '_sip._udp.peer.test': [srv('a', 5060, 10), srv('b', 5060, 20)] }, a: { a: ['127.0.0.2'], b: ['127.0.0.3'] } });
    const resolver = new SipResolver({ dns, failedTargetMs: 60_000, clock: { now: () => now } });
    const uri = sip('sip:peer.test');
    resolver.failed({ transport: 'udp', address: '127.0.0.2', port: 5060 });
    expect((await resolver.resolveUri(uri)).map((d) => d.address)).toEqual(['127.0.0.3', '127.0.0.2']);
    now += 60_000;
    expect((await resolver.resolveUri(uri)).map((d) => d.address)).toEqual(['127.0.0.2', '127.0.0.3']);
  });
});
