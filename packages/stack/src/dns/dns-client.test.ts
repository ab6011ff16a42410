import { createSocket, type Socket } from 'node:dgram';
import { FakeClock, freePort, type NamedServer, startNamed } from '@herald/test-kit';
import { DnsClient, type DnsClientOptions, type DnsQueryOutcome } from './dns-client.js';
import { DnsError } from './dns-lookup.js';
import { type DecodedMessage, decodeDnsMessage, type DnsRecord, encodeDnsMessage, RCODE } from './dns-wire.js';

const manyAddresses = Array.from({ length: 40 }, (_, i) => `127.0.1.${i + 1}`);

const exampleZone = {
  origin: 'example.test',
  negativeTtl: 30,
  records: [
    'sip1 IN A 127.0.0.2',
    'sip1 IN AAAA 2001:db8::2',
    'sip2 IN A 127.0.0.3',
    '_sip._udp 60 IN SRV 10 60 5060 sip1',
    '_sip._udp 60 IN SRV 20 40 5070 SIP2',
    '@ 60 IN NAPTR 10 50 "s" "SIP+D2U" "" _sip._udp',
    '@ 60 IN NAPTR 20 50 "s" "SIPS+D2T" "" _sips._tcp.Example.test.',
    'alias 300 IN CNAME sip1',
    'chain1 IN CNAME chain2',
    'chain2 IN CNAME sip2',
    'outside IN CNAME host.other.test.',
    ...manyAddresses.map((a) => `many IN A ${a}`),
  ],
};

let named: NamedServer;
let other: NamedServer;
beforeAll(async () => {
  [named, other] = await Promise.all([startNamed([exampleZone]), startNamed([{ origin: 'other.test', records: ['host IN A 127.0.0.9'] }])]);
});
afterAll(async () => {
  await Promise.all([named?.stop(), other?.stop()]);
});

/** A client on the test's named that records what it asked the network. */
function client(options: DnsClientOptions = {}) {
  const queries: [string, DnsQueryOutcome][] = [];
  const dns = new DnsClient({ servers: [named.server], onQuery: (type, outcome) => queries.push([type, outcome]), ...options });
  return { dns, queries };
}

/** Resolves once `done` holds, checked as the event loop turns. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setImmediate(r));
}

async function rejection(p: Promise<unknown>): Promise<DnsError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DnsError) return e;
    throw e;
  }
  throw new Error('expected a DnsError');
}

describe('DnsClient: records by type from a real named', () => {
  it('answers A then AAAA, IPv4 first (RFC 3263 §4.2)', async () => {
    expect(await client().dns.addresses('sip1.example.test')).toEqual(['127.0.0.2', '2001:db8::2']);
    expect(await client().dns.addresses('SIP2.example.test.')).toEqual(['127.0.0.3']);
  });

  it('answers a name of the hosts file from it, without asking', async () => {
    const { dns, queries } = client({ hosts: new Map([['proxy.lab', ['10.0.0.5']]]) });
    expect(await dns.addresses('Proxy.Lab.')).toEqual(['10.0.0.5']);
    expect(dns.fromHostsFile('sip1.example.test')).toBeNull();
    expect(queries).toEqual([]);
    expect(await dns.addresses('sip1.example.test')).toEqual(['127.0.0.2', '2001:db8::2']);
  });

  it('asks the system look-up for a name DNS gives no address for (a search-list name)', async () => {
    const asked: string[] = [];
    const { dns } = client({ systemLookup: (name) => (asked.push(name), Promise.resolve(name === 'sbc' ? ['10.1.1.1'] : [])) });
    expect(await dns.addresses('sbc')).toEqual(['10.1.1.1']);
    expect(await dns.addresses('sip1.example.test')).toEqual(['127.0.0.2', '2001:db8::2']);
    expect(await dns.addresses('nothing.example.test')).toEqual([]);
    expect(asked).toEqual(['sbc', 'nothing.example.test']);
  });

  it('answers an IP literal and localhost without asking', async () => {
    const { dns, queries } = client();
    expect(await dns.addresses('192.0.2.7')).toEqual(['192.0.2.7']);
    expect(await dns.addresses('[2001:db8::7]')).toEqual(['2001:db8::7']);
    expect(await dns.addresses('localhost')).toEqual(['127.0.0.1']);
    expect(queries).toEqual([]);
  });

  it('answers SRV records as served, targets in lower case (RFC 2782)', async () => {
    const records = await client().dns.srv('_sip._udp.example.test');
    expect(records.sort((a, b) => a.priority - b.priority)).toEqual([
      { priority: 10, weight: 60, port: 5060, target: 'sip1.example.test' },
      { priority: 20, weight: 40, port: 5070, target: 'sip2.example.test' },
    ]);
  });

  it('answers NAPTR records, flags in upper case, replacement in lower case (RFC 3403 §4.1)', async () => {
    const records = await client().dns.naptr('example.test');
    expect(records.sort((a, b) => a.order - b.order)).toEqual([
      { order: 10, preference: 50, flags: 'S', service: 'SIP+D2U', regexp: '', replacement: '_sip._udp.example.test' },
      { order: 20, preference: 50, flags: 'S', service: 'SIPS+D2T', regexp: '', replacement: '_sips._tcp.example.test' },
    ]);
  });

  it('answers [] for NXDOMAIN and for NODATA (RFC 2308 §2.1, §2.2)', async () => {
    const { dns, queries } = client();
    expect(await dns.addresses('nowhere.example.test')).toEqual([]);
    expect(await dns.srv('sip1.example.test')).toEqual([]);
    // A and AAAA are asked together, so either may end first.
    expect(queries.sort()).toEqual([
      ['A', 'nxdomain'],
      ['AAAA', 'nxdomain'],
      ['SRV', 'nodata'],
    ]);
  });

  it('follows CNAMEs within the answer (RFC 1034 §3.6.2)', async () => {
    const { dns, queries } = client();
    expect(await dns.addresses('alias.example.test')).toEqual(['127.0.0.2', '2001:db8::2']);
    expect(await dns.addresses('chain1.example.test')).toEqual(['127.0.0.3']);
    expect(queries.sort()).toEqual([
      ['A', 'answer'],
      ['A', 'answer'],
      ['AAAA', 'answer'],
      ['AAAA', 'nodata'],
    ]);
  });

  it('asks again when the CNAME chain leaves the answer, on the server that knows the target', async () => {
    const { dns } = client({ servers: [named.server, other.server] });
    expect(await dns.addresses('outside.example.test')).toEqual(['127.0.0.9']);
  });

  it('asks again over TCP when the UDP answer is truncated (RFC 1035 §4.2.1), and gets the whole RRset', async () => {
    const udpOnly = await named.dig('many.example.test', 'A');
    expect(udpOnly).toHaveLength(40);
    const addresses = await client({ udpPayloadSize: 0 }).dns.addresses('many.example.test');
    expect(addresses.sort()).toEqual([...manyAddresses].sort());
  });
});

describe('DnsClient: servers that fail', () => {
  it('passes over a dead first server to the second (RFC 1035 §7.2)', async () => {
    const dead = `127.0.0.2:${await freePort()}`;
    const { dns, queries } = client({ servers: [dead, named.server], attempts: 1 });
    expect(await dns.srv('_sip._udp.example.test')).toHaveLength(2);
    expect(queries).toEqual([['SRV', 'answer']]);
  });

  it('rejects with SIP_ERR_DNS_TIMEOUT when no server answers in time', async () => {
    const silent = await fakeServer(() => []);
    try {
      const { dns, queries } = client({ servers: [silent.server], timeoutMs: 150, attempts: 2 });
      const error = await rejection(dns.srv('_sip._udp.example.test'));
      expect(error.code).toBe('SIP_ERR_DNS_TIMEOUT');
      expect(silent.received).toBe(2);
      expect(queries).toEqual([['SRV', 'timeout']]);
    } finally {
      silent.socket.close();
    }
  });

  it('fails a question no server answered again at once for a few seconds, then asks again (RFC 2308 §7.1)', async () => {
    const silent = await fakeServer(() => []);
    try {
      const clock = new FakeClock();
      const { dns, queries } = client({ servers: [silent.server], timeoutMs: 150, attempts: 1, clock });
      const pending = rejection(dns.srv('_sip._udp.example.test'));
      await until(() => silent.received === 1);
      clock.advance(150);
      expect((await pending).code).toBe('SIP_ERR_DNS_TIMEOUT');
      expect((await rejection(dns.srv('_sip._udp.example.test'))).code).toBe('SIP_ERR_DNS_TIMEOUT');
      expect(silent.received).toBe(1);
      clock.advance(5_000);
      const again = rejection(dns.srv('_sip._udp.example.test'));
      await until(() => silent.received === 2);
      clock.advance(150);
      await again;
      expect(silent.received).toBe(2);
      expect(queries).toEqual([
        ['SRV', 'timeout'],
        ['SRV', 'timeout'],
      ]);
    } finally {
      silent.socket.close();
    }
  });

  it('rejects with SIP_ERR_DNS_REFUSED for a zone no server serves', async () => {
    const error = await rejection(client({ attempts: 1 }).dns.srv('_sip._udp.elsewhere.test'));
    expect(error.code).toBe('SIP_ERR_DNS_REFUSED');
  });

  it('ignores answers with another ID or question, and takes the one that matches (RFC 5452 §9.1)', async () => {
    // Before each true answer, one with another ID and one for another name.
    const forger = await fakeServer((q) => [reply(q, { id: q.id ^ 1, address: '203.0.113.66' }), reply(q, { name: 'other.test', address: '203.0.113.66' }), reply(q, { address: '192.0.2.1' })]);
    try {
      const addresses = await client({ servers: [forger.server], timeoutMs: 5000 }).dns.addresses('victim.test');
      expect(addresses).toEqual(['192.0.2.1']);
      expect(forger.received).toBe(2);
    } finally {
      forger.socket.close();
    }
  });

  it('passes over a server answering SERVFAIL, and reports SIP_ERR_DNS_SERVFAIL when all do', async () => {
    const failing = await fakeServer((q) => [reply(q, { rcode: RCODE.SERVFAIL })]);
    try {
      expect(await client({ servers: [failing.server, named.server], attempts: 1 }).dns.srv('_sip._udp.example.test')).toHaveLength(2);
      const { dns, queries } = client({ servers: [failing.server], attempts: 2 });
      expect((await rejection(dns.srv('_sip._udp.example.test'))).code).toBe('SIP_ERR_DNS_SERVFAIL');
      expect(queries).toEqual([['SRV', 'servfail']]);
      expect(failing.received).toBe(3);
    } finally {
      failing.socket.close();
    }
  });

  it('asks again without EDNS a server that answers FORMERR to the OPT record (RFC 6891 §7)', async () => {
    const old = await fakeServer((q) => [q.edns ? reply(q, { rcode: RCODE.FORMERR }) : reply(q, { address: '192.0.2.5' })]);
    try {
      expect(await client({ servers: [old.server] }).dns.query('old.test', 'A')).toMatchObject([{ address: '192.0.2.5' }]);
      expect(old.received).toBe(2);
    } finally {
      old.socket.close();
    }
  });

  it('asks a server at an IPv6 address written [address]:port', async () => {
    const v6 = await fakeServer((q) => [reply(q, { address: '192.0.2.6' })], '::1');
    try {
      expect(v6.server).toMatch(/^\[::1\]:\d+$/);
      expect(await client({ servers: [v6.server] }).dns.query('six.test', 'A')).toMatchObject([{ address: '192.0.2.6' }]);
    } finally {
      v6.socket.close();
    }
  });
});

describe('DnsClient: caching', () => {
  it('keeps an answer for its TTL, then asks again (RFC 1035 §3.2.1)', async () => {
    const clock = new FakeClock();
    await named.setZone({ ...exampleZone, records: ['short 20 IN SRV 1 1 5060 a', 'long 86400 IN SRV 1 1 5060 a'] });
    const { dns, queries } = client({ clock });
    const hits: string[] = [];
    const cached = new DnsClient({ servers: [named.server], clock, onCacheHit: (type) => hits.push(type) });
    expect(await dns.srv('short.example.test')).toEqual([{ priority: 1, weight: 1, port: 5060, target: 'a.example.test' }]);
    await named.setZone({ ...exampleZone, records: ['short 20 IN SRV 2 2 5060 b'] });
    clock.advance(19_999);
    expect(await dns.srv('short.example.test')).toEqual([{ priority: 1, weight: 1, port: 5060, target: 'a.example.test' }]);
    clock.advance(1);
    expect(await dns.srv('short.example.test')).toEqual([{ priority: 2, weight: 2, port: 5060, target: 'b.example.test' }]);
    expect(queries).toHaveLength(2);
    await cached.srv('short.example.test');
    await cached.srv('SHORT.example.test.');
    expect(hits).toEqual(['SRV']);
  });

  it('caps a long TTL at cacheMaxTtl', async () => {
    const clock = new FakeClock();
    await named.setZone({ ...exampleZone, records: ['long 86400 IN A 127.0.0.5'] });
    const { dns } = client({ clock, cacheMaxTtl: 10 });
    expect(await dns.addresses('long.example.test')).toEqual(['127.0.0.5']);
    await named.setZone({ ...exampleZone, records: ['long 86400 IN A 127.0.0.6'] });
    clock.advance(9_000);
    expect(await dns.addresses('long.example.test')).toEqual(['127.0.0.5']);
    clock.advance(1_000);
    expect(await dns.addresses('long.example.test')).toEqual(['127.0.0.6']);
  });

  it('keeps NXDOMAIN for the SOA MINIMUM (less than its TTL), capped by negativeTtlMax (RFC 2308 §5)', async () => {
    const clock = new FakeClock();
    await named.setZone({ ...exampleZone, records: [] });
    const plain = client({ clock });
    const capped = client({ clock, negativeTtlMax: 10 });
    expect(await plain.dns.srv('later.example.test')).toEqual([]);
    expect(await capped.dns.srv('later.example.test')).toEqual([]);
    await named.setZone({ ...exampleZone, records: ['later IN SRV 1 1 5060 a'] });
    clock.advance(10_000);
    expect(await capped.dns.srv('later.example.test')).toHaveLength(1);
    expect(await plain.dns.srv('later.example.test')).toEqual([]);
    clock.advance(20_000);
    expect(await plain.dns.srv('later.example.test')).toHaveLength(1);
  });

  it('holds at most cacheSize questions, dropping the least recently used', async () => {
    await named.setZone(exampleZone);
    const { dns, queries } = client({ clock: new FakeClock(), cacheSize: 2 });
    await dns.srv('_sip._udp.example.test');
    await dns.naptr('example.test');
    await dns.srv('_sip._udp.example.test'); // now the most recent
    await dns.query('sip1.example.test', 'A'); // drops the NAPTR question
    expect(dns.cacheEntries).toBe(2);
    await dns.srv('_sip._udp.example.test');
    expect(queries.map(([type]) => type)).toEqual(['SRV', 'NAPTR', 'A']);
    await dns.naptr('example.test');
    expect(queries.map(([type]) => type)).toEqual(['SRV', 'NAPTR', 'A', 'NAPTR']);
  });

  it('shares one query among identical questions asked together', async () => {
    await named.setZone(exampleZone);
    const { dns, queries } = client();
    const answers = await Promise.all(Array.from({ length: 5 }, () => dns.srv('_sip._udp.example.test')));
    expect(answers.every((a) => a.length === 2)).toBe(true);
    expect(queries).toEqual([['SRV', 'answer']]);
  });
});

/**
 * A DNS peer on a UDP port of `host` that answers each query with what `respond` returns
 * (nothing, forged answers, errors), counting the queries it got.
 */
async function fakeServer(respond: (query: DecodedMessage) => Buffer[], host = '127.0.0.1'): Promise<{ socket: Socket; server: string; received: number }> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  const peer = { socket, server: '', received: 0 };
  socket.on('message', (msg, from) => {
    peer.received++;
    for (const b of respond(decodeDnsMessage(msg))) socket.send(b, from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, host, resolve));
  peer.server = host.includes(':') ? `[${host}]:${socket.address().port}` : `${host}:${socket.address().port}`;
  return peer;
}

/** A response to `q` with `rcode` and, for an A question, the address given. */
function reply(q: DecodedMessage, { id = q.id, name = q.questions[0].name, address = '', rcode = 0 } = {}): Buffer {
  const question = q.questions[0];
  const answers: DnsRecord[] = question.type === 'A' && address !== '' ? [{ name, class: 1, ttl: 60, type: 'A', address }] : [];
  return encodeDnsMessage({ id, flags: { qr: true, aa: true }, rcode, questions: [{ ...question, name }], answers });
}
