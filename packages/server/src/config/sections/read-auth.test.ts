import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('auth', () => {
  it('reads every key', () => {
    const config = parse(
      'domains: [example.com, example.org]\nauth: { enabled: false, secret: 0123456789abcdef0123, nonceLifetime: 60, algorithms: [md5], checkDigestUri: false, sha256UserAgents: [Zoiper], sha256Domains: [Example.org], md5OnlyUserAgents: ["Linphone/3."], maxFailuresPerSource: 5, maxFailuresPerUser: 3, failureWindow: 30 }',
    );
    expect(config.auth).toEqual({
      enabled: false,
      secret: '0123456789abcdef0123',
      nonceLifetimeMs: 60_000,
      algorithms: ['MD5'],
      checkDigestUri: false,
      sha256UserAgents: ['Zoiper'],
      sha256Domains: ['example.org'],
      md5OnlyUserAgents: ['Linphone/3.'],
      limits: { maxFailuresPerSource: 5, maxFailuresPerUser: 3, windowMs: 30_000, slowAfter: 3, slowDelayMs: 500 },
    });
  });

  it('refuses an unknown algorithm and a short secret', () => {
    expect(problem('auth: { algorithms: [SHA-512] }', 'auth.algorithms[0]')).toMatch(/^auth\.algorithms\[0\]: expected one of SHA-256, MD5/);
    expect(problem('auth: { secret: short }', 'auth.secret')).toMatch(/^auth\.secret: is shorter than 16 characters/);
  });

  it('takes sha256Domains only among the served domains, and User-Agent substrings as text', () => {
    expect(problem('domains: [example.com]\nauth: { sha256Domains: [example.net] }', 'auth.sha256Domains[0]')).toMatch(/"example\.net" is not a served domain; use one of example\.com, or add it to domains/);
    expect(problem('auth: { sha256UserAgents: Linphone }', 'auth.sha256UserAgents')).toMatch(/expected a list/);
    expect(problem('auth: { md5OnlyUserAgents: [""] }', 'auth.md5OnlyUserAgents[0]')).toMatch(/is empty/);
  });
});
