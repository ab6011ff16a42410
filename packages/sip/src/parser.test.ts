import { parseVia } from './headers.js';
import { SipRequest, SipResponse } from './message.js';
import { SipParseError, headerBlockEnd, parseMessage } from './parser.js';
import { createResponse } from './response.js';

const msg = (...lines: string[]) => Buffer.from(lines.join('\r\n'));

const OPTIONS = [
  'OPTIONS sip:example.com SIP/2.0',
  'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK1',
  'Max-Forwards: 70',
  'From: <sip:a@example.com>;tag=1',
  'To: <sip:example.com>',
  'Call-ID: c1@192.0.2.1',
  'CSeq: 1 OPTIONS',
];

function parseError(buf: Buffer, datagram = true): SipParseError {
  try {
    parseMessage(buf, { datagram });
  } catch (e) {
    if (e instanceof SipParseError) return e;
    throw e;
  }
  throw new Error('expected a parse error');
}

describe('RFC 3261 §7 message parsing', () => {
  it('parses a request start line and splits headers once', () => {
    const m = parseMessage(msg(...OPTIONS, 'Content-Length: 0', '', '')) as SipRequest;
    expect(m).toBeInstanceOf(SipRequest);
    expect(m.method).toBe('OPTIONS');
    expect(m.uriText).toBe('sip:example.com');
    expect(m.headers).toHaveLength(7);
    expect(m.callId).toBe('c1@192.0.2.1');
    expect(m.cseq).toEqual({ seq: 1, method: 'OPTIONS' });
  });

  it('parses a status line with an empty and a UTF-8 reason phrase', () => {
    const head = ['Via: SIP/2.0/UDP h;branch=z9hG4bK1', 'From: <sip:a@b.com>;tag=1', 'To: <sip:a@b.com>', 'Call-ID: x', 'CSeq: 1 INVITE'];
    const r = parseMessage(msg('SIP/2.0 180 ', ...head, '', '')) as SipResponse;
    expect(r.status).toBe(180);
    expect(r.reason).toBe('');
    const r2 = parseMessage(msg('SIP/2.0 200 Où êtes-vous', ...head, '', '')) as SipResponse;
    expect(r2.reason).toBe('Où êtes-vous');
  });

  it('expands compact header names (§7.3.3)', () => {
    const m = parseMessage(msg('OPTIONS sip:example.com SIP/2.0', 'v: SIP/2.0/UDP h;branch=z9hG4bK1', 'f: <sip:a@b.com>;tag=1', 't: <sip:b@b.com>', 'i: abc', 'CSeq: 1 OPTIONS', 'm: <sip:a@h>', 'l: 0', '', ''));
    expect(m.header('Call-ID')).toBe('abc');
    expect(m.from.params.get('tag')).toBe('1');
    expect(m.contact).toHaveLength(1);
  });

  it('keeps each header name as written, whatever its spelling, with its key', () => {
    const m = parseMessage(msg(OPTIONS[0], 'via: SIP/2.0/UDP h;branch=z9hG4bK1', 'FROM : <sip:a@b.com>;tag=1', 'To: <sip:b@b.com>',
      'I: abc', 'cSeq: 1 OPTIONS', 'Subjec: s', 'X-Via: x', '', ''));
    expect(m.headers.map((h) => [h.name, h.key])).toEqual([
      ['via', 'via'], ['FROM', 'from'], ['To', 'to'], ['I', 'call-id'], ['cSeq', 'cseq'], ['Subjec', 'subjec'], ['X-Via', 'x-via'],
    ]);
  });

  it('rejects a malformed header name that has a known name\'s length', () => {
    expect(parseError(msg(...OPTIONS, 'V\u00eda: x', '', '')).reason).toMatch(/^Malformed header name/);
  });

  it('parses only the optional headers present when validating, and still names a malformed one', () => {
    const m = parseMessage(msg(...OPTIONS, 'Content-Type: text/plain', 'Expires: soon', '', ''));
    expect(() => m.validate()).toThrow(/Malformed Expires header/);
    expect(parseMessage(msg(...OPTIONS, 'Content-Length: 0', '', '')).validate().route).toEqual([]);
  });

  it('joins folded header lines and keeps the raw lines (§7.3.1)', () => {
    const m = parseMessage(msg(...OPTIONS, 'Subject: I know you are there,', '   pick up the phone', '\tand talk to me!', '', ''));
    expect(m.header('subject')).toBe('I know you are there, pick up the phone and talk to me!');
    expect(m.toString()).toContain('Subject: I know you are there,\r\n   pick up the phone\r\n\tand talk to me!\r\n');
  });

  it('splits comma-separated list headers around quotes and <>', () => {
    const m = parseMessage(msg(...OPTIONS, 'Contact: "Doe, John" <sip:j@h1;a=1>, <sip:j@h2>;q=0.5', 'Route: <sip:p1;lr>,<sip:p2;lr>', 'Route: <sip:p3;lr>', '', ''));
    const contacts = m.contact;
    expect(contacts).not.toBe('*');
    expect((contacts as { displayName: string | null }[]).map((c) => c.displayName)).toEqual(['Doe, John', null]);
    expect(m.route.map((r) => (r.uri as { host: string }).host)).toEqual(['p1', 'p2', 'p3']);
  });

  it('counts Content-Length in bytes, not characters', () => {
    const body = 'héllo wörld';
    const m = parseMessage(Buffer.concat([msg(...OPTIONS, 'Content-Type: text/plain', `Content-Length: ${Buffer.byteLength(body)}`, '', ''), Buffer.from(body)]));
    expect(m.body.toString('utf8')).toBe(body);
  });

  it('discards octets past Content-Length in a datagram (§18.3)', () => {
    const m = parseMessage(msg(...OPTIONS, 'Content-Length: 3', '', 'abcdef'));
    expect(m.body.toString()).toBe('abc');
  });

  it('takes the rest of a datagram as the body when Content-Length is absent', () => {
    expect(parseMessage(msg(...OPTIONS, '', 'abc')).body.toString()).toBe('abc');
  });

  it('ends a bare-LF header block at its own empty line, not at a CRLFCRLF in the body', () => {
    const body = 'a\r\n\r\nb';
    const text = OPTIONS.join('\n') + `\nContent-Length: ${body.length}\n\n` + body;
    expect(parseMessage(Buffer.from(text)).body.toString()).toBe(body);
  });

  it('gives a To with a tag inside its URI a tag of its own in responses', () => {
    const req = parseMessage(msg(...OPTIONS.filter((l) => !l.startsWith('To')), 'To: <sip:b@example.com;tag=inuri>', '', '')) as SipRequest;
    expect(createResponse(req, 200, undefined, { toTag: 't1' }).to.params.get('tag')).toBe('t1');
  });

  it('replaces the first value of a comma-combined Via only', () => {
    const m = parseMessage(msg(OPTIONS[0], 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', ...OPTIONS.slice(2), '', ''));
    m.replaceFirstValue('via', 'SIP/2.0/UDP a;branch=z9hG4bK1;received=192.0.2.9');
    expect(m.via.map((v) => v.params.get('received') ?? v.host)).toEqual(['192.0.2.9', 'b']);
  });

  it('keeps a parsed replacement and the rest of the cached Via list', () => {
    const m = parseMessage(msg(OPTIONS[0], 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', ...OPTIONS.slice(2), '', ''));
    const [top, second] = m.via;
    const stamped = { ...top, params: new Map([...top.params, ['received', '192.0.2.9']]) };
    m.replaceFirstValue('via', 'SIP/2.0/UDP a;branch=z9hG4bK1;received=192.0.2.9', stamped);
    expect(m.via[0]).toBe(stamped);
    expect(m.via[1]).toBe(second);
    expect(m.header('via')).toBe('SIP/2.0/UDP a;branch=z9hG4bK1;received=192.0.2.9, SIP/2.0/UDP b;branch=z9hG4bK2');
  });

  it('skips CRLFs before the start line (§7.5)', () => {
    expect((parseMessage(Buffer.concat([Buffer.from('\r\n\r\n'), msg(...OPTIONS, '', '')]), { datagram: false }) as SipRequest).method).toBe('OPTIONS');
  });

  it('ends the header block at the first empty line, CRLF or bare LF, whatever follows', () => {
    expect(headerBlockEnd(Buffer.from('A\r\nB\r\n\r\nC\n\nD'))).toEqual({ start: 0, bodyStart: 8 });
    expect(headerBlockEnd(Buffer.from('A\r\n\nB\r\n\r\n'))).toEqual({ start: 0, bodyStart: 4 });
    expect(headerBlockEnd(Buffer.from('\r\n\r\nA\r\n\r\n'))).toEqual({ start: 4, bodyStart: 9 });
    expect(headerBlockEnd(Buffer.from('A\r\nB\r\n\r'))).toBeNull();
  });

  it('reads a CSeq method it does not know as written', () => {
    const m = parseMessage(msg('FOO sip:bob@example.com SIP/2.0', ...OPTIONS.slice(1).map((l) => l.replace('OPTIONS', 'FOO')), '', '')) as SipRequest;
    expect([m.method, m.cseq.method]).toEqual(['FOO', 'FOO']);
  });

  describe('failure path', () => {
    it.each([
      ['a missing Call-ID', OPTIONS.filter((l) => !l.startsWith('Call-ID')), 400, 'Missing Call-ID header'],
      ['a missing Via', OPTIONS.filter((l) => !l.startsWith('Via')), 400, 'Missing Via header'],
      ['two To headers', [...OPTIONS, 'To: <sip:x@y.com>'], 400, 'Multiple To headers'],
      ['a CSeq method mismatch', [...OPTIONS.slice(0, 6), 'CSeq: 1 INVITE'], 400, 'CSeq method does not match the request method'],
      ['a malformed CSeq', [...OPTIONS.slice(0, 6), 'CSeq: one OPTIONS'], 400, 'Malformed CSeq header: malformed CSeq "one OPTIONS"'],
      ['a negative Content-Length', [...OPTIONS, 'Content-Length: -1'], 400, 'Malformed Content-Length'],
      ['a Content-Length past the datagram', [...OPTIONS, 'Content-Length: 10'], 400, 'Content-Length larger than the message'],
      ['a header line without a colon', [...OPTIONS, 'Foobar roobar'], 400, 'Malformed header line "Foobar roobar"'],
      ['a continuation line first', [OPTIONS[0], ' folded', ...OPTIONS.slice(1)], 400, 'Malformed header: continuation line without a header'],
    ])('rejects %s', (_, lines, status, reason) => {
      const e = parseError(msg(...lines, '', ''));
      expect(e.status).toBe(status);
      expect(e.reason).toBe(reason);
    });

    it.each([
      ['OPTIONS  sip:example.com SIP/2.0', 'Malformed Request-Line'],
      ['OPTIONS sip:example.com SIP/2.0 ', 'Malformed Request-Line'],
      ['OPTIONS <sip:example.com> SIP/2.0', 'Malformed Request-URI'],
      ['OPTIONS sip:exa mple.com SIP/2.0', 'Malformed Request-Line'],
      ['OPTIONS example.com SIP/2.0', 'Malformed Request-URI'],
      ['OPT@ONS sip:example.com SIP/2.0', 'Malformed method'],
      ['OPTIONS sip:example.com HTTP/1.1', 'Malformed SIP-Version'],
    ])('rejects the request line "%s"', (line, reason) => {
      const e = parseError(msg(line, ...OPTIONS.slice(1), '', ''));
      expect(e.status).toBe(400);
      expect(e.reason).toBe(reason);
      // The 400 can still be built from what was split.
      expect(e.partial).not.toBeNull();
      expect(createResponse(e.partial!, e.status, e.reason).toString()).toContain('Call-ID: c1@192.0.2.1\r\n');
    });

    it('answers an unknown SIP version with 505', () => {
      const e = parseError(msg('OPTIONS sip:example.com SIP/7.0', ...OPTIONS.slice(1), '', ''));
      expect([e.status, e.reason]).toEqual([505, 'Version Not Supported']);
    });

    it.each(['SIP/2.0 4294967301 Huge', 'SIP/2.0 99 Low', 'SIP/2.0 2000 OK', 'SIP/2.0'])('rejects the status line "%s"', (line) => {
      const e = parseError(msg(line, ...OPTIONS.slice(1), '', ''));
      expect(e.status).toBe(400);
      expect(e.partial).toBeNull();
    });

    it('requires the empty line on a stream', () => {
      expect(parseError(msg(...OPTIONS), false).reason).toBe('Incomplete header block');
    });

    it('requires Content-Length for a body on a stream (§18.3)', () => {
      expect(parseError(msg(...OPTIONS, '', 'body'), false).reason).toBe('Missing Content-Length header');
    });

    it('limits the number of header lines', () => {
      const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: ${i}`);
      expect(parseError(msg(...OPTIONS, ...many, '', '')).reason).toBe('Too many header lines');
    });

    it('reports a malformed typed header lazily, naming it', () => {
      const m = parseMessage(msg(...OPTIONS, 'Expires: soon', '', ''));
      expect(() => m.expires).toThrow('400 Malformed Expires header: invalid Expires "soon"');
      expect(() => m.validate()).toThrow(/Malformed Expires header/);
    });

    it('rejects Max-Forwards over 255', () => {
      const m = parseMessage(msg(...OPTIONS.filter((l) => !l.startsWith('Max')), 'Max-Forwards: 256', '', ''));
      expect(() => m.maxForwards).toThrow(/larger than 255/);
    });
  });
});

describe('serializer', () => {
  it('re-emits unknown and untouched headers byte for byte', () => {
    const text = [...OPTIONS, 'x-Weird-Header  :   keep  this ;x=1', 'P-Thing: a,b,,c', 'Content-Length: 0', '', ''].join('\r\n');
    expect(parseMessage(Buffer.from(text)).toString()).toBe(text);
  });

  it('rewrites only what changed and fixes Content-Length', () => {
    const m = parseMessage(msg(...OPTIONS, 'l: 0', '', ''));
    m.prependHeader('Via', 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp');
    m.setBody('hi', 'text/plain');
    const out = m.toString();
    expect(out).toMatch(/^OPTIONS sip:example.com SIP\/2.0\r\nVia: SIP\/2.0\/UDP proxy.example.com;branch=z9hG4bKp\r\nVia: SIP\/2.0\/UDP 192.0.2.1:5060;branch=z9hG4bK1\r\n/);
    expect(out).toContain('Content-Length: 2\r\n');
    expect(out.endsWith('\r\n\r\nhi')).toBe(true);
    expect(parseMessage(Buffer.from(out)).via).toHaveLength(2);
  });

  it('writes header block and body into one buffer, the body byte for byte', () => {
    const body = Buffer.from([0xe2, 0x82, 0xac, 0x00, 0xff]);
    const m = parseMessage(msg(OPTIONS[0], 'Subject: caf\u00e9', ...OPTIONS.slice(1), '', ''));
    m.setBody(body, 'application/octet-stream');
    const out = m.toBuffer();
    expect(out.subarray(out.length - body.length)).toEqual(body);
    expect(out.subarray(0, out.length - body.length).toString('utf8')).toContain('Subject: caf\u00e9\r\n');
    expect(out.subarray(0, out.length - body.length).toString('utf8').endsWith('Content-Length: 5\r\n\r\n')).toBe(true);
  });

  it('counts the bytes it would serialise to without serialising', () => {
    const m = parseMessage(msg(OPTIONS[0], 'Subject: caf\u00e9', ...OPTIONS.slice(1), 'Content-Length: 0', '', '')) as SipRequest;
    m.setBody('\u20ac uro', 'text/plain');
    expect(m.byteLength()).toBe(m.toBuffer().length);
  });

  it('gives a copy the parsed headers of its original, each change its own', () => {
    const m = parseMessage(msg(...OPTIONS, 'Route: <sip:r1@example.com;lr>', '', '')) as SipRequest;
    m.validate();
    const copy = m.clone();
    expect(copy.via).toBe(m.via);
    copy.removeHeader('route');
    copy.setUri('sip:other.example.com');
    expect(copy.route).toEqual([]);
    expect(m.route).toHaveLength(1);
    expect(copy.uri).not.toBe(m.uri);
    expect(m.uriText).toBe('sip:example.com');
  });

  it('removes the matching lines of a header and what the copy had parsed of it', () => {
    const m = parseMessage(msg(...OPTIONS, 'Proxy-Authorization: Digest realm="a"', 'Proxy-Authorization: Digest realm="b"', '', '')) as SipRequest;
    m.validate();
    const copy = m.clone().removeLines('proxy-authorization', (v) => v.includes('"a"'));
    expect(copy.proxyAuthorization.map((a) => a.params.get('realm'))).toEqual(['b']);
    expect(m.proxyAuthorization).toHaveLength(2);
  });

  it('keeps a cached Via list below a prepended, parsed Via', () => {
    const m = parseMessage(msg(...OPTIONS, '', '')) as SipRequest;
    const below = m.via;
    const top = 'SIP/2.0/UDP proxy.example.com;branch=z9hG4bKp';
    const copy = m.clone().prependHeader('Via', top, parseVia(top));
    expect(copy.via.map((v) => v.host)).toEqual(['proxy.example.com', '192.0.2.1']);
    expect(copy.via[1]).toBe(below[0]);
    expect(parseMessage(copy.toBuffer()).via).toEqual(copy.via);
    expect(m.via).toHaveLength(1);
  });

  it('removes the first value of a comma-combined Via', () => {
    const m = parseMessage(msg(OPTIONS[0], 'Via: SIP/2.0/UDP a;branch=z9hG4bK1, SIP/2.0/UDP b;branch=z9hG4bK2', ...OPTIONS.slice(2), '', ''));
    m.removeFirstValue('via');
    expect(m.via.map((v) => v.host)).toEqual(['b']);
  });
});

describe('RFC 3261 §8.2.6.2 createResponse', () => {
  it('copies Via, From, Call-ID, CSeq and adds a To tag', () => {
    const req = parseMessage(msg(...OPTIONS, 'Timestamp: 54', '', '')) as SipRequest;
    const res = createResponse(req, 200, undefined, { toTag: 'xyz', headers: [['Allow', 'OPTIONS']] });
    expect(res.status).toBe(200);
    expect(res.reason).toBe('OK');
    expect(res.to.params.get('tag')).toBe('xyz');
    expect(res.header('allow')).toBe('OPTIONS');
    expect(res.header('timestamp')).toBeUndefined();
    const trying = createResponse(req, 100);
    expect(trying.to.params.get('tag')).toBeUndefined();
    expect(trying.header('timestamp')).toBe('54');
  });
});
