import { NonceService } from './nonce-service.js';

const SECRET = 'an-example-secret-of-32-bytes!!!';
const T0 = 1_700_000_000_000;

describe('RFC 7616 §3.3 nonce', () => {
  const nonces = new NonceService(SECRET, { lifetimeMs: 300_000 });

  it('issues nonces that are base64url text of 32 bytes, different each time', () => {
    const a = nonces.issue('example.com', T0);
    const b = nonces.issue('example.com', T0);
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
  });

  it('accepts its own nonce within the lifetime', () => {
    const n = nonces.issue('example.com', T0);
    expect(nonces.check(n, 'example.com', T0)).toBe('valid');
    expect(nonces.check(n, 'example.com', T0 + 299_999)).toBe('valid');
  });

  it('calls an authentic nonce older than the lifetime stale', () => {
    const n = nonces.issue('example.com', T0);
    expect(nonces.check(n, 'example.com', T0 + 300_000)).toBe('stale');
    expect(nonces.check(n, 'example.com', T0 + 86_400_000)).toBe('stale');
  });

  it('tells when a nonce expires', () => {
    expect(nonces.expiresAt(nonces.issue('example.com', T0))).toBe(T0 + 300_000);
    expect(nonces.expiresAt('nonsense')).toBeNaN();
  });

  it('is checked by any instance sharing the secret (another worker or node)', () => {
    const n = nonces.issue('example.com', T0);
    expect(new NonceService(SECRET).check(n, 'example.com', T0 + 1000)).toBe('valid');
    expect(new NonceService('another-secret-of-enough-bytes').check(n, 'example.com', T0 + 1000)).toBe('invalid');
  });

  it('binds the realm', () => {
    const n = nonces.issue('example.com', T0);
    expect(nonces.check(n, 'example.org', T0)).toBe('invalid');
  });

  it('rejects a forged or altered nonce', () => {
    const n = nonces.issue('example.com', T0);
    const buf = Buffer.from(n, 'base64url');
    buf.writeBigUInt64BE(BigInt(T0 + 200_000), 0);
    expect(nonces.check(buf.toString('base64url'), 'example.com', T0 + 400_000)).toBe('invalid');
    expect(nonces.check('7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v', 'example.com', T0)).toBe('invalid');
    expect(nonces.check('', 'example.com', T0)).toBe('invalid');
  });

  it('accepts exactly one text per nonce (the spare bits of the last character must be zero)', () => {
    const n = nonces.issue('example.com', T0);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(n[n.length - 1]);
    const variant = n.slice(0, -1) + alphabet[last ^ 1];
    expect(Buffer.from(variant, 'base64url').equals(Buffer.from(n, 'base64url'))).toBe(true);
    expect(nonces.check(variant, 'example.com', T0)).toBe('invalid');
  });

  it('accepts only base64url characters, though Node would decode "+" and "/" and skip others', () => {
    let n = nonces.issue('example.com', T0);
    while (!/[-_]/.test(n.slice(0, -1))) n = nonces.issue('example.com', T0);
    const standard = n.slice(0, -1).replace(/-/g, '+').replace(/_/g, '/') + n.slice(-1);
    expect(Buffer.from(standard, 'base64url').equals(Buffer.from(n, 'base64url'))).toBe(true);
    expect(nonces.check(standard, 'example.com', T0)).toBe('invalid');
    for (const odd of ['=', '.', ' ', 'é']) expect(nonces.check(odd + n.slice(1), 'example.com', T0)).toBe('invalid');
    expect(nonces.expiresAt(standard)).toBeNaN();
    expect(nonces.check(n, 'example.com', T0)).toBe('valid');
  });

  it('keeps issue times past 2^32 ms and checks each nonce on its own, one after another', () => {
    const late = 2 ** 40 + 12_345;
    const a = nonces.issue('example.com', late);
    const b = nonces.issue('example.org', T0);
    expect(nonces.expiresAt(a)).toBe(late + 300_000);
    expect(nonces.check(b, 'example.org', T0)).toBe('valid');
    expect(nonces.check(a, 'example.com', late + 1)).toBe('valid');
    expect(nonces.check(a, 'example.org', late + 1)).toBe('invalid');
    expect(nonces.expiresAt(b)).toBe(T0 + 300_000);
  });

  it('rejects a nonce issued further in the future than the clock skew allows', () => {
    const n = nonces.issue('example.com', T0 + 60_000);
    expect(nonces.check(n, 'example.com', T0)).toBe('invalid');
    expect(nonces.check(nonces.issue('example.com', T0 + 10_000), 'example.com', T0)).toBe('valid');
  });

  it('refuses a short secret and a bad lifetime at start-up', () => {
    expect(() => new NonceService('short')).toThrow(RangeError);
    expect(() => new NonceService(SECRET, { lifetimeMs: 0 })).toThrow(RangeError);
  });

  it('after a new secret, issues with it and still accepts the nonces of the one before, not older', () => {
    const changing = new NonceService(SECRET);
    const first = changing.issue('example.com', T0);
    changing.useSecret('a-second-secret-of-enough-bytes!');
    const second = changing.issue('example.com', T0);
    expect(new NonceService('a-second-secret-of-enough-bytes!').check(second, 'example.com', T0)).toBe('valid');
    expect(changing.check(first, 'example.com', T0)).toBe('valid');
    changing.useSecret('a-second-secret-of-enough-bytes!');
    expect(changing.check(first, 'example.com', T0)).toBe('valid');
    changing.useSecret('a-third-secret-of-enough-bytes!!');
    expect(changing.check(second, 'example.com', T0)).toBe('valid');
    expect(changing.check(first, 'example.com', T0)).toBe('invalid');
  });
});
