import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { type NamedServer, StreamClient, type TestIdentity, type TestPki, createTestPki, requestText, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { PeerTlsServers } from './helpers/peer-tls-servers.js';
import { UdpAgent } from './helpers/udp-agent.js';

/**
 * The TLS levels of federation end to end, with certificates the test makes: `trusted`
 * (a chain from the peer's CA naming the domain, RFC 5922 §7.1–§7.2) and `encrypted` (TLS,
 * any certificate, the source address checked against DNS), inbound and outbound, and a
 * connection identified as one domain carrying another's From.
 */
describe('federation over TLS: trusted and encrypted peers', () => {
  let pki: TestPki;
  let named: NamedServer;
  let herald: HeraldProcess;
  let peers: PeerTlsServers;

  beforeAll(async () => {
    pki = await createTestPki();
    peers = new PeerTlsServers(pki.ca.cert);
    const [own, trusted, fake, enc] = await Promise.all([pki.ca.leaf('example.com'), pki.ca.leaf('trusted.test'), pki.selfSigned('fake.test'), pki.selfSigned('enc.test')]);
    const [trustedPort, fakePort, encPort] = [await peers.listen('trusted', '127.0.0.2', trusted), await peers.listen('fake', '127.0.0.4', fake), await peers.listen('enc', '127.0.0.3', enc)];
    named = await startNamed([
      { origin: 'trusted.test', records: [`_sips._tcp IN SRV 10 0 ${trustedPort} sip`, 'sip IN A 127.0.0.2'] },
      // fake.test's server presents a self-signed certificate: a trusted peer cannot be reached there.
      { origin: 'fake.test', records: [`_sips._tcp IN SRV 10 0 ${fakePort} sip`, 'sip IN A 127.0.0.4'] },
      { origin: 'enc.test', records: [`_sips._tcp IN SRV 10 0 ${encPort} sip`, 'sip IN A 127.0.0.3'] },
    ]);
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "tls://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
tls: { cert: ${own.certFile}, key: ${own.keyFile}, systemCa: false }
dns: { servers: ["${named.server}"] }
users:
  - { user: bob, domain: example.com, password: "builder" }
federation:
  default: verified
  peers:
    - { domain: trusted.test, level: trusted, ca: ${pki.ca.certFile} }
    - { domain: fake.test, level: trusted, ca: ${pki.ca.certFile} }
    - { domain: enc.test, level: encrypted }
`);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await named?.stop();
    await peers?.close();
    await pki?.cleanup();
  });

  /** A MESSAGE from `from` to Bob (offline: a message Herald accepts is stored, 202) over a connection from `localAddress`. */
  async function messageFrom(from: string, via: { transport: 'tls' | 'tcp'; localAddress?: string; certificate?: TestIdentity; client?: StreamClient }): Promise<SipResponse> {
    const client =
      via.client ??
      (await StreamClient.connect(via.transport, herald.port(via.transport), '127.0.0.1', {
        localAddress: via.localAddress,
        ...(via.certificate && { cert: via.certificate.cert, key: via.certificate.key }),
      }));
    try {
      await client.write(requestText({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: `<sip:${from}>;tag=f1`, to: '<sip:bob@example.com>', transport: via.transport.toUpperCase(), headers: ['Content-Type: text/plain'], body: 'hello' }));
      return (await client.nextMessage(10_000)) as SipResponse;
    } finally {
      if (via.client === undefined) client.destroy();
    }
  }

  describe('inbound', () => {
    it('accepts a trusted peer whose certificate chains to its CA and names it, from any address', async () => {
      const response = await messageFrom('carol@trusted.test', { transport: 'tls', localAddress: '127.0.0.9', certificate: await pki.ca.leaf('trusted.test') });
      expect(response.status).toBe(202);
    });

    it.each([
      ['self-signed', () => pki.selfSigned('trusted.test'), /Certificate Not Trusted/],
      ['from another CA', () => pki.otherCa.leaf('trusted.test'), /Certificate Not Trusted/],
      ['naming another domain', () => pki.ca.leaf('wrong.test'), /Certificate Does Not Name trusted\.test/],
    ])('refuses a trusted peer whose certificate is %s', async (_, make, reason) => {
      const response = await messageFrom('carol@trusted.test', { transport: 'tls', localAddress: '127.0.0.2', certificate: await make() });
      expect(response.status).toBe(403);
      expect(response.reason).toMatch(reason);
    });

    it('refuses a trusted peer over TCP, even from its own address', async () => {
      const response = await messageFrom('carol@trusted.test', { transport: 'tcp', localAddress: '127.0.0.2' });
      expect(response.status).toBe(403);
    });

    it('accepts an encrypted peer with a self-signed certificate from the address DNS gives it', async () => {
      const response = await messageFrom('dave@enc.test', { transport: 'tls', localAddress: '127.0.0.3', certificate: await pki.selfSigned('enc.test') });
      expect(response.status).toBe(202);
    });

    it('refuses an encrypted peer from an address DNS does not give it, and over TCP', async () => {
      const impostor = await messageFrom('dave@enc.test', { transport: 'tls', localAddress: '127.0.0.5', certificate: await pki.selfSigned('enc.test') });
      expect(impostor.status).toBe(403);
      expect(impostor.reason).toMatch(/enc\.test/);
      const plain = await messageFrom('dave@enc.test', { transport: 'tcp', localAddress: '127.0.0.3' });
      expect(plain.status).toBe(403);
      expect(plain.reason).toMatch(/TLS/);
    });

    it('refuses a From of a third domain over a connection identified as trusted.test, and closes it after repeated offences', async () => {
      const client = await StreamClient.connect('tls', herald.port('tls'), '127.0.0.1', { localAddress: '127.0.0.2', ...(await pki.ca.leaf('trusted.test')) });
      try {
        expect((await messageFrom('carol@trusted.test', { transport: 'tls', client })).status).toBe(202);
        const offence = await messageFrom('mallory@enc.test', { transport: 'tls', client });
        expect(offence.status).toBe(403);
        expect(offence.reason).toMatch(/From Domain/);
        expect((await messageFrom('mallory@enc.test', { transport: 'tls', client })).status).toBe(403);
        // The third offence is answered, then the connection closed.
        expect((await messageFrom('mallory@enc.test', { transport: 'tls', client })).status).toBe(403);
        await client.closed;
      } finally {
        client.destroy();
      }
    });
  });

  describe('outbound', () => {
    let alice: UdpAgent;
    beforeEach(async () => {
      alice = await UdpAgent.start(herald.port('udp'));
    });
    afterEach(async () => {
      await alice.close();
    });

    async function send(to: string, callId: string): Promise<void> {
      await alice.send({ method: 'MESSAGE', uri: `sip:${to}`, from: '<sip:alice@example.com>;tag=a', to: `<sip:${to}>`, callId, cseq: 1, headers: ['Content-Type: text/plain'], body: 'hi' });
    }

    it('reaches a trusted peer over TLS only, checking its certificate against the domain and presenting its own', async () => {
      await send('carol@trusted.test', 'out-trusted');
      const { client, socket, server } = await peers.accepted.next(10_000);
      expect(server).toBe('trusted');
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subjectaltname).toContain('URI:sip:example.com');
      const received = (await client.nextMessage()) as SipRequest;
      expect(received.topVia.transport).toBe('TLS');
      await client.write(createResponse(received, 200).toBuffer());
      expect((await alice.response(10_000)).status).toBe(200);
      client.destroy();
    });

    it('answers 503 naming a trusted peer whose server presents a self-signed certificate', async () => {
      await send('carol@fake.test', 'out-fake');
      const response = await alice.response(15_000);
      expect(response.status).toBe(503);
      expect(response.reason).toBe('TLS Connection To fake.test Failed');
    });

    it('reaches an encrypted peer that presents a self-signed certificate', async () => {
      await send('dave@enc.test', 'out-enc');
      const { client, server } = await peers.accepted.next(10_000);
      expect(server).toBe('enc');
      const received = (await client.nextMessage()) as SipRequest;
      await client.write(createResponse(received, 200).toBuffer());
      expect((await alice.response(10_000)).status).toBe(200);
      client.destroy();
    });
  });
});
