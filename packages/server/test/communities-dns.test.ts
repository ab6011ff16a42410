import { type SipResponse, createResponse } from '@herald/sip';
import { type NamedServer, StreamClient, type TestIdentity, type TestPki, createTestPki, freePort, requestText, startNamed } from '@herald/test-kit';
import { type CommunityUser, message, nextMessage, registerUser, statusLine } from './helpers/community-agents.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { PeerTlsServers } from './helpers/peer-tls-servers.js';
import { UdpAgent } from './helpers/udp-agent.js';

// Herald serves dc.acme.test on 127.0.0.2. Three communities name no proxies: chicago is
// found by its SRV record (a server on 127.0.0.3), denver, with no SRV, by its A record
// (127.0.0.6) at the community's port, and vault (127.0.0.7) talks mutual TLS only, at level
// trusted with the test CA as its own. Scripted servers of those
// domains listen where DNS points.
const HOST = '127.0.0.2';
const CHICAGO_HOST = '127.0.0.3';
const IMPOSTOR_HOST = '127.0.0.5';
const DENVER_HOST = '127.0.0.6';
const VAULT_HOST = '127.0.0.7';
const TOKEN = 'communities-dns-admin-token';

describe('gateway communities without proxies: RFC 3263, the A record and port, TLS only', () => {
  let named: NamedServer;
  let pki: TestPki;
  let herald: HeraldProcess;
  let adminPort: number;
  /** What chicago's SRV record and denver's A record and `port` point at. */
  let chicago: UdpAgent;
  let denver: UdpAgent;
  let alice: CommunityUser;
  /** Vault's TLS server, where its A record and `port` point. */
  let vaultServers: PeerTlsServers;

  beforeAll(async () => {
    const [chicagoPort, denverPort, vaultPort] = [await freePort(), await freePort(), await freePort()];
    adminPort = await freePort();
    named = await startNamed([
      { origin: 'chi.acme.test', records: [`_sip._udp IN SRV 10 0 ${chicagoPort} sip`, `sip IN A ${CHICAGO_HOST}`] },
      { origin: 'den.acme.test', records: [`@ IN A ${DENVER_HOST}`] },
      { origin: 'vault.acme.test', records: [`@ IN A ${VAULT_HOST}`] },
    ]);
    pki = await createTestPki();
    const identity = await pki.ca.leaf('dc.acme.test');
    herald = await startHerald(`domains: [dc.acme.test]
listen: ["udp://${HOST}:0", "tls://${HOST}:0"]
log: { level: info }
auth: { enabled: false }
# Timer F (64·T1) ends a transaction nobody answers in 3.2 s.
sip: { t1: 50, t2: 200 }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
dns: { servers: ["${named.server}"] }
tls: { cert: "${identity.certFile}", key: "${identity.keyFile}", systemCa: false }
communities:
  enabled: true
  list:
    - { name: chicago, domains: [chi.acme.test], transport: udp }
    - { name: denver, domains: [den.acme.test], port: ${denverPort}, transport: udp }
    - { name: vault, domains: [vault.acme.test], port: ${vaultPort}, transport: tls, trustedIps: [${VAULT_HOST}], level: trusted, ca: "${pki.ca.certFile}" }
`);
    vaultServers = new PeerTlsServers(pki.ca.cert);
    await vaultServers.listen('vault', VAULT_HOST, await pki.ca.leaf('vault.acme.test'), vaultPort);
    [chicago, denver] = await Promise.all([UdpAgent.start(herald.port('udp'), chicagoPort, CHICAGO_HOST, HOST), UdpAgent.start(herald.port('udp'), denverPort, DENVER_HOST, HOST)]);
    alice = await registerUser(herald, HOST, 'alice', 'dc.acme.test');
  }, 60_000);

  afterAll(async () => {
    await Promise.all([chicago?.close(), denver?.close(), alice?.agent.close()]);
    // Herald first: its connections to vault's server end with it, and the server can close.
    await herald?.stop();
    await vaultServers?.close();
    await named?.stop();
    await pki?.cleanup();
  });

  /** A MESSAGE from alice to `uri` arrives at `server`, which answers 200. */
  async function reaches(uri: string, server: UdpAgent): Promise<void> {
    const text = `to ${uri} ${Math.random()}`;
    const [got, response] = await Promise.all([server.request(200, 10_000), message(alice, uri, text)]);
    expect(got.method).toBe('MESSAGE');
    expect(got.uriText).toBe(uri);
    expect(got.body.toString()).toBe(text);
    expect(statusLine(response)).toBe('200 OK');
  }

  /** A MESSAGE from `from` sent by `agent` (a server of another community) to alice: the response, and (`taken`) the MESSAGE at alice. */
  async function fromCommunity(agent: UdpAgent, from: string, taken: boolean): Promise<string> {
    const text = `from ${from} ${Math.random()}`;
    await agent.send({ method: 'MESSAGE', uri: 'sip:alice@dc.acme.test', from: `<${from}>;tag=c`, to: '<sip:alice@dc.acme.test>', headers: ['Content-Type: text/plain'], body: text });
    if (!taken) return statusLine(await agent.response(10_000));
    const [got, response] = await Promise.all([nextMessage(alice), agent.response(10_000)]);
    expect(got.body.toString()).toBe(text);
    return statusLine(response);
  }

  it('routes to a community by its SRV record (_sip._udp.chi.acme.test)', () => reaches('sip:bob@chi.acme.test', chicago));

  it('routes to a community without SRV records by its A record and the community port', () => reaches('sip:dave@den.acme.test', denver));

  it('takes a community’s request from the address its DNS gives, and refuses an impostor’s from another', async () => {
    expect(await fromCommunity(chicago, 'sip:bob@chi.acme.test', true)).toBe('200 OK');
    expect(await fromCommunity(denver, 'sip:dave@den.acme.test', true)).toBe('200 OK');
    const impostor = await UdpAgent.start(herald.port('udp'), 0, IMPOSTOR_HOST, HOST);
    try {
      expect(await fromCommunity(impostor, 'sip:mallory@chi.acme.test', false)).toBe('403 Source Not Authorized For chi.acme.test');
    } finally {
      await impostor.close();
    }
  });

  /** A MESSAGE from `from` over mutual TLS from vault's address, presenting `certificate`: the response, and (`taken`) the MESSAGE at alice. */
  async function overTls(certificate: TestIdentity, from: string, taken: boolean): Promise<string> {
    const client = await StreamClient.connect('tls', herald.port('tls'), HOST, { localAddress: VAULT_HOST, cert: certificate.cert, key: certificate.key });
    try {
      const text = `over TLS from ${from} ${Math.random()}`;
      await client.write(
        requestText({
          method: 'MESSAGE',
          uri: 'sip:alice@dc.acme.test',
          transport: 'TLS',
          sentBy: `${VAULT_HOST}:${client.localPort}`,
          from: `<${from}>;tag=v`,
          to: '<sip:alice@dc.acme.test>',
          headers: ['Content-Type: text/plain'],
          body: text,
        }),
      );
      const final = async (): Promise<SipResponse> => {
        for (;;) {
          const m = await client.nextMessage(10_000);
          if (!m.isRequest() && m.status >= 200) return m;
        }
      };
      if (!taken) return statusLine(await final());
      const [got, response] = await Promise.all([nextMessage(alice), final()]);
      expect(got.body.toString()).toBe(text);
      return statusLine(response);
    } finally {
      client.destroy();
    }
  }

  describe('a TLS community at level trusted (its own CA)', () => {
    it('refuses its request over UDP, even from its trusted address', async () => {
      const vault = await UdpAgent.start(herald.port('udp'), 0, VAULT_HOST, HOST);
      try {
        expect(await fromCommunity(vault, 'sip:val@vault.acme.test', false)).toBe('403 TLS Required For vault.acme.test');
      } finally {
        await vault.close();
      }
    });

    it('takes its request over mutual TLS with a certificate of its CA naming the domain, and refuses one of another CA', async () => {
      expect(await overTls(await pki.ca.leaf('vault.acme.test'), 'sip:val@vault.acme.test', true)).toBe('200 OK');
      expect(await overTls(await pki.otherCa.leaf('vault.acme.test'), 'sip:val@vault.acme.test', false)).toBe('403 Certificate Not Trusted For vault.acme.test');
    });

    it('reaches it over mutual TLS at its A record and port', async () => {
      const sent = message(alice, 'sip:val@vault.acme.test', 'to the vault');
      const { client, socket, server } = await vaultServers.accepted.next(10_000);
      try {
        expect(server).toBe('vault');
        // Herald showed its own certificate (mutual TLS).
        expect(socket.getPeerCertificate().subject?.CN).toBe('dc.acme.test');
        const got = await client.nextMessage(10_000);
        expect(got.isRequest() && got.method).toBe('MESSAGE');
        if (got.isRequest()) await client.write(createResponse(got, 200).toBuffer());
        expect(statusLine(await sent)).toBe('200 OK');
      } finally {
        client.destroy();
      }
    });
  });

  it('refuses every community both ways while the global switch is off, and takes them again once it is reset', async () => {
    const call = (method: 'PUT' | 'DELETE') =>
      fetch(`http://127.0.0.1:${adminPort}/api/communities/enabled`, {
        method,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        ...(method === 'PUT' && { body: JSON.stringify({ enabled: false }) }),
      });
    expect((await call('PUT')).status).toBe(200);
    try {
      expect(statusLine(await message(alice, 'sip:dave@den.acme.test', 'while off'))).toBe('403 Community denver Disabled');
      expect(await fromCommunity(chicago, 'sip:bob@chi.acme.test', false)).toBe('403 Community chicago Disabled');
    } finally {
      expect((await call('DELETE')).status).toBe(200);
    }
    await reaches('sip:bob@chi.acme.test', chicago);
    expect(await fromCommunity(chicago, 'sip:bob@chi.acme.test', true)).toBe('200 OK');
  });
});
