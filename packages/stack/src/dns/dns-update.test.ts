import { type NamedServer, makeTsigKey, startNamed } from '@herald/test-kit';
import { parseDnsServer } from './dns-exchange.js';
import { type DnsUpdate, buildUpdateMessage, describeRcode, rcodeName, sendUpdate } from './dns-update.js';
import { RR_CLASS, RR_TYPE, decodeDnsMessage, decodeHeader, encodeDnsMessage } from './dns-wire.js';

const ZONE = 'example.test';

/** The message as the wire carries it, read back: type and class as numbers, rdata length. */
function onWire(update: DnsUpdate) {
  const bytes = encodeDnsMessage(buildUpdateMessage(0x1234, update));
  const m = decodeDnsMessage(bytes);
  const plain = (records: typeof m.answers) =>
    records.map((r) => ({ name: r.name, type: typeof r.type === 'number' ? r.type : RR_TYPE[r.type], class: r.class, ttl: r.ttl, empty: 'rdata' in r && r.rdata.length === 0 }));
  return { header: decodeHeader(bytes), zone: m.questions, prerequisites: plain(m.answers), updates: plain(m.authorities), decoded: m };
}

describe('RFC 2136 §2.3 zone section and header', () => {
  it('is an UPDATE with one SOA question for the zone and the four section counts', () => {
    const wire = onWire({ zone: ZONE, prerequisites: [{ kind: 'name-in-use', name: 'sip1.example.test' }], updates: [{ kind: 'delete-name', name: 'old.example.test' }] });
    expect(wire.header).toMatchObject({ id: 0x1234, opcode: 5, rcode: 0, counts: [1, 1, 1, 0] });
    expect(wire.header.flags.qr).toBeUndefined();
    expect(wire.zone).toEqual([{ name: ZONE, type: 'SOA', class: RR_CLASS.IN }]);
  });
});

describe('RFC 2136 §2.4 prerequisite section (the table of §2.4.5)', () => {
  it('encodes each prerequisite with its class, type, TTL 0 and rdata', () => {
    const wire = onWire({
      zone: ZONE,
      prerequisites: [
        { kind: 'rrset-exists', name: 'sip1.example.test', type: 'A' },
        { kind: 'rrset-equals', name: 'sip1.example.test', type: 'A', records: [{ type: 'A', address: '192.0.2.1' }, { type: 'A', address: '192.0.2.2' }] },
        { kind: 'rrset-absent', name: 'sip1.example.test', type: 'AAAA' },
        { kind: 'name-in-use', name: 'a.example.test' },
        { kind: 'name-not-in-use', name: 'b.example.test' },
      ],
      updates: [],
    });
    const ANY = RR_CLASS.ANY;
    const NONE = RR_CLASS.NONE;
    expect(wire.prerequisites).toEqual([
      // §2.4.1 RRset exists (value independent): ANY, rrset type, empty
      { name: 'sip1.example.test', type: RR_TYPE.A, class: ANY, ttl: 0, empty: true },
      // §2.4.2 RRset exists (value dependent): zone class, rrset type, the rdata of every RR
      { name: 'sip1.example.test', type: RR_TYPE.A, class: RR_CLASS.IN, ttl: 0, empty: false },
      { name: 'sip1.example.test', type: RR_TYPE.A, class: RR_CLASS.IN, ttl: 0, empty: false },
      // §2.4.3 RRset does not exist: NONE, rrset type, empty
      { name: 'sip1.example.test', type: RR_TYPE.AAAA, class: NONE, ttl: 0, empty: true },
      // §2.4.4 name is in use: ANY, ANY, empty
      { name: 'a.example.test', type: RR_TYPE.ANY, class: ANY, ttl: 0, empty: true },
      // §2.4.5 name is not in use: NONE, ANY, empty
      { name: 'b.example.test', type: RR_TYPE.ANY, class: NONE, ttl: 0, empty: true },
    ]);
    expect(wire.decoded.answers.slice(1, 3).map((r) => 'address' in r && r.address)).toEqual(['192.0.2.1', '192.0.2.2']);
  });
});

describe('RFC 2136 §2.5 update section (the table of §2.5.4)', () => {
  it('encodes each operation with its class, type, TTL and rdata', () => {
    const srv = { type: 'SRV' as const, priority: 10, weight: 20, port: 5060, target: 'sip1.example.test' };
    const wire = onWire({
      zone: ZONE,
      updates: [
        { kind: 'add', record: { name: '_sip._udp.example.test', ttl: 300, ...srv } },
        { kind: 'delete-rrset', name: 'sip1.example.test', type: 'A' },
        { kind: 'delete-name', name: 'old.example.test' },
        { kind: 'delete-rr', record: { name: '_sip._udp.example.test', ...srv } },
      ],
    });
    expect(wire.updates).toEqual([
      // §2.5.1 add to an RRset: zone class, its TTL and rdata
      { name: '_sip._udp.example.test', type: RR_TYPE.SRV, class: RR_CLASS.IN, ttl: 300, empty: false },
      // §2.5.2 delete an RRset: ANY, rrset type, TTL 0, empty
      { name: 'sip1.example.test', type: RR_TYPE.A, class: RR_CLASS.ANY, ttl: 0, empty: true },
      // §2.5.3 delete all RRsets from a name: ANY, ANY, TTL 0, empty
      { name: 'old.example.test', type: RR_TYPE.ANY, class: RR_CLASS.ANY, ttl: 0, empty: true },
      // §2.5.4 delete an RR from an RRset: NONE, its type, TTL 0, its rdata
      { name: '_sip._udp.example.test', type: RR_TYPE.SRV, class: RR_CLASS.NONE, ttl: 0, empty: false },
    ]);
    expect(wire.decoded.authorities[3]).toMatchObject(srv);
  });
});

describe('RFC 2136 §2.2 response codes', () => {
  it('names the RCODEs of an UPDATE response and says what they mean', () => {
    expect([0, 5, 7, 8, 9, 10].map(rcodeName)).toEqual(['NOERROR', 'REFUSED', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE']);
    expect(rcodeName(12)).toBeUndefined();
    expect(describeRcode('NOTAUTH')).toMatch(/TSIG key/);
  });
});

describe('RFC 2136 §3 UPDATE against BIND named', () => {
  const key = makeTsigKey('herald-update-test');
  const zone = 'upd.test';
  let named: NamedServer;
  beforeAll(async () => {
    named = await startNamed([{ origin: zone, records: ['_sip._udp 60 IN SRV 10 10 5060 other.upd.test.', 'other 60 IN A 192.0.2.99'], updateKey: key }]);
  });
  afterAll(() => named?.stop());
  const send = (update: Omit<DnsUpdate, 'zone'>, signWith = key) => sendUpdate({ zone, ...update }, { server: parseDnsServer(named.server), key: signWith });
  const a = (address: string) => ({ type: 'A' as const, address });
  const srv = { type: 'SRV' as const, priority: 10, weight: 20, port: 5070, target: 'sip1.upd.test' };

  it('applies an add guarded by "RRset does not exist", then refuses the same guard with YXRRSET (§2.4.3, §3.2.5)', async () => {
    const claim = { prerequisites: [{ kind: 'rrset-absent' as const, name: 'sip1.upd.test', type: 'A' as const }], updates: [{ kind: 'add' as const, record: { name: 'sip1.upd.test', ttl: 60, ...a('192.0.2.1') } }] };
    expect(await send(claim)).toEqual({ rcode: 'NOERROR', tsig: { ok: true } });
    expect(await named.dig('sip1.upd.test', 'A')).toEqual(['192.0.2.1']);
    expect(await send(claim)).toEqual({ rcode: 'YXRRSET', tsig: { ok: true } });
  });

  it('replaces an RRset only while it holds exactly the expected records, else NXRRSET (§2.4.2)', async () => {
    const replace = (from: string, to: string) => ({
      prerequisites: [{ kind: 'rrset-equals' as const, name: 'sip2.upd.test', type: 'A' as const, records: [a(from)] }],
      updates: [{ kind: 'delete-rrset' as const, name: 'sip2.upd.test', type: 'A' as const }, { kind: 'add' as const, record: { name: 'sip2.upd.test', ttl: 60, ...a(to) } }],
    });
    await send({ updates: [{ kind: 'add', record: { name: 'sip2.upd.test', ttl: 60, ...a('192.0.2.2') } }] });
    expect((await send(replace('192.0.2.2', '192.0.2.3'))).rcode).toBe('NOERROR');
    expect(await named.dig('sip2.upd.test', 'A')).toEqual(['192.0.2.3']);
    expect((await send(replace('192.0.2.2', '192.0.2.4'))).rcode).toBe('NXRRSET');
    expect(await named.dig('sip2.upd.test', 'A')).toEqual(['192.0.2.3']);
  });

  it('adds and deletes one SRV RR (class NONE), leaving the other RRs of the RRset (§2.5.1, §2.5.4)', async () => {
    const name = '_sip._udp.upd.test';
    expect((await send({ prerequisites: [{ kind: 'rrset-exists', name, type: 'SRV' }, { kind: 'name-in-use', name }], updates: [{ kind: 'add', record: { name, ttl: 60, ...srv } }] })).rcode).toBe('NOERROR');
    expect((await named.dig(name, 'SRV')).sort()).toEqual(['10 10 5060 other.upd.test.', '10 20 5070 sip1.upd.test.']);
    expect((await send({ updates: [{ kind: 'delete-rr', record: { name, ...srv } }] })).rcode).toBe('NOERROR');
    expect(await named.dig(name, 'SRV')).toEqual(['10 10 5060 other.upd.test.']);
  });

  it('checks names in use and not in use, and deletes every RRset of a name (§2.4.4, §2.4.5, §2.5.3)', async () => {
    expect((await send({ prerequisites: [{ kind: 'name-in-use', name: 'nobody.upd.test' }], updates: [] })).rcode).toBe('NXDOMAIN');
    expect((await send({ prerequisites: [{ kind: 'name-not-in-use', name: 'other.upd.test' }], updates: [] })).rcode).toBe('YXDOMAIN');
    expect((await send({ prerequisites: [{ kind: 'rrset-exists', name: 'other.upd.test', type: 'AAAA' }], updates: [] })).rcode).toBe('NXRRSET');
    expect((await send({ updates: [{ kind: 'delete-name', name: 'other.upd.test' }] })).rcode).toBe('NOERROR');
    expect(await named.dig('other.upd.test', 'A')).toEqual([]);
  });

  it('reports NOTAUTH with the TSIG error of the server for a wrong secret, and changes nothing', async () => {
    const wrong = { ...key, secret: makeTsigKey().secret };
    const result = await send({ updates: [{ kind: 'add', record: { name: 'sip3.upd.test', ttl: 60, ...a('192.0.2.5') } }] }, wrong);
    expect(result).toMatchObject({ rcode: 'NOTAUTH', tsig: { ok: false, error: 'BADSIG' } });
    expect(await named.dig('sip3.upd.test', 'A')).toEqual([]);
  });
});
