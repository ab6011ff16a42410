import tls from 'node:tls';
import type { FederationSettings, PeerSettings } from '@herald/proxy';
import { type TestPki, createTestPki } from '@herald/test-kit';
import { tlsSettings } from './tls-settings.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 30_000);
afterAll(() => pki.cleanup());

function peer(domain: string, level: PeerSettings['level'], caFile?: string): PeerSettings {
  return { domain, level, features: [], roles: {}, watchers: 'allow', ...(caFile !== undefined && { ca: { path: caFile, fingerprints: [] } }) };
}

function federation(level: FederationSettings['default'], peers: PeerSettings[] = []): Pick<FederationSettings, 'default' | 'peers'> {
  return { default: level, peers };
}

describe('tls: settings of the transport', () => {
  it("trusts the system store, tls.ca and the peers' CAs for servers; tls.ca and the peers' CAs for clients", () => {
    const { certFile, keyFile } = pki.ca;
    const settings = tlsSettings({ cert: certFile, key: keyFile, ca: pki.ca.certFile, systemCa: true, requestCert: false }, federation('verified', [peer('peer.test', 'trusted', pki.otherCa.certFile)]));
    expect(settings.ca).toEqual([...tls.rootCertificates, pki.ca.cert.trim(), pki.otherCa.cert.trim()]);
    expect(settings.serverCa).toEqual([pki.ca.cert.trim(), pki.otherCa.cert.trim()]);
    expect(settings.cert.toString()).toBe(pki.ca.cert);
  });

  it.each([
    ['federation.default is trusted', () => federation('trusted')],
    ['a trusted peer has no ca', () => federation('verified', [peer('peer.test', 'trusted', pki.otherCa.certFile), peer('public.test', 'trusted')])],
  ])('trusts the system store for clients too when %s', (_, settings) => {
    const { certFile, keyFile } = pki.ca;
    const options = tlsSettings({ cert: certFile, key: keyFile, systemCa: true, requestCert: false }, settings());
    expect(options.serverCa).toEqual(options.ca);
    expect(options.serverCa).toEqual(expect.arrayContaining(tls.rootCertificates));
  });

  it("trusts a trusted community's CA as a peer's, read once for all its domains", () => {
    const { certFile, keyFile } = pki.ca;
    const community = { name: 'chicago', domains: ['a.test', '*.a.test'], proxies: [], port: 5061, transport: 'tls' as const, trustedIps: [], enabled: true, convertIds: false, level: 'trusted' as const, ca: { path: pki.otherCa.certFile, fingerprints: [] }, watchers: 'allow' as const, probeIntervalMs: 0 };
    const settings = tlsSettings({ cert: certFile, key: keyFile, systemCa: false, requestCert: false }, federation('verified'), { list: [community] });
    expect(settings.serverCa).toEqual([pki.otherCa.cert.trim()]);
  });

  it('trusts only the files with systemCa false, on both sides', () => {
    const settings = tlsSettings({ cert: pki.ca.certFile, key: pki.ca.keyFile, ca: pki.ca.certFile, systemCa: false, requestCert: true }, federation('trusted'));
    expect(settings).toMatchObject({ ca: [pki.ca.cert.trim()], serverCa: [pki.ca.cert.trim()], requestCert: true });
  });
});
