import { DnsError } from './dns-lookup.js';
import { DnsReader } from './dns-reader.js';
import { type DnsMessageInput, type DnsRecord, decodeHeader, decodeDnsMessage, encodeDnsMessage, encodeName, encodeRecord, OPCODE, RCODE, RR_CLASS, RR_TYPE } from './dns-wire.js';

function malformedError(fn: () => unknown): DnsError {
  try {
    fn();
  } catch (e) {
    if (e instanceof DnsError) return e;
    throw e;
  }
  throw new Error('expected a DnsError');
}

const records: DnsRecord[] = [
  { name: 'Sip.Example.test', class: RR_CLASS.IN, ttl: 60, type: 'A', address: '192.0.2.10' },
  { name: 'sip.example.test', class: RR_CLASS.IN, ttl: 60, type: 'AAAA', address: '2001:db8::10' },
  { name: 'sip.example.test', class: RR_CLASS.IN, ttl: 60, type: 'AAAA', address: '2001:db8:0:1::1' },
  { name: 'www.example.test', class: RR_CLASS.IN, ttl: 300, type: 'CNAME', target: 'sip.example.test' },
  { name: '_sip._udp.example.test', class: RR_CLASS.IN, ttl: 60, type: 'SRV', priority: 10, weight: 60, port: 5060, target: 'sip1.example.test' },
  {
    name: 'example.test',
    class: RR_CLASS.IN,
    ttl: 60,
    type: 'NAPTR',
    order: 100,
    preference: 10,
    flags: 'S',
    service: 'SIP+D2U',
    regexp: '',
    replacement: '_sip._udp.example.test',
  },
  {
    name: '4.3.2.1.5.5.5.0.0.8.1.e164.arpa',
    class: RR_CLASS.IN,
    ttl: 60,
    type: 'NAPTR',
    order: 10,
    preference: 100,
    flags: 'U',
    service: 'E2U+sip',
    regexp: '!^.*$!sip:info@example.test!',
    replacement: '',
  },
  {
    name: 'example.test',
    class: RR_CLASS.IN,
    ttl: 60,
    type: 'SOA',
    mname: 'ns.example.test',
    rname: 'hostmaster.example.test',
    serial: 2026120701,
    refresh: 3600,
    retry: 600,
    expire: 86400,
    minimum: 30,
  },
  { name: 'example.test', class: RR_CLASS.IN, ttl: 60, type: 'TXT', strings: ['v=1', 'hello world', ''] },
  { name: 'example.test', class: RR_CLASS.IN, ttl: 60, type: 99, rdata: Buffer.from([1, 2, 3]) },
];

describe('RFC 1035 §4.1 message format', () => {
  it('round-trips a response with every typed record in every section', () => {
    const m: DnsMessageInput = {
      id: 0xbeef,
      opcode: OPCODE.QUERY,
      flags: { qr: true, aa: true, rd: true },
      rcode: RCODE.NOERROR,
      questions: [{ name: 'Sip.Example.test', type: 'A', class: RR_CLASS.IN }],
      answers: records,
      authorities: records.slice(0, 2),
      additionals: records.slice(3),
    };
    const decoded = decodeDnsMessage(encodeDnsMessage(m));
    expect(decoded).toEqual({ ...m, additionals: records.slice(3) });
    expect(decoded.answers[0].name).toBe('Sip.Example.test');
  });

  it('writes IPv6 addresses in any RFC 4291 §2.2 form and reads them back in RFC 5952 form', () => {
    const aaaa = (address: string) => decodeDnsMessage(encodeDnsMessage({ id: 1, answers: [{ name: 'h', class: 1, ttl: 1, type: 'AAAA', address }] })).answers[0];
    expect(aaaa('2001:DB8:0:1:0:0:0:1')).toMatchObject({ address: '2001:db8:0:1::1' });
    expect(aaaa('::ffff:192.0.2.1')).toMatchObject({ address: '::ffff:c000:201' });
    expect(aaaa('::')).toMatchObject({ address: '::' });
    expect(aaaa('1:0:0:2:0:0:0:3')).toMatchObject({ address: '1:0:0:2::3' });
    expect(malformedError(() => aaaa('192.0.2.1')).code).toBe('SIP_ERR_DNS_MALFORMED');
  });

  it('writes the header bits where §4.1.1 puts them', () => {
    const b = encodeDnsMessage({ id: 0x1234, opcode: OPCODE.UPDATE, flags: { qr: true, tc: true, rd: true, ra: true }, rcode: RCODE.NOTAUTH });
    expect(b.toString('hex')).toBe('1234' + (0x8000 | (5 << 11) | 0x0200 | 0x0100 | 0x0080 | 9).toString(16) + '0000000000000000');
    expect(decodeHeader(b)).toEqual({ id: 0x1234, opcode: 5, flags: { qr: true, tc: true, rd: true, ra: true }, rcode: 9, counts: [0, 0, 0, 0] });
  });

  it('encodes a query as dig does (no compression, case kept)', () => {
    const q = encodeDnsMessage({ id: 1, flags: { rd: true }, questions: [{ name: 'Example.test.', type: 'SRV' }] });
    expect(q.subarray(12).toString('hex')).toBe('074578616d706c65047465737400' + '0021' + '0001');
  });

  it('carries classes NONE and ANY and empty rdata, as RFC 2136 §2.4 updates need', () => {
    const deletions: DnsRecord[] = [
      { name: 'sip.example.test', class: RR_CLASS.ANY, ttl: 0, type: RR_TYPE.A, rdata: Buffer.alloc(0) },
      { name: 'sip.example.test', class: RR_CLASS.NONE, ttl: 0, type: 'A', address: '192.0.2.1' },
      { name: 'sip.example.test', class: RR_CLASS.ANY, ttl: 0, type: RR_TYPE.ANY, rdata: Buffer.alloc(0) },
    ];
    const m = { id: 7, opcode: OPCODE.UPDATE, flags: {}, rcode: 0, questions: [{ name: 'example.test', type: 'SOA' as const, class: RR_CLASS.IN }], answers: [], authorities: deletions, additionals: [] };
    expect(decodeDnsMessage(encodeDnsMessage(m))).toEqual(m);
    expect(encodeRecord(deletions[0]).subarray(-10).toString('hex')).toBe('0001' + '00ff' + '00000000' + '0000');
  });

  it('puts EDNS0 in an OPT record and reads the extended RCODE back (RFC 6891 §6.1)', () => {
    const b = encodeDnsMessage({ id: 2, questions: [{ name: 'example.test', type: 'A' }], edns: { udpPayloadSize: 1232 }, rcode: RCODE.BADTIME });
    expect(decodeHeader(b).counts).toEqual([1, 0, 0, 1]);
    expect(b.subarray(-11).toString('hex')).toBe('00' + '0029' + '04d0' + '01' + '00' + '0000' + '0000');
    const m = decodeDnsMessage(b);
    expect(m.edns).toEqual({ udpPayloadSize: 1232, version: 0, dnssecOk: false, options: [] });
    expect(m.rcode).toBe(RCODE.BADTIME);
    expect(m.additionals).toEqual([]);
  });

  it('finds a final TSIG record and where it starts', () => {
    const tsig: DnsRecord = {
      name: 'key.example',
      class: RR_CLASS.ANY,
      ttl: 0,
      type: 'TSIG',
      algorithm: 'hmac-sha256',
      timeSigned: 0x1_0000_0001,
      fudge: 300,
      mac: Buffer.alloc(32, 7),
      originalId: 9,
      error: 0,
      otherData: Buffer.alloc(0),
    };
    const body = encodeDnsMessage({ id: 9, questions: [{ name: 'example.test', type: 'A' }] });
    const whole = Buffer.concat([body, encodeRecord(tsig)]);
    whole.writeUInt16BE(1, 10);
    const m = decodeDnsMessage(whole);
    expect(m.additionals).toEqual([tsig]);
    expect(m.tsigOffset).toBe(body.length);
  });
});

describe('RFC 1035 §4.1.4 message compression', () => {
  // The example of §4.1.4: F.ISI.ARPA at 20, FOO.F.ISI.ARPA at 40, ARPA at 64, the root at 92.
  const buf = Buffer.alloc(100);
  Buffer.from([1, 0x46, 3, 0x49, 0x53, 0x49, 4, 0x41, 0x52, 0x50, 0x41, 0]).copy(buf, 20);
  Buffer.from([3, 0x46, 0x4f, 0x4f, 0xc0, 20]).copy(buf, 40);
  Buffer.from([0xc0, 26]).copy(buf, 64);
  buf[92] = 0;

  const at = (offset: number) => {
    const r = new DnsReader(buf);
    r.offset = offset;
    return { name: r.name(), next: r.offset };
  };

  it('decodes the names of the example, and the reader resumes after the pointer', () => {
    expect(at(20)).toEqual({ name: 'F.ISI.ARPA', next: 32 });
    expect(at(40)).toEqual({ name: 'FOO.F.ISI.ARPA', next: 46 });
    expect(at(64)).toEqual({ name: 'ARPA', next: 66 });
    expect(at(92)).toEqual({ name: '.', next: 93 });
  });

  it('decodes a response whose answers point back at the question', () => {
    const q = encodeDnsMessage({ id: 3, flags: { qr: true }, questions: [{ name: 'sip.example.test', type: 'A' }] });
    const answer = Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1]);
    const cname = Buffer.from([3, 0x77, 0x77, 0x77, 0xc0, 16, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12]);
    const m = Buffer.concat([q, answer, cname]);
    m.writeUInt16BE(2, 6);
    expect(decodeDnsMessage(m).answers).toEqual([
      { name: 'sip.example.test', class: 1, ttl: 60, type: 'A', address: '192.0.2.1' },
      { name: 'www.example.test', class: 1, ttl: 60, type: 'CNAME', target: 'sip.example.test' },
    ]);
  });

  it('refuses a pointer loop instead of hanging', () => {
    const loop = Buffer.from([3, 0x61, 0x62, 0x63, 0xc0, 0]);
    const self = Buffer.from([0xc0, 0]);
    for (const b of [loop, self]) {
      const e = malformedError(() => new DnsReader(b).name());
      expect(e.code).toBe('SIP_ERR_DNS_MALFORMED');
    }
  });

  it('refuses a forward pointer and a name over 255 octets', () => {
    expect(malformedError(() => new DnsReader(Buffer.from([0xc0, 2, 0])).name()).message).toMatch(/backwards/);
    const long = Buffer.concat([...Array.from({ length: 5 }, () => Buffer.from([63, ...Buffer.alloc(63, 0x61)])), Buffer.from([0])]);
    expect(malformedError(() => new DnsReader(long).name()).message).toMatch(/255/);
  });
});

describe('malformed input gives SIP_ERR_DNS_MALFORMED, never a crash', () => {
  const good = encodeDnsMessage({ id: 5, flags: { qr: true }, questions: [{ name: 'example.test', type: 'NAPTR' }], answers: records });

  it('at every truncation of a valid message', () => {
    for (let n = 0; n < good.length; n++) {
      expect(malformedError(() => decodeDnsMessage(good.subarray(0, n))).code).toBe('SIP_ERR_DNS_MALFORMED');
    }
  });

  it('when RDLENGTH disagrees with the rdata', () => {
    const a = encodeRecord(records[0]);
    const m = Buffer.concat([encodeDnsMessage({ id: 1 }), a]);
    m.writeUInt16BE(1, 6);
    m.writeUInt16BE(5, m.length - 6);
    expect(malformedError(() => decodeDnsMessage(Buffer.concat([m, Buffer.alloc(1)]))).message).toMatch(/RDLENGTH/);
  });

  it('for every single-octet corruption of a valid message (decodes or throws DnsError)', () => {
    for (let i = 0; i < good.length; i++) {
      for (const v of [0x00, 0x3f, 0xc0, 0xff]) {
        const b = Buffer.from(good);
        b[i] = v;
        try {
          decodeDnsMessage(b);
        } catch (e) {
          expect(e).toBeInstanceOf(DnsError);
        }
      }
    }
  });
});

describe('RFC 1035 §3.1 name encoding', () => {
  it('writes labels with their lengths, the root as one zero octet', () => {
    expect(encodeName('a.Bc').toString('hex')).toBe('0161024263' + '00');
    expect(encodeName('a.bc.')).toEqual(encodeName('a.bc'));
    expect(encodeName('.').toString('hex')).toBe('00');
  });

  it('reads back escaped dots and octets as it writes them', () => {
    const name = 'a\\.b\\000.example';
    const r = new DnsReader(encodeName(name));
    expect(r.name()).toBe(name);
    expect(encodeName(name).toString('hex')).toBe('04612e6200' + '076578616d706c65' + '00');
  });

  it('refuses empty labels, labels over 63 octets and names over 255', () => {
    expect(malformedError(() => encodeName('a..b')).code).toBe('SIP_ERR_DNS_MALFORMED');
    expect(malformedError(() => encodeName('x'.repeat(64) + '.test')).message).toMatch(/63/);
    expect(malformedError(() => encodeName(Array(9).fill('y'.repeat(30)).join('.'))).message).toMatch(/255/);
  });
});
