import { type NamedServer, type TestIdentity, createTestPki, freePort, startNamed } from '@herald/test-kit';
import { type BaresipAgent, startBaresipAgent } from './helpers/baresip-agent.js';
import { adminUrl } from './helpers/admin-client.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { type KamailioPeer, startKamailio } from './helpers/kamailio.js';

const HERALD_HOST = '127.0.0.2';
const KAMAILIO_HOST = '127.0.0.3';
const ALICE = 'sip:alice@herald.test';
const BOB = 'sip:bob@peer.test';
/** How long one change may take to show on the other side. */
const STEP_MS = 5000;
/** From starting both softphones to each seeing the other: their start-up, REGISTER, PUBLISH, and baresip's SUBSCRIBE 1 s after start. */
const START_MS = 10_000;
const TEST_MS = 30_000;
const ADMIN_TOKEN = 'kamailio-federation-admin';

/** The test CA's file and the certificates of both domains (RFC 5922 §7.1 identities). */
interface Certificates {
  ca: string;
  herald: TestIdentity;
  peer: TestIdentity;
  cleanup(): Promise<void>;
}

async function createCertificates(): Promise<Certificates> {
  const pki = await createTestPki();
  const [herald, peer] = await Promise.all([pki.ca.leaf('herald.test'), pki.ca.leaf('peer.test')]);
  return { ca: pki.ca.certFile, herald, peer, cleanup: pki.cleanup };
}

interface Domains {
  named: NamedServer;
  herald: HeraldProcess;
  kamailio: KamailioPeer;
}

/**
 * Herald serves herald.test on 127.0.0.2 and reaches peer.test through `routes:` by name
 * (peer.test's A record, in the test's own `named`, gives 127.0.0.3, so an outbound TLS
 * certificate is checked against the peer's domain); Kamailio serves peer.test on 127.0.0.3
 * and sends herald.test's requests to Herald's address. With `pki`, the two domains talk only
 * mutual TLS, each presenting a certificate of the test CA for its domain.
 */
async function startDomains(pki?: Certificates): Promise<Domains> {
  const named = await startNamed([
    { origin: 'herald.test', records: [`@ IN A ${HERALD_HOST}`] },
    { origin: 'peer.test', records: [`@ IN A ${KAMAILIO_HOST}`] },
  ]);
  for (let attempt = 0; ; attempt++) {
    try {
      return { named, ...(await startServers(named, pki)) };
    } catch (error) {
      // A port probed free for Kamailio may have been taken before it bound it.
      if (attempt < 2 && /Address already in use|bind/i.test(String(error))) continue;
      await named.stop();
      throw error;
    }
  }
}

/**
 * What Herald is told about peer.test, with what it has before federation levels: a route by
 * name, watchers from other domains allowed, and (with `pki`) its certificate and the test CA
 * as its only trust (its `tls://` listener asks clients for a certificate by default). Issue
 * 15's `federation: { peers: [{ domain: peer.test, level: trusted, ca }] }` takes the place of
 * `foreignWatchers` and `tls.ca`.
 */
function peerConfig(route: string, pki?: Certificates): string {
  return [
    pki ? `tls: { cert: "${pki.herald.certFile}", key: "${pki.herald.keyFile}", systemCa: false }` : '',
    // The route's host is the peer domain, so an outbound certificate is checked against it (RFC 5922 §7.3).
    `routes: [{ domain: peer.test, to: "${route}" }]`,
    // Over UDP peer.test is a routes: peer at the default level (verified: Kamailio sends from the address DNS gives
    // peer.test); over TLS, a trusted peer: mutual TLS, Kamailio's chain from the test CA naming peer.test.
    pki ? `federation: { peers: [{ domain: peer.test, level: trusted, ca: "${pki.ca}" }] }` : 'federation: { default: verified }',
    // A configured peer's watchers are allowed by default: no foreignWatchers setting needed.
    'presence: { notifyWindow: 0 }',
    '',
  ].join('\n');
}

async function startServers(named: NamedServer, pki?: Certificates): Promise<Omit<Domains, 'named'>> {
  const kamailioUdp = await freePort();
  const kamailioTls = pki ? await freePort() : undefined;
  const listen = pki ? `["udp://${HERALD_HOST}:0", "tls://${HERALD_HOST}:0"]` : `["udp://${HERALD_HOST}:0"]`;
  const route = pki ? `sip:peer.test:${kamailioTls};transport=tls` : `sip:peer.test:${kamailioUdp};transport=udp`;
  const herald = await startHerald(`domains: [herald.test]
listen: ${listen}
log: { level: info }
admin: { listen: "127.0.0.1:0", token: "${ADMIN_TOKEN}" }
auth: { enabled: false }
dns: { servers: ["${named.server}"] }
${peerConfig(route, pki)}`);
  const kamailio = await startKamailio({
    domain: 'peer.test',
    host: KAMAILIO_HOST,
    port: kamailioUdp,
    otherDomain: 'herald.test',
    otherHop: pki ? `sip:${HERALD_HOST}:${herald.port('tls')};transport=tls` : `sip:${HERALD_HOST}:${herald.port('udp')}`,
    ...(pki && { tls: { port: kamailioTls!, cert: pki.peer.certFile, key: pki.peer.keyFile, ca: pki.ca, serverName: 'herald.test' } }),
  }).catch(async (error: unknown) => {
    await herald.stop();
    throw error;
  });
  return { herald, kamailio };
}

async function stopDomains(d: Partial<Domains>): Promise<void> {
  await Promise.all([d.herald?.stop(), d.kamailio?.stop()]);
  await d.named?.stop();
}

/** Alice at Herald and Bob at Kamailio, each watching the other and publishing their own status. */
async function startClients(d: Domains): Promise<[BaresipAgent, BaresipAgent]> {
  const [alice, bob] = await Promise.allSettled([
    startBaresipAgent({ aor: ALICE, outbound: `sip:${HERALD_HOST}:${d.herald.port('udp')};transport=udp`, contacts: [BOB], publishSeconds: 600 }),
    startBaresipAgent({ aor: BOB, outbound: `sip:${KAMAILIO_HOST}:${d.kamailio.port};transport=udp`, contacts: [ALICE], publishSeconds: 600 }),
  ]);
  if (alice.status === 'fulfilled' && bob.status === 'fulfilled') return [alice.value, bob.value];
  // The one that started must not outlive the suite.
  await Promise.all([alice, bob].map((r) => (r.status === 'fulfilled' ? r.value.stop() : undefined)));
  throw alice.status === 'rejected' ? alice.reason : (bob as PromiseRejectedResult).reason;
}

/**
 * `watcher` sees `presentity` go Offline and come back Online as `presentity` sets its
 * status, told by NOTIFYs that crossed between the domains with `via` (RFC 3856, RFC 3903).
 */
async function followsStatus(presentity: BaresipAgent, presentityUri: string, watcher: BaresipAgent, via: string): Promise<void> {
  await presentity.setOnline(false);
  await watcher.waitForStatus(presentityUri, 'Offline', STEP_MS);
  await presentity.setOnline(true);
  await watcher.waitForStatus(presentityUri, 'Online', STEP_MS);
  const notifies = watcher.received('NOTIFY');
  expect(notifies.at(-1)?.head).toContain(via);
}

/**
 * Both directions of presence (RFC 3856) and of MESSAGE (RFC 3428) between two softphones
 * in two domains, one served by Herald and one by Kamailio; `inter` is the transport
 * between the two servers.
 */
function interopSuite(name: string, pki: () => Promise<Certificates | undefined>, inter: 'UDP' | 'TLS'): void {
  describe(name, () => {
    let certificates: Certificates | undefined;
    let domains: Domains;
    let alice: BaresipAgent;
    let bob: BaresipAgent;
    // What each domain's server stamps on a request it sends to the other: the hop is over `inter`.
    const heraldVia = `Via: SIP/2.0/${inter} ${HERALD_HOST}:`;
    const kamailioVia = `Via: SIP/2.0/${inter} ${KAMAILIO_HOST}:`;

    beforeAll(async () => {
      certificates = await pki();
      domains = await startDomains(certificates);
      [alice, bob] = await startClients(domains);
    }, 60_000);
    afterAll(async () => {
      await Promise.all([alice?.stop(), bob?.stop()]);
      await stopDomains(domains ?? {});
      await certificates?.cleanup();
    }, 30_000);

    it('each side sees the other Online', async () => {
      await alice.waitForStatus(BOB, 'Online', START_MS);
      await bob.waitForStatus(ALICE, 'Online', START_MS);
    }, TEST_MS);

    // Kamailio's presence server sends Bob's NOTIFYs; Herald relays them to Alice.
    it('Alice at Herald follows Bob at Kamailio going Offline and Online again', () => followsStatus(bob, BOB, alice, kamailioVia), TEST_MS);

    it('Bob at Kamailio follows Alice at Herald going Offline and Online again', () => followsStatus(alice, ALICE, bob, heraldVia), TEST_MS);

    it('a MESSAGE from Alice reaches Bob, and one from Bob reaches Alice', async () => {
      const [toBob, toAlice] = [`hello bob ${Math.random()}`, `hello alice ${Math.random()}`];
      await alice.message(toBob);
      const atBob = await bob.waitForMessage(toBob, STEP_MS);
      await bob.message(toAlice);
      const atAlice = await alice.waitForMessage(toAlice, STEP_MS);
      expect(atBob.head).toContain(heraldVia);
      expect(atAlice.head).toContain(kamailioVia);
    }, TEST_MS);

    if (inter === 'TLS') {
      it("Kamailio's connections to Herald carry a certificate of the test CA proving peer.test (RFC 5922 §7.1)", async () => {
        const response = await fetch(`${adminUrl(domains.herald)}/api/federation`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(response.status).toBe(200);
        const { flows } = (await response.json()) as { flows: Array<Record<string, unknown>> };
        const fromKamailio = flows.filter((f) => typeof f.remote === 'string' && f.remote.startsWith(`${KAMAILIO_HOST}:`));
        expect(fromKamailio).not.toHaveLength(0);
        for (const flow of fromKamailio) expect(flow).toMatchObject({ transport: 'tls', identities: ['peer.test'], authorized: true });
      });
    }
  });
}

interopSuite('federation with Kamailio 5.6 as peer.test over UDP', async () => undefined, 'UDP');
interopSuite('federation with Kamailio 5.6 as peer.test over mutual TLS', createCertificates, 'TLS');
