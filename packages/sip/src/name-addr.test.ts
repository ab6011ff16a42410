import { formatNameAddr, parseNameAddr } from './name-addr.js';
import { formatUri } from './uri.js';

describe('RFC 3261 §20.10 name-addr and addr-spec', () => {
  it('parses a quoted display name with escapes', () => {
    const na = parseNameAddr('"J \\"Rosenberg\\" \\\\" <sip:jdrosen@example.com>;tag=98asjd8');
    expect(na.displayName).toBe('J "Rosenberg" \\');
    expect(formatUri(na.uri)).toBe('sip:jdrosen@example.com');
    expect(na.params.get('tag')).toBe('98asjd8');
  });

  it('accepts a token display name and no LWS before "<" (RFC 4475 §3.1.1.6)', () => {
    expect(parseNameAddr('caller<sip:caller@example.com>;tag=323').displayName).toBe('caller');
    expect(parseNameAddr('"caller"<sip:caller@example.com>').displayName).toBe('caller');
    expect(parseNameAddr('Bob  Smith <sip:b@example.com>').displayName).toBe('Bob  Smith');
  });

  it('gives the parameters of an addr-spec to the header, not the URI', () => {
    const na = parseNameAddr('sip:alice@example.com;tag=abc;expires=60');
    expect(na.displayName).toBeNull();
    expect(formatUri(na.uri)).toBe('sip:alice@example.com');
    expect(na.params.get('tag')).toBe('abc');
    expect(na.params.get('expires')).toBe('60');
  });

  it('keeps URI parameters inside "<>" and header parameters outside', () => {
    const na = parseNameAddr('<sip:alice@192.0.2.4;transport=tcp>;expires=60;+sip.instance="<urn:uuid:1>"');
    expect(formatUri(na.uri)).toBe('sip:alice@192.0.2.4;transport=tcp');
    expect(na.params.get('+sip.instance')).toBe('"<urn:uuid:1>"');
  });

  it.each([
    ['"unterminated <sip:a@b.com>', /unterminated quoted display name/],
    ['Bell, Alexander <sip:a@b.com>', /must be quoted/],
    ['< sip:a@b.com >', /whitespace inside/],
    ['<sip:a@b.com', /missing ">"/],
    ['sip:a@b.com?Route=x', /must be enclosed/],
    ['<sip:a@b.com>;;tag=1', /empty parameter name/],
    ['<sip:a@b.com> junk', /unexpected/],
    ['<sip:a@b.com>;foo=a:b', /invalid character ":"/],
    ['<sip:a@b.com>;foo=[zz]', /invalid IPv6 reference/],
  ])('rejects %s', (text, why) => {
    expect(() => parseNameAddr(text)).toThrow(why);
  });

  it('takes a parameter without a value as null', () => {
    expect(parseNameAddr('<sip:a@b.com>;lr').params.get('lr')).toBeNull();
  });

  it('serialises in the "<>" form with the display name quoted when needed', () => {
    expect(formatNameAddr(parseNameAddr('"A, B" <sip:a@b.com>;tag=1'))).toBe('"A, B" <sip:a@b.com>;tag=1');
    expect(formatNameAddr(parseNameAddr('sip:a@b.com;tag=1'))).toBe('<sip:a@b.com>;tag=1');
  });
});
