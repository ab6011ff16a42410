import { type SipRequest, parseMessage } from '@herald/sip';
import { stampVia } from './stamp-via.js';

function request(via: string[], extra: string[] = []): SipRequest {
  const text = [
    'OPTIONS sip:herald.test SIP/2.0',
    ...via,
    'Max-Forwards: 70',
    'From:   <sip:alice@herald.test>;tag=1',
    'To: <sip:bob@herald.test>',
    'Call-ID: abc',
    'CSeq: 1 OPTIONS',
    ...extra,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return parseMessage(Buffer.from(text), { datagram: true }) as SipRequest;
}

const source = { address: '192.0.2.1', port: 9988 };

describe('RFC 3261 §18.2.1 received', () => {
  it('adds received when the sent-by host is not the source address', () => {
    const req = request(['Via: SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK1']);
    stampVia(req, source);
    expect(req.header('via')).toBe('SIP/2.0/UDP pc33.example.com:5060;branch=z9hG4bK1;received=192.0.2.1');
    expect(req.topVia.params.get('received')).toBe('192.0.2.1');
  });

  it('leaves the Via alone when the sent-by host is the source address', () => {
    const req = request(['Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1']);
    stampVia(req, source);
    expect(req.headers[0].raw).toBe('Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1');
  });

  it('compares IPv6 addresses in canonical form and writes received without brackets', () => {
    const same = request(['Via: SIP/2.0/UDP [2001:DB8:0:0::1]:5060;branch=z9hG4bK1']);
    stampVia(same, { address: '2001:db8::1', port: 5060 });
    expect(same.topVia.params.has('received')).toBe(false);
    const other = request(['Via: SIP/2.0/UDP [2001:db8::1];branch=z9hG4bK1']);
    stampVia(other, { address: '2001:db8::9', port: 5060 });
    expect(other.topVia.params.get('received')).toBe('2001:db8::9');
  });

  it('treats an IPv4-mapped source address as IPv4', () => {
    const req = request(['Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1']);
    stampVia(req, { address: '::ffff:192.0.2.1', port: 5060 });
    expect(req.topVia.params.has('received')).toBe(false);
  });
});

describe('RFC 3581 §4 rport', () => {
  it('fills in an empty rport and adds received even when the address is the same', () => {
    const req = request(['Via: SIP/2.0/UDP 192.0.2.1:4540;rport;branch=z9hG4bK1']);
    stampVia(req, source);
    expect(req.header('via')).toBe('SIP/2.0/UDP 192.0.2.1:4540;rport=9988;branch=z9hG4bK1;received=192.0.2.1');
  });

  it('replaces an rport value the client wrote with the real source port, and adds received', () => {
    const req = request(['Via: SIP/2.0/UDP 192.0.2.1:4540;rport=1234;branch=z9hG4bK1']);
    stampVia(req, source);
    expect(req.topVia.params.get('rport')).toBe('9988');
    expect(req.topVia.params.get('received')).toBe('192.0.2.1');
  });
});

describe('never where the sender says (DESIGN.md: responses go to the real source)', () => {
  it('replaces a received the client wrote itself, even when the sent-by host is the source', () => {
    const req = request(['Via: SIP/2.0/UDP 192.0.2.1:5060;received=203.0.113.66;branch=z9hG4bK1']);
    stampVia(req, source);
    expect(req.topVia.params.get('received')).toBe('192.0.2.1');
  });

  it('replaces a received the client wrote alongside a sent-by of another host', () => {
    const req = request(['Via: SIP/2.0/UDP pc33.example.com;received=203.0.113.66;branch=z9hG4bK1']);
    stampVia(req, source);
    expect(req.topVia.params.get('received')).toBe('192.0.2.1');
  });
});

describe('stampVia rewrites only the top Via value', () => {
  it('keeps the other values of a comma-combined line and every other line', () => {
    const req = request(
      ['v: SIP/2.0/UDP a.example.com;rport;branch=z9hG4bK1 , SIP/2.0/TCP b.example.com;branch=z9hG4bK2', 'Via: SIP/2.0/UDP c.example.com;branch=z9hG4bK3'],
      ['X-Odd:   spacing kept'],
    );
    const before = req.headers.map((h) => h.raw);
    stampVia(req, source);
    expect(req.headers[0].name).toBe('v');
    expect(req.headers[0].value).toBe('SIP/2.0/UDP a.example.com;rport=9988;branch=z9hG4bK1;received=192.0.2.1, SIP/2.0/TCP b.example.com;branch=z9hG4bK2');
    expect(req.headers.map((h) => h.raw)).toEqual([undefined, ...before.slice(1)]);
    expect(req.via.map((v) => v.host)).toEqual(['a.example.com', 'b.example.com', 'c.example.com']);
    expect(req.toString()).toContain('\r\nFrom:   <sip:alice@herald.test>;tag=1\r\n');
  });

  it('sees a Via parsed before the rewrite afresh after it', () => {
    const req = request(['Via: SIP/2.0/UDP a.example.com;branch=z9hG4bK1']);
    expect(req.topVia.params.has('received')).toBe(false);
    stampVia(req, source);
    expect(req.topVia.params.get('received')).toBe('192.0.2.1');
  });
});
