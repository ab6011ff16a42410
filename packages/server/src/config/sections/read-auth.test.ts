import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('auth', () => {
  it('reads every key', () => {
    const config = parse('auth: { enabled: false, secret: 0123456789abcdef0123, nonceLifetime: 60, algorithms: [md5], checkDigestUri: false, md5OnlyUserAgents: [], maxFailuresPerSource: 5, maxFailuresPerUser: 3, failureWindow: 30 }');
    expect(config.auth).toEqual({
      enabled: false,
      secret: '0123456789abcdef0123',
      nonceLifetimeMs: 60_000,
      algorithms: ['MD5'],
      checkDigestUri: false,
      md5OnlyUserAgents: [],
      limits: { maxFailuresPerSource: 5, maxFailuresPerUser: 3, windowMs: 30_000, slowAfter: 3, slowDelayMs: 500 },
    });
  });

  it('refuses an unknown algorithm and a short secret', () => {
    expect(problem('auth: { algorithms: [SHA-512] }', 'auth.algorithms[0]')).toMatch(/^auth\.algorithms\[0\]: expected one of SHA-256, MD5/);
    expect(problem('auth: { secret: short }', 'auth.secret')).toMatch(/^auth\.secret: is shorter than 16 characters/);
  });
});
