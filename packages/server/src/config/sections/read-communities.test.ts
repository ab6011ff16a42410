import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parse, problem, reject, scratch, useScratchDir, writeTlsFiles } from '../../../test/helpers/config-fixture.js';

useScratchDir();

const TLS = `listen: [tls://0.0.0.0:5061]
tls: { cert: certs/cert.pem, key: certs/key.pem }
`;

describe('communities', () => {
  it('defaults to enabled with no communities', () => {
    expect(parse('domains: [example.com]').communities).toEqual({ enabled: true, list: [] });
  });

  it('reads the example of issue 16, TLS making the port 5061 and a domain lower-cased', () => {
    writeTlsFiles();
    const config = parse(`domains: [dc.acme.test]
${TLS}communities:
  enabled: true
  list:
    - { name: chicago, domains: [CHI.acme.test, "*.chi.acme.test"],
        proxies: ["sip:gw1.chi.acme.test;transport=tls"], transport: tls,
        trustedIps: [192.0.2.10, 198.51.100.0/24], enabled: true, convertIds: true, level: verified,
        watchers: allow }
`);
    expect(config.communities).toEqual({
      enabled: true,
      list: [
        {
          name: 'chicago',
          domains: ['chi.acme.test', '*.chi.acme.test'],
          proxies: ['sip:gw1.chi.acme.test;transport=tls'],
          port: 5061,
          transport: 'tls',
          trustedIps: ['192.0.2.10', '198.51.100.0/24'],
          enabled: true,
          convertIds: true,
          level: 'verified',
          watchers: 'allow',
          probeIntervalMs: 10_000,
        },
      ],
    });
  });

  it('gives a community without optional keys the defaults', () => {
    const [community] = parse('domains: [example.com]\ncommunities: { list: [{ name: ny, domains: [ny.acme.test] }] }').communities.list;
    expect(community).toEqual({ name: 'ny', domains: ['ny.acme.test'], proxies: [], port: 5060, transport: null, trustedIps: [], enabled: true, convertIds: false, level: 'verified', watchers: 'allow', probeIntervalMs: 10_000 });
  });

  it('takes probeInterval 0 (never) and a level trusted with the community CA', () => {
    writeTlsFiles();
    const ca = join(scratch.dir, 'ny-ca.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${ca}.key`, '-out', ca, '-days', '1', '-subj', '/CN=NY CA'], { stdio: 'ignore' });
    const [community] = parse(`domains: [example.com]\n${TLS}communities: { list: [{ name: ny, domains: [ny.acme.test], level: trusted, ca: ny-ca.pem, probeInterval: 0 }] }`).communities.list;
    expect(community.probeIntervalMs).toBe(0);
    expect(community.level).toBe('trusted');
    expect(community.ca?.path).toBe(ca);
    expect(community.ca?.fingerprints).toHaveLength(1);
  });

  describe('refuses', () => {
    const one = (entry: string) => `domains: [example.com]\ncommunities: { list: [${entry}] }`;

    it('a community without a name or domains, or an empty domain list', () => {
      expect(problem(one('{ domains: [ny.acme.test] }'), 'communities.list[0].name')).toMatch(/is required; name the community/);
      expect(problem(one('{ name: ny }'), 'communities.list[0].domains')).toMatch(/is required/);
      expect(problem(one('{ name: ny, domains: [] }'), 'communities.list[0].domains')).toMatch(/empty list/);
    });

    it('a name with other characters, and a name twice', () => {
      expect(problem(one('{ name: "new york", domains: [ny.acme.test] }'), 'communities.list[0].name')).toMatch(/letters, digits/);
      // In /api/communities/{name}/enabled a name of dots is a path segment URLs remove: "." would switch every community.
      expect(problem(one('{ name: ".", domains: [ny.acme.test] }'), 'communities.list[0].name')).toMatch(/not dots alone/);
      expect(problem(one('{ name: "..", domains: [ny.acme.test] }'), 'communities.list[0].name')).toMatch(/not dots alone/);
      expect(problem(one('{ name: ny, domains: [a.test] }, { name: ny, domains: [b.test] }'), 'communities.list[1].name')).toMatch(/communities.list\[0\] already/);
    });

    it('a domain that is not one, or is a served domain', () => {
      expect(problem(one('{ name: ny, domains: ["ny acme"] }'), 'communities.list[0].domains[0]')).toMatch(/is not a domain/);
      expect(problem(one('{ name: ny, domains: [example.com] }'), 'communities.list[0].domains[0]')).toMatch(/Herald's own domains/);
    });

    it('a domain in two communities, or in federation.peers or routes:, naming both keys', () => {
      expect(problem(one('{ name: a, domains: [x.test] }, { name: b, domains: [y.test, X.test] }'), 'communities.list[1].domains[1]')).toMatch(/"x.test" is also communities.list\[0\].domains\[0\]; one domain has one policy/);
      expect(problem(`domains: [example.com]\nfederation: { peers: [{ domain: x.test }] }\ncommunities: { list: [{ name: a, domains: [x.test] }] }`, 'communities.list[0].domains[0]')).toMatch(/is also federation.peers\[0\].domain/);
      expect(problem(`domains: [example.com]\nroutes: [{ domain: "*.x.test", to: "sip:192.0.2.1" }]\ncommunities: { list: [{ name: a, domains: ["*.x.test"] }] }`, 'communities.list[0].domains[0]')).toMatch(/is also routes\[0\].domain/);
    });

    it('a proxy that is not a SIP URI, a transport Herald does not speak to servers, a bad port', () => {
      expect(problem(one('{ name: ny, domains: [ny.test], proxies: ["mailto:gw@ny.test"] }'), 'communities.list[0].proxies[0]')).toMatch(/not a SIP URI/);
      expect(problem(one('{ name: ny, domains: [ny.test], transport: ws }'), 'communities.list[0].transport')).toMatch(/expected one of udp, tcp, tls/);
      expect(problem(one('{ name: ny, domains: [ny.test], port: 70000 }'), 'communities.list[0].port')).toMatch(/out of range/);
    });

    it('trustedIps that are not addresses or CIDR ranges', () => {
      expect(problem(one('{ name: ny, domains: [ny.test], trustedIps: [gw.ny.test] }'), 'communities.list[0].trustedIps[0]')).toMatch(/is not an address/);
      expect(problem(one('{ name: ny, domains: [ny.test], trustedIps: [192.0.2.0/40] }'), 'communities.list[0].trustedIps[0]')).toMatch(/not a CIDR range/);
    });

    it('transport tls or level encrypted without TLS set up, saying what to add', () => {
      expect(problem(one('{ name: ny, domains: [ny.test], transport: tls }'), 'communities.list[0].transport')).toMatch(/needs TLS between servers: add tls: \{ cert, key \} and a listener such as tls:\/\/0.0.0.0:5061/);
      expect(problem(one('{ name: ny, domains: [ny.test], level: encrypted }'), 'communities.list[0].level')).toMatch(/`encrypted` needs TLS/);
    });

    it('a ca below level trusted, an unknown watcher action, a probe interval out of range, an unknown key', () => {
      expect(problem(one('{ name: ny, domains: [ny.test], ca: ca.pem }'), 'communities.list[0].ca')).toMatch(/only at level trusted/);
      expect(problem(one('{ name: ny, domains: [ny.test], watchers: maybe }'), 'communities.list[0].watchers')).toMatch(/expected one of allow/);
      expect(problem(one('{ name: ny, domains: [ny.test], probeInterval: -1 }'), 'communities.list[0].probeInterval')).toMatch(/out of range/);
      expect(problem(one('{ name: ny, domains: [ny.test], trustedIP: [192.0.2.1] }'), 'communities.list[0].trustedIP')).toMatch(/did you mean `trustedIps`/);
      expect(reject('communities: { enabled: maybe }').errors.map((e) => e.key)).toContain('communities.enabled');
    });
  });
});
