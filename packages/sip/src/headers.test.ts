import { parseAuth, parseCSeq, parseContentType, parseDate, parseEvent, parseSubscriptionState, parseVia, formatVia } from './headers.js';

describe('RFC 3261 §20.42 Via', () => {
  it('parses sent-protocol, sent-by and parameters', () => {
    const v = parseVia('SIP/2.0/UDP pc33.atlanta.com:5066;branch=z9hG4bK776asdhds;received=192.0.2.1;rport');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'UDP', host: 'pc33.atlanta.com', port: 5066 });
    expect(v.params.get('branch')).toBe('z9hG4bK776asdhds');
    expect(v.params.get('rport')).toBeNull();
  });

  it('allows LWS around the slashes and the colon (RFC 4475 §3.1.1.1)', () => {
    const v = parseVia('SIP  /   2.0  /  tcp   host.example.com : 5060 ; branch = z9hG4bK1');
    expect(v).toMatchObject({ transport: 'TCP', host: 'host.example.com', port: 5060 });
    expect(v.params.get('branch')).toBe('z9hG4bK1');
  });

  it('reads sent-protocol, host and parameter names in any case the same way', () => {
    const v = parseVia('sip/2.0/wss Host.Example.COM;Branch=z9hG4bK1;RPORT');
    expect(v).toMatchObject({ protocol: 'SIP/2.0', transport: 'WSS', host: 'host.example.com', port: null });
    expect([...v.params]).toEqual([['branch', 'z9hG4bK1'], ['rport', null]]);
    expect(parseVia('SIP/2.0/UDPX h;branch=b').transport).toBe('UDPX');
    expect(parseVia('SIP/2.0/SCTP h;branches=b;tags').params).toEqual(new Map([['branches', 'b'], ['tags', null]]));
  });

  it('takes received as an IPv6 address with or without brackets (RFC 5118 §4.5, §4.6)', () => {
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=[2001:db8::9:255];branch=z9hG4bK1').params.get('received')).toBe('[2001:db8::9:255]');
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1];received=2001:db8::9:255;branch=z9hG4bK1').params.get('received')).toBe('2001:db8::9:255');
  });

  it('parses an IPv6 sent-by (RFC 5118 §4.5)', () => {
    expect(parseVia('SIP/2.0/UDP [2001:db8::9:1]:5060;branch=z9hG4bK1')).toMatchObject({ host: '[2001:db8::9:1]', port: 5060 });
  });

  it.each([
    ['SIP/2.0 host.example.com', /sent-protocol/],
    ['SIP/2.0/UDP', /missing sent-by/],
    ['SIP/2.0/UDPhost', /missing sent-by/],
    ['SIP/2.0/UDP host:abc', /port/],
    ['SIP/2.0/UDP host;;branch=1', /empty parameter name/],
  ])('rejects %s', (text, why) => {
    expect(() => parseVia(text)).toThrow(why);
  });

  it('serialises', () => {
    expect(formatVia(parseVia('SIP/2.0/TCP h:5060;branch=z9hG4bK1;rport=5070'))).toBe('SIP/2.0/TCP h:5060;branch=z9hG4bK1;rport=5070');
  });
});

describe('RFC 3261 §20.16 CSeq', () => {
  it('parses number and method', () => {
    expect(parseCSeq('4711  INVITE')).toEqual({ seq: 4711, method: 'INVITE' });
  });
  it.each(['INVITE', '12', '12 IN VITE', '4294967296 INVITE', '-1 INVITE'])('rejects "%s"', (v) => {
    expect(() => parseCSeq(v)).toThrow();
  });
  it('accepts 2^32-1', () => {
    expect(parseCSeq('4294967295 ACK').seq).toBe(4294967295);
  });
});

describe('RFC 7616 §3.3 credentials and challenges', () => {
  it('parses quoted and token auth-params, unquoting values', () => {
    const a = parseAuth('Digest username="bob", realm="biloxi.com", nonce="dcd98b", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae4", algorithm=SHA-256');
    expect(a.scheme).toBe('Digest');
    expect(a.params.get('username')).toBe('bob');
    expect(a.params.get('qop')).toBe('auth');
    expect(a.params.get('algorithm')).toBe('SHA-256');
  });
  it('keeps commas inside quoted values', () => {
    expect(parseAuth('Digest realm="a,b", qop="auth,auth-int"').params.get('qop')).toBe('auth,auth-int');
  });
  it('accepts an unknown scheme (RFC 4475 §3.3.7)', () => {
    expect(parseAuth('NoOneKnowsThisScheme opaque-data=here').scheme).toBe('NoOneKnowsThisScheme');
  });
  it.each(['', 'Digest realm', 'Digest realm="x" nonce="y"', 'Digest realm="x'])('rejects "%s"', (v) => {
    expect(() => parseAuth(v)).toThrow();
  });
});

describe('RFC 6665 Event and Subscription-State', () => {
  it('parses Event with an id', () => {
    const e = parseEvent('presence;id=1234');
    expect(e.type).toBe('presence');
    expect(e.params.get('id')).toBe('1234');
  });
  it('parses Subscription-State', () => {
    expect(parseSubscriptionState('terminated;reason=timeout;retry-after=30')).toMatchObject({ state: 'terminated', reason: 'timeout', retryAfter: 30, expires: null });
    expect(parseSubscriptionState('active;expires=600').expires).toBe(600);
  });
});

describe('Content-Type and Date', () => {
  it('parses a media type with parameters', () => {
    const c = parseContentType('Multipart/Related;boundary="abc";type="application/rlmi+xml"');
    expect(c).toMatchObject({ type: 'multipart', subtype: 'related' });
    expect(c.params.get('boundary')).toBe('"abc"');
  });
  it('requires GMT in Date (RFC 4475 §3.1.2.12)', () => {
    expect(parseDate('Sat, 13 Nov 2010 23:29:00 GMT').toISOString()).toBe('2010-11-13T23:29:00.000Z');
    expect(() => parseDate('Fri, 01 Jan 2010 16:00:00 EST')).toThrow(/GMT/);
  });
});
