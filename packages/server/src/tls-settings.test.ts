import tls from 'node:tls';
import { type TestPki, createTestPki } from '@herald/test-kit';
import { tlsSettings } from './tls-settings.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 30_000);
afterAll(() => pki.cleanup());

describe('tls: settings of the transport', () => {
  it('trusts the system store, tls.ca and the peers\' CAs together, on both sides', () => {
    const { certFile, keyFile } = pki.ca;
    const settings = tlsSettings({ cert: certFile, key: keyFile, ca: pki.ca.certFile, systemCa: true, requestCert: false }, [pki.otherCa.certFile]);
    expect(settings.ca).toEqual([...tls.rootCertificates, pki.ca.cert.trim(), pki.otherCa.cert.trim()]);
    expect(settings.cert.toString()).toBe(pki.ca.cert);
  });

  it('trusts only the files with systemCa false', () => {
    const settings = tlsSettings({ cert: pki.ca.certFile, key: pki.ca.keyFile, ca: pki.ca.certFile, systemCa: false, requestCert: true });
    expect(settings).toMatchObject({ ca: [pki.ca.cert.trim()], requestCert: true });
  });
});
