import tls from 'node:tls';
import type { PeerSettings } from '@herald/proxy';
import { certificateFingerprints } from '@herald/stack';
import { type TestPki, createTestPki } from '@herald/test-kit';
import { privateAnchors } from './private-anchors.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 30_000);
afterAll(() => pki.cleanup());

function peer(domain: string, fingerprints: string[]): PeerSettings {
  return { domain, level: 'trusted', features: [], roles: {}, watchers: 'allow', ca: { path: 'unused.pem', fingerprints } };
}

describe('private anchors: the peers’ own CAs, each for its domain', () => {
  it('maps each peer CA to the domains whose entries name it', () => {
    const [ca] = certificateFingerprints(pki.ca.cert);
    const [other] = certificateFingerprints(pki.otherCa.cert);
    const anchors = privateAnchors({ systemCa: true }, [peer('a.test', [ca]), peer('*.b.test', [ca, other.toLowerCase()])]);
    expect([...anchors]).toEqual([
      [ca, ['a.test', '*.b.test']],
      [other, ['*.b.test']],
    ]);
  });

  it('leaves out a CA that tls.ca or the trusted system store also holds', () => {
    const [ca] = certificateFingerprints(pki.ca.cert);
    const [root] = certificateFingerprints(tls.rootCertificates[0]);
    const peers = [peer('a.test', [ca, root])];
    expect([...privateAnchors({ ca: pki.ca.certFile, systemCa: true }, peers).keys()]).toEqual([]);
    expect([...privateAnchors({ systemCa: false }, peers).keys()]).toEqual([ca, root]);
  });
});
