import { type SipRequest, createResponse } from '@herald/sip';
import { type NamedServer, type TestPki, createTestPki, freePort, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { PeerTlsServers } from './helpers/peer-tls-servers.js';
import { UdpAgent } from './helpers/udp-agent.js';

const TOKEN = 'tls-outbound-token';

/**
 * RFC 5922 §7.3 end to end: a real named points peer.test's `_sips._tcp` at two servers on
 * other loopback addresses; the first presents a certificate for another domain, the second
 * one for peer.test. Herald refuses the first handshake, fails over, and presents its own
 * certificate to the second.
 */
describe('RFC 5922 §7.3 outbound TLS to a domain found by DNS', () => {
  let pki: TestPki;
  let named: NamedServer;
  let herald: HeraldProcess;
  let adminPort: number;
  let peers: PeerTlsServers;

  beforeAll(async () => {
    pki = await createTestPki();
    const [own, wrong, right] = await Promise.all([pki.ca.leaf('example.com'), pki.ca.leaf('other.test'), pki.ca.leaf('peer.test', { san: 'URI:sip:peer.test' })]);
    const [wrongPort, rightPort] = [await freePort(), await freePort()];
    named = await startNamed([
      {
        origin: 'peer.test',
        records: [`_sips._tcp IN SRV 10 0 ${wrongPort} first`, `_sips._tcp IN SRV 20 0 ${rightPort} second`, 'first IN A 127.0.0.2', 'second IN A 127.0.0.3'],
      },
    ]);
    peers = new PeerTlsServers(pki.ca.cert);
    await peers.listen('wrong', '127.0.0.2', wrong, wrongPort);
    await peers.listen('right', '127.0.0.3', right, rightPort);
    adminPort = await freePort();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0", "tls://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
tls: { cert: ${own.certFile}, key: ${own.keyFile}, ca: ${pki.ca.certFile}, systemCa: false }
dns: { servers: ["${named.server}"] }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
`);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await named?.stop();
    await peers?.close();
    await pki?.cleanup();
  });

  async function failovers(): Promise<number> {
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    return Number(/^herald_proxy_failovers_total (\d+)$/m.exec(metrics)?.[1] ?? NaN);
  }

  it('skips a server whose certificate names another domain, and presents its own to the next', async () => {
    const alice = await UdpAgent.start(herald.port('udp'));
    try {
      const before = await failovers();
      const to = 'sip:bob@peer.test;transport=tls';
      await alice.send({ method: 'MESSAGE', uri: to, from: '<sip:alice@example.com>;tag=a', to: `<${to}>`, callId: 'tls-out', cseq: 1, headers: ['Content-Type: text/plain'], body: 'hello' });
      const { client, socket } = await peers.accepted.next(10_000);
      expect(socket.localAddress).toBe('127.0.0.3');
      // Herald's client certificate, verified against the test CA.
      expect(socket.authorized).toBe(true);
      expect(socket.getPeerCertificate().subjectaltname).toBe('URI:sip:example.com, DNS:example.com');
      const received = (await client.nextMessage()) as SipRequest;
      expect(received.topVia.transport).toBe('TLS');
      await client.write(createResponse(received, 200).toBuffer());
      expect((await alice.response(10_000)).status).toBe(200);
      expect(await failovers()).toBe(before + 1);
      client.destroy();
    } finally {
      await alice.close();
    }
  });
});
