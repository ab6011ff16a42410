import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, problem, scratch, useScratchDir, writeTlsFiles } from '../../../test/helpers/config-fixture.js';

useScratchDir();

/** What levels encrypted and trusted need: Herald's certificate and a tls:// listener. */
const TLS = `listen: [tls://0.0.0.0:5061]
tls: { cert: certs/cert.pem, key: certs/key.pem }
`;

/** A self-signed CA certificate made with openssl in the scratch directory; its path. */
function makeCa(name: string): string {
  const path = join(scratch.dir, name);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(scratch.dir, `${name}.key`), '-out', path, '-days', '1', '-subj', '/CN=Partner CA'], { stdio: 'ignore' });
  return path;
}

describe('federation', () => {
  it('defaults to verified, no lists, every feature, no peers', () => {
    expect(parse('domains: [example.com]').federation).toEqual({ default: 'verified', allow: [], block: [], features: ['messages', 'presence', 'calls', 'fileTransfer'], peers: [] });
  });

  it('reads the example of docs/configuration.md, the CA resolved against the config file and its fingerprints taken', () => {
    const ca = makeCa('partner-ca.pem');
    writeTlsFiles();
    const config = parse(`domains: [example.com, example.org]
${TLS}federation:
  default: permissive
  allow: []
  block: ["*.spam.example", "198.51.100.0/24"]
  features: [messages, presence]
  peers:
    - { domain: Partner.Example, level: trusted, ca: partner-ca.pem, features: [messages, presence], roles: { presence: [alice@example.com, bob] }, watchers: allow }
    - { domain: "*.acme.example" }
`);
    expect(config.federation).toEqual({
      default: 'permissive',
      allow: [],
      block: ['*.spam.example', '198.51.100.0/24'],
      features: ['messages', 'presence'],
      peers: [
        {
          domain: 'partner.example',
          level: 'trusted',
          ca: { path: ca, fingerprints: [new X509Certificate(readFileSync(ca)).fingerprint256] },
          features: ['messages', 'presence'],
          roles: { presence: ['alice@example.com', 'bob@example.com'] },
          watchers: 'allow',
        },
        { domain: '*.acme.example', level: 'permissive', features: ['messages', 'presence', 'calls', 'fileTransfer'], roles: {}, watchers: 'allow' },
      ],
    });
  });

  it('keeps the listed entries in lower case, once each', () => {
    expect(parse('federation: { allow: [Partner.Example], block: ["*.Spam.example", 198.51.100.0/24, "*.spam.example"] }').federation).toMatchObject({
      allow: ['partner.example'],
      block: ['*.spam.example', '198.51.100.0/24'],
    });
  });

  it('reads the addresses a peer sends from besides its DNS', () => {
    expect(parse('federation: { peers: [{ domain: partner.example, addresses: [192.0.2.10, "198.51.100.0/28"] }] }').federation.peers[0]).toMatchObject({ addresses: ['192.0.2.10', '198.51.100.0/28'] });
    expect(parse('federation: { peers: [{ domain: partner.example }] }').federation.peers[0]).not.toHaveProperty('addresses');
  });

  it.each([
    ['federation: { peers: [{ domain: partner.example, addresses: [proxy.partner.example] }] }', 'federation.peers[0].addresses[0]', /not an address; list IP addresses or CIDR ranges/],
    ['federation: { default: strict }', 'federation.default', /expected one of off, permissive, verified, encrypted, trusted/],
    ['federation: { block: ["spam example"] }', 'federation.block[0]', /not a domain or address/],
    ['federation: { allow: ["10.0.0.0/33"] }', 'federation.allow[0]', /not a CIDR range/],
    ['federation: { features: [messages, video] }', 'federation.features[1]', /expected one of messages, presence, calls, fileTransfer/],
    ['federation: { peers: [{ level: verified }] }', 'federation.peers[0].domain', /is required/],
    ['federation: { peers: [{ domain: localhost }] }', 'federation.peers[0].domain', /one of Herald's own domains/],
    ['federation: { peers: [{ domain: "peer test" }] }', 'federation.peers[0].domain', /is not a domain/],
    ['federation: { peers: [{ domain: peer.test, level: high }] }', 'federation.peers[0].level', /expected one of/],
    ['federation: { peers: [{ domain: peer.test, watchers: ignore }] }', 'federation.peers[0].watchers', /expected one of allow, block, polite-block, confirm/],
    ['federation: { peers: [{ domain: peer.test, roles: { video: [alice] } }] }', 'federation.peers[0].roles.video', /expected one of messages/],
    ['federation: { peers: [{ domain: peer.test, roles: { presence: ["a b@x"] } }] }', 'federation.peers[0].roles.presence[0]', /is not a user/],
    ['federation: { default: trusted }', 'federation.default', /`trusted` needs TLS: add tls: \{ cert, key \} and a listener such as tls:\/\/0\.0\.0\.0:5061/],
    ['federation: { peers: [{ domain: peer.test, level: encrypted }] }', 'federation.peers[0].level', /`encrypted` needs TLS: add tls: \{ cert, key \} and a listener such as tls:/],
    ['listen: [udp://0.0.0.0:5060, wss://0.0.0.0:8443]\ntls: { cert: certs/cert.pem, key: certs/key.pem }\nfederation: { default: encrypted }', 'federation.default', /needs TLS: add a listener such as tls:\/\/0\.0\.0\.0:5061, or choose/],
    ['federation: { peers: [{ domain: peer.test, ca: missing.pem }] }', 'federation.peers[0].ca', /is used only at level trusted, and this peer's level is verified; set level: trusted, or remove ca/],
    [`${TLS}federation: { default: permissive, peers: [{ domain: peer.test, level: encrypted, ca: missing.pem }] }`, 'federation.peers[0].ca', /used only at level trusted/],
    ['federation: { peers: [{ domain: peer.test }, { domain: Peer.Test }] }', 'federation.peers[1].domain', /has an entry already/],
    ['federation: { peer: [] }', 'federation.peer', /did you mean `peers`/],
    ['federation: { block: spam.example }', 'federation.block', /list/],
    ['federation: { blocks: [spam.example] }', 'federation.blocks', /block/],
  ])('names the problem in %s', (text, key, message) => {
    writeTlsFiles();
    expect(problem(text, key)).toMatch(message);
  });

  it('refuses a CA file that is missing or holds no certificate', () => {
    writeTlsFiles();
    writeFileSync(join(scratch.dir, 'empty.pem'), 'not a certificate\n');
    expect(problem(`${TLS}federation: { peers: [{ domain: peer.test, level: trusted, ca: missing.pem }] }`, 'federation.peers[0].ca')).toMatch(/cannot read .*missing\.pem \(no such file\)/);
    expect(problem(`${TLS}federation: { peers: [{ domain: peer.test, level: trusted, ca: empty.pem }] }`, 'federation.peers[0].ca')).toMatch(/holds no PEM certificate/);
  });

  it('takes encrypted and trusted with a certificate and a tls:// listener, a peer inheriting the default', () => {
    writeTlsFiles();
    const ca = makeCa('partner-ca.pem');
    const config = parse(`${TLS}federation: { default: trusted, peers: [{ domain: peer.test, ca: partner-ca.pem }, { domain: enc.test, level: encrypted }] }`);
    expect(config.federation.peers.map((p) => [p.domain, p.level, p.ca?.path])).toEqual([
      ['peer.test', 'trusted', ca],
      ['enc.test', 'encrypted', undefined],
    ]);
  });
});
