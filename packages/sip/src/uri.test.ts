import { aorOf, formatUri, isHostname, parseUri, type SipUri, type TelUri, type MailboxUri } from './uri.js';
import { NO_PARAMS } from './params.js';

describe('RFC 3261 §19.1.1 SIP URI', () => {
  it('parses user, password, host, port, parameters and headers', () => {
    const u = parseUri('sips:alice:secret@Atlanta.COM:5061;transport=tcp;lr;maddr=239.255.255.1?subject=project%20x&priority=urgent') as SipUri;
    expect(u.scheme).toBe('sips');
    expect(u.user).toBe('alice');
    expect(u.password).toBe('secret');
    expect(u.host).toBe('atlanta.com');
    expect(u.port).toBe(5061);
    expect([...u.params]).toEqual([
      ['transport', 'tcp'],
      ['lr', null],
      ['maddr', '239.255.255.1'],
    ]);
    expect(u.headers).toEqual([
      ['subject', 'project x'],
      ['priority', 'urgent'],
    ]);
  });

  it('unescapes the user part (RFC 3261 §19.1.2)', () => {
    const u = parseUri('sip:sips%3Auser%40example.com@example.net') as SipUri;
    expect(u.user).toBe('sips:user@example.com');
    expect(u.host).toBe('example.net');
  });

  it('allows ";" "?" "/" in the user part (user-unreserved)', () => {
    const u = parseUri('sip:user;par=u%40example.net@example.com') as SipUri;
    expect(u.user).toBe('user;par=u@example.net');
    expect(u.params.size).toBe(0);
  });

  it('keeps IPv6 references in brackets (RFC 5118)', () => {
    const u = parseUri('sip:[2001:DB8::10]:5070;transport=udp') as SipUri;
    expect(u.host).toBe('[2001:db8::10]');
    expect(u.port).toBe(5070);
  });

  it.each([
    ['sip:user@[2001:db8::10', /unterminated IPv6/],
    ['sip:user@[2001:db8:::10]', /invalid IPv6/],
    ['sip:user@exa mple.com', /invalid host/],
    ['sip:user@example.com:99999', /out of range/],
    ['sip:user@example.com:', /invalid port/],
    ['sip:us"er@example.com', /invalid user/],
    ['sip:user@-bad-.com', /invalid host/],
    ['sip:user@1.2.3.256', /invalid host/],
    ['sip:user@example.com;tr ansport=udp', /invalid URI parameter/],
    ['nocolon', /is not a URI/],
    ['sip:alice@example.com?subject', /invalid URI header/],
    ['im:alice smith@example.com', /invalid im URI/],
    ['im:a@b@example.com', /invalid im URI/],
  ])('rejects %s', (text, why) => {
    expect(() => parseUri(text)).toThrow(why);
  });

  it('serialises what it parsed', () => {
    for (const text of [
      'sip:alice@atlanta.com',
      'sip:alice:pw@atlanta.com:5060;transport=udp;lr',
      'sips:[2001:db8::10]:5061',
      'sip:example.com?subject=hi',
      'tel:+1-201-555-0123;phone-context=example.com',
      'im:alice@example.com',
      'pres:bob@example.org',
      'mailto:alice@example.com',
    ]) {
      expect(formatUri(parseUri(text))).toBe(text);
    }
  });

  it('keeps repeated URI headers in order (RFC 3261 §19.1.1)', () => {
    const u = parseUri('sip:alice@example.com?Route=%3Csip:a%3E&Route=%3Csip:b%3E') as SipUri;
    expect(u.headers).toEqual([
      ['Route', '<sip:a>'],
      ['Route', '<sip:b>'],
    ]);
  });

  it('keeps escapes that are not UTF-8 distinct and restores them (RFC 3261 §19.1.2)', () => {
    const ff = parseUri('sip:%FF@example.com') as SipUri;
    const fe = parseUri('sip:%FE@example.com') as SipUri;
    expect(ff.user).not.toBe(fe.user);
    expect(ff.user).not.toBe((parseUri('sip:%EF%BF%BD@example.com') as SipUri).user);
    expect(formatUri(ff)).toBe('sip:%FF@example.com');
    expect((parseUri('sip:%C3%A9t%C3%A9@example.com') as SipUri).user).toBe('été');
  });

  it('escapes characters outside the user set when serialising', () => {
    const u = parseUri('sip:x@example.com') as SipUri;
    u.user = 'a b@c';
    expect(formatUri(u)).toBe('sip:a%20b%40c@example.com');
  });
});

describe('RFC 3966 tel URI and RFC 3861 im/pres URIs', () => {
  it('parses a global number with parameters', () => {
    const t = parseUri('tel:+358-555-1234567;postd=pp22') as TelUri;
    expect(t.number).toBe('+358-555-1234567');
    expect(t.params.get('postd')).toBe('pp22');
  });

  it('parses im: and pres: mailboxes', () => {
    const im = parseUri('im:Alice@Example.com') as MailboxUri;
    expect(im).toMatchObject({ scheme: 'im', user: 'Alice', host: 'example.com' });
    expect(aorOf(parseUri('pres:bob@example.org'))).toBe('bob@example.org');
  });

  it('rejects a tel URI without a number', () => {
    expect(() => parseUri('tel:;foo')).toThrow(/invalid telephone number/);
  });
});

describe('hostname grammar', () => {
  it.each(['example.com', 'a-b.example.com.', '192.0.2.1', 'localhost', 'x1.y2'])('accepts %s', (h) => {
    expect(isHostname(h)).toBe(true);
  });
  it.each(['', 'a..b', '-a.com', 'a_b.com', '1.2.3.4.5', '01.2.3.4', '1.2.3.300'])('rejects %s', (h) => {
    expect(isHostname(h)).toBe(false);
  });
});

describe('parameters of values that have none', () => {
  it('share one empty Map that refuses changes, and every other value gets its own', () => {
    const a = parseUri('sip:alice@Example.COM') as SipUri;
    const b = parseUri('sip:bob@example.com:5070') as SipUri;
    expect(a).toMatchObject({ host: 'example.com', port: null });
    expect(b).toMatchObject({ host: 'example.com', port: 5070 });
    expect(a.params.size).toBe(0);
    expect(a.params).toBe(NO_PARAMS);
    expect(() => a.params.set('lr', null)).toThrow(/copy it into a new Map/);
    expect(NO_PARAMS.size).toBe(0);
    const c = parseUri('sip:carol@example.com;lr') as SipUri;
    expect(c.params).not.toBe(NO_PARAMS);
    expect(c.params.get('lr')).toBeNull();
  });
});
