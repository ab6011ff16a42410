import { X509Certificate } from 'node:crypto';
import { type TestPki, createTestPki } from '@herald/test-kit';
import { type CertificateNames, checkSipServerIdentity, parseSubjectAltName, sipIdentities } from './sip-identity.js';

/** What Node's `getPeerCertificate()` gives the identity rules, from a PEM certificate. */
function names(pem: string): CertificateNames {
  const x = new X509Certificate(pem);
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(x.subject)?.[1];
  return { subjectaltname: x.subjectAltName, subject: cn === undefined ? {} : { CN: cn } };
}

let pki: TestPki;
beforeAll(async () => {
  pki = await createTestPki();
}, 30_000);
afterAll(() => pki.cleanup());

describe('subjectAltName strings', () => {
  it('splits entries on ", "', () => {
    expect(parseSubjectAltName('DNS:a.test, URI:sip:a.test, IP Address:127.0.0.1')).toEqual([
      { type: 'DNS', value: 'a.test' },
      { type: 'URI', value: 'sip:a.test' },
      { type: 'IP Address', value: '127.0.0.1' },
    ]);
  });

  it('keeps a quoted entry whole, commas and escapes included', () => {
    expect(parseSubjectAltName('URI:"sip:a.test;x=1, DNS:evil.test", DNS:b.test, URI:"sip:q\\"uote.test"')).toEqual([
      { type: 'URI', value: 'sip:a.test;x=1, DNS:evil.test' },
      { type: 'DNS', value: 'b.test' },
      { type: 'URI', value: 'sip:q"uote.test' },
    ]);
  });

  it('reads nothing from nothing', () => {
    expect(parseSubjectAltName(undefined)).toEqual([]);
    expect(parseSubjectAltName('')).toEqual([]);
  });
});

describe('RFC 5922 §7.1 identities of a certificate', () => {
  it('takes the hosts of sip: URI subjectAltNames, lower case, over dNSNames', async () => {
    const leaf = await pki.ca.leaf('peer.test', { san: 'URI:sip:Peer.Test,URI:sip:alt.test;transport=tls,DNS:host.peer.test' });
    expect(sipIdentities(names(leaf.cert))).toEqual(['peer.test', 'alt.test']);
  });

  it('ignores sips:, other schemes and URIs with a user part', async () => {
    const leaf = await pki.ca.leaf('peer.test', { san: 'URI:sips:a.test,URI:https://b.test/,URI:sip:user@c.test,DNS:peer.test' });
    expect(sipIdentities(names(leaf.cert))).toEqual(['peer.test']);
  });

  it('takes the dNSNames when no sip: URI is there', async () => {
    const leaf = await pki.ca.leaf('peer.test', { san: 'DNS:Peer.test,DNS:other.test,IP:127.0.0.1' });
    expect(sipIdentities(names(leaf.cert))).toEqual(['peer.test', 'other.test']);
  });

  it('takes the CN only when there is no subjectAltName at all', async () => {
    const onlyIp = await pki.ca.leaf('peer.test', { san: 'IP:127.0.0.1' });
    expect(sipIdentities(names(onlyIp.cert))).toEqual([]);
    expect(sipIdentities({ subject: { CN: 'Peer.Test' } })).toEqual(['peer.test']);
  });

  it('reads the test PKI leaf as its domain', async () => {
    const leaf = await pki.ca.leaf('peer.test', { ips: ['127.0.0.1'] });
    expect(sipIdentities(names(leaf.cert))).toEqual(['peer.test']);
  });
});

describe('RFC 5922 §7.3 server identity', () => {
  it('accepts the SIP domain a SAN URI names, whatever the case', async () => {
    const leaf = await pki.ca.leaf('peer.test', { san: 'URI:sip:peer.test' });
    expect(checkSipServerIdentity('PEER.test', names(leaf.cert))).toBeUndefined();
  });

  it('refuses a certificate that names another domain', async () => {
    const leaf = await pki.ca.leaf('other.test');
    expect(checkSipServerIdentity('peer.test', names(leaf.cert))?.message).toMatch(/names other\.test, not peer\.test/);
  });

  it('ignores the dNSName when a SAN URI is there', async () => {
    const leaf = await pki.ca.leaf('peer.test', { san: 'URI:sip:other.test,DNS:peer.test' });
    expect(checkSipServerIdentity('peer.test', names(leaf.cert))).toBeInstanceOf(Error);
  });

  it('RFC 5922 §7.2: matches no wildcard', async () => {
    const leaf = await pki.ca.leaf('peer.test', { san: 'DNS:*.test' });
    expect(checkSipServerIdentity('peer.test', names(leaf.cert))).toBeInstanceOf(Error);
  });
});
