import { createHash } from 'node:crypto';
import { digestHash, digestResponse, ha1, isSessionAlgorithm, parseDigestAlgorithm, timingSafeEqualString } from './digest.js';

describe('RFC 7616 §3.9.1 examples with MD5 and SHA-256', () => {
  const common = {
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    qop: 'auth' as const,
  };
  const realm = 'http-auth@example.org';

  it('computes the MD5 response', () => {
    const h = ha1('MD5', 'Mufasa', realm, 'Circle of Life');
    expect(digestResponse({ ...common, algorithm: 'MD5', ha1: h })).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('computes the SHA-256 response', () => {
    const h = ha1('SHA-256', 'Mufasa', realm, 'Circle of Life');
    expect(digestResponse({ ...common, algorithm: 'SHA-256', ha1: h })).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });
});

describe('RFC 2617 §3.5 example', () => {
  it('computes the MD5 qop=auth response', () => {
    const h = ha1('MD5', 'Mufasa', 'testrealm@host.com', 'Circle Of Life');
    const response = digestResponse({
      algorithm: 'MD5',
      ha1: h,
      method: 'GET',
      uri: '/dir/index.html',
      nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
      nc: '00000001',
      cnonce: '0a4f113b',
      qop: 'auth',
    });
    expect(response).toBe('6629fae49393a05397450978507c4ef1');
  });
});

describe('RFC 2069 §2.1.2 response without qop', () => {
  it('is H(HA1:nonce:HA2)', () => {
    const h = ha1('MD5', 'alice', 'example.com', 'secret');
    const ha2 = digestHash('MD5', 'REGISTER:sip:example.com');
    expect(digestResponse({ algorithm: 'MD5', ha1: h, method: 'REGISTER', uri: 'sip:example.com', nonce: 'n', qop: null })).toBe(
      digestHash('MD5', `${h}:n:${ha2}`),
    );
  });
});

describe('RFC 7616 §3.4.2 session algorithms', () => {
  it('hashes HA1 with the nonce and cnonce for -sess', () => {
    const h = ha1('SHA-256', 'alice', 'example.com', 'secret');
    const input = { ha1: h, method: 'REGISTER', uri: 'sip:example.com', nonce: 'n', nc: '00000001', cnonce: 'c', qop: 'auth' as const };
    const sessHa1 = digestHash('SHA-256', `${h}:n:c`);
    expect(digestResponse({ ...input, algorithm: 'SHA-256-sess' })).toBe(digestResponse({ ...input, algorithm: 'SHA-256', ha1: sessHa1 }));
    expect(isSessionAlgorithm('MD5-sess')).toBe(true);
    expect(isSessionAlgorithm('MD5')).toBe(false);
  });
});

describe('RFC 7616 §3.4.3 qop=auth-int', () => {
  it('hashes the body into A2', () => {
    const h = ha1('MD5', 'alice', 'example.com', 'secret');
    const base = { algorithm: 'MD5' as const, ha1: h, method: 'MESSAGE', uri: 'sip:bob@example.com', nonce: 'n', nc: '00000001', cnonce: 'c' };
    const ha2 = digestHash('MD5', `MESSAGE:sip:bob@example.com:${digestHash('MD5', 'hello')}`);
    expect(digestResponse({ ...base, qop: 'auth-int', body: 'hello' })).toBe(digestHash('MD5', `${h}:n:00000001:c:auth-int:${ha2}`));
    expect(digestResponse({ ...base, qop: 'auth-int', body: 'hello' })).not.toBe(digestResponse({ ...base, qop: 'auth-int', body: 'bye' }));
  });
});

describe('RFC 7616 §3.3 algorithm parameter', () => {
  it('defaults to MD5 and matches names case-insensitively', () => {
    expect(parseDigestAlgorithm(undefined)).toBe('MD5');
    expect(parseDigestAlgorithm('sha-256')).toBe('SHA-256');
    expect(parseDigestAlgorithm('MD5-SESS')).toBe('MD5-sess');
    expect(parseDigestAlgorithm('SHA-512-256')).toBeUndefined();
    expect(parseDigestAlgorithm('Sha-256-Sess')).toBe('SHA-256-sess');
    for (const name of ['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess'] as const) expect(parseDigestAlgorithm(name)).toBe(name);
  });
});

describe('timingSafeEqualString', () => {
  it('is true only for identical strings', () => {
    expect(timingSafeEqualString('abcd', 'abcd')).toBe(true);
    expect(timingSafeEqualString('abcd', 'abce')).toBe(false);
    expect(timingSafeEqualString('abcd', 'abc')).toBe(false);
  });
});

describe('digestResponse for many method and uri pairs', () => {
  it('gives H(HA1:nonce:nc:cnonce:qop:H(method:uri)) for each, more pairs than it keeps', () => {
    const md5 = (text: string) => createHash('md5').update(text).digest('hex');
    const h1 = ha1('MD5', 'alice', 'example.com', 'secret');
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 300; i++) {
        const uri = `sip:u${i}@example.com`;
        const expected = md5(`${h1}:abc:00000001:xyz:auth:${md5(`REGISTER:${uri}`)}`);
        expect(digestResponse({ algorithm: 'MD5', ha1: h1, method: 'REGISTER', uri, nonce: 'abc', qop: 'auth', nc: '00000001', cnonce: 'xyz' })).toBe(expected);
      }
    }
  });
});

describe('timingSafeEqualString on long strings', () => {
  it('compares strings of any length, one after another', () => {
    const a = 'f'.repeat(300);
    expect(timingSafeEqualString(a, 'f'.repeat(300))).toBe(true);
    expect(timingSafeEqualString(a, 'f'.repeat(299) + 'e')).toBe(false);
    expect(timingSafeEqualString('abc', 'abc')).toBe(true);
    expect(timingSafeEqualString('abc', 'abd')).toBe(false);
  });
});
