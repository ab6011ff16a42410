import type { SipResponse } from '@herald/sip';
import { type TestPki, StreamClient, clientCaNames, createTestPki, freePort, requestText } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';

/**
 * TLS listeners that ask for client certificates (federation peers, RFC 5922) still take
 * softphones that have none, or one that does not verify: the SIP layer decides.
 */
describe('TLS listeners requesting client certificates', () => {
  let pki: TestPki;
  let herald: HeraldProcess;
  let adminPort: number;
  const TOKEN = 'tls-clients-token';

  beforeAll(async () => {
    pki = await createTestPki();
    adminPort = await freePort();
    const own = await pki.ca.leaf('example.com', { ips: ['127.0.0.1'] });
    const yaml = `
domains: [example.com]
listen: ["tcp://127.0.0.1:0", { uri: "tls://127.0.0.1:0", clientCert: request }]
tls: { cert: ${own.certFile}, key: ${own.keyFile}, ca: ${pki.ca.certFile}, systemCa: false }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
users:
  - { user: alice, domain: example.com, password: "wonderland" }
`;
    herald = await startHerald(yaml);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await pki?.cleanup();
  });

  it('registers a softphone without a certificate: 401, then 200', async () => {
    const phone = await TcpPhone.register(herald.port('tls'), 'alice', 'wonderland', 'example.com', 'tls');
    phone.client.destroy();
  });

  it.each([
    ['signed by the trusted CA', () => pki.ca.leaf('peer.test')],
    ['self-signed', () => pki.selfSigned('peer.test')],
    ['signed by an unknown CA', () => pki.otherCa.leaf('peer.test')],
  ])('answers a client whose certificate is %s', async (_, make) => {
    const { cert, key } = await make();
    const client = await StreamClient.connect('tls', herald.port('tls'), '127.0.0.1', { cert, key });
    await client.write(requestText({ uri: 'sip:example.com', transport: 'TLS' }));
    expect(((await client.nextMessage()) as SipResponse).status).toBe(200);
    client.destroy();
  });

  it('lists the live TLS flows and what their certificates proved in GET /api/federation', async () => {
    const { cert, key } = await pki.ca.leaf('peer.test');
    const client = await StreamClient.connect('tls', herald.port('tls'), '127.0.0.1', { cert, key });
    try {
      await client.write(requestText({ uri: 'sip:example.com', transport: 'TLS' }));
      await client.nextMessage();
      const response = await fetch(`http://127.0.0.1:${adminPort}/api/federation`, { headers: { authorization: `Bearer ${TOKEN}` } });
      const { flows } = (await response.json()) as { flows: unknown[] };
      expect(flows).toContainEqual(expect.objectContaining({ transport: 'tls', remote: `127.0.0.1:${client.localPort}`, identities: ['peer.test'], authorized: true }));
    } finally {
      client.destroy();
    }
  });
});

/**
 * What a CertificateRequest names is sent to every client, softphones included: the system
 * store's ~140 roots make it ~15 KB, more than small TLS stacks take. It names them only when
 * a federation level needs a public CA's client certificate.
 */
describe('the CA names a TLS listener asks client certificates of', () => {
  let pki: TestPki;
  beforeAll(async () => {
    pki = await createTestPki();
  }, 30_000);
  afterAll(() => pki?.cleanup());

  async function caNames(federation: string): Promise<string[]> {
    const own = await pki.ca.leaf('example.com', { ips: ['127.0.0.1'] });
    const herald = await startHerald(`
domains: [example.com]
listen: ["tls://127.0.0.1:0"]
tls: { cert: ${own.certFile}, key: ${own.keyFile}, ca: ${pki.ca.certFile} }
${federation}
`);
    try {
      return await clientCaNames(herald.port('tls'));
    } finally {
      await herald.stop();
    }
  }

  it("names tls.ca and the peers' CAs only, by default", async () => {
    expect(await caNames(`federation: { peers: [{ domain: peer.test, level: trusted, ca: ${pki.otherCa.certFile} }] }`)).toEqual(['CN = Herald Test CA', 'CN = Unrelated Test CA']);
  }, 30_000);

  it('names the system roots too for a trusted peer without its own ca', async () => {
    const names = await caNames('federation: { peers: [{ domain: peer.test, level: trusted }] }');
    expect(names.length).toBeGreaterThan(100);
    expect(names).toContain('CN = Herald Test CA');
  }, 30_000);
});
