import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('dns', () => {
  it('reads servers, the timeout in seconds and the cache caps', () => {
    const yaml = 'dns: { servers: ["127.0.0.1:5353", "[::1]:53", "192.0.2.53"], timeout: 0.5, attempts: 3, cacheMaxTtl: 600, negativeTtlMax: 0, cacheSize: 50 }';
    expect(parse(yaml).dns).toEqual({ servers: ['127.0.0.1:5353', '[::1]:53', '192.0.2.53'], timeoutMs: 500, attempts: 3, cacheMaxTtl: 600, negativeTtlMax: 0, cacheSize: 50, failedTargetMs: 60_000 });
  });

  it('leaves servers empty (the system resolver) and takes the DNS client defaults when absent', () => {
    expect(parse('').dns).toEqual({ servers: [], timeoutMs: 2000, attempts: 2, cacheMaxTtl: 3600, negativeTtlMax: 300, cacheSize: 10_000, failedTargetMs: 60_000 });
  });

  it('reads how long a failed destination is tried last, in seconds, 0 for never (RFC 3263 §4.3)', () => {
    expect(parse('dns: { failedTargetTime: 300 }').dns?.failedTargetMs).toBe(300_000);
    expect(parse('dns: { failedTargetTime: 0 }').dns?.failedTargetMs).toBe(0);
    expect(problem('dns: { failedTargetTime: -1 }', 'dns.failedTargetTime')).toMatch(/from 0 to 86400/);
  });

  it('names the server entry that is not an address and port', () => {
    expect(problem('dns: { servers: ["127.0.0.1:5353", "ns.example.com:53"] }', 'dns.servers[1]')).toMatch(/"192.0.2.53:53".*a name would need DNS/);
    expect(problem('dns: { servers: [53] }', 'dns.servers[0]')).toMatch(/expected text, got .*put the value in quotes/);
    expect(problem('dns: { servers: ["127.0.0.1:99999"] }', 'dns.servers[0]')).toMatch(/not address:port/);
    expect(problem('dns: { servers: "127.0.0.1:53" }', 'dns.servers')).toMatch(/expected a list/);
  });

  it('says the timeout is in seconds when it looks like milliseconds', () => {
    expect(problem('dns: { timeout: 2000 }', 'dns.timeout')).toMatch(/in seconds per try, e.g. timeout: 2/);
    expect(problem('dns: { timeout: fast }', 'dns.timeout')).toMatch(/got "fast"/);
  });

  it('refuses zero attempts and a misspelt key', () => {
    expect(problem('dns: { attempts: 0 }', 'dns.attempts')).toMatch(/from 1 to 10/);
    expect(problem('dns: { cacheMaxTTL: 60 }', 'dns.cacheMaxTTL')).toMatch(/did you mean `cacheMaxTtl`/);
  });
});
