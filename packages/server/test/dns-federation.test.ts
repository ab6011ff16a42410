import { type NamedServer, freePort, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { pidf } from './helpers/pidf.js';
import { UdpAgent } from './helpers/udp-agent.js';
import { type KamailioPeer, startKamailio } from './helpers/kamailio.js';

async function register(agent: UdpAgent, user: string, domain: string): Promise<void> {
  const aor = `<sip:${user}@${domain}>`;
  await agent.send({ method: 'REGISTER', uri: `sip:${domain}`, from: `${aor};tag=r`, to: aor, callId: `reg-${user}-${Math.random()}`, headers: ['Expires: 600'] });
  expect((await agent.response()).status).toBe(200);
}

/** A MESSAGE from `from` (AoR `fromUri`) to `toUri`, received by `to` and answered 200. @see RFC 3428 */
async function relaysMessage(from: UdpAgent, to: UdpAgent, fromUri: string, toUri: string): Promise<void> {
  const text = `hello ${toUri} ${Math.random()}`;
  await from.send({ method: 'MESSAGE', uri: toUri, from: `<${fromUri}>;tag=m`, to: `<${toUri}>`, headers: ['Content-Type: text/plain'], body: text });
  const delivered = await to.request(200);
  expect(delivered.method).toBe('MESSAGE');
  expect(delivered.body.toString()).toBe(text);
  expect((await from.response()).status).toBe(200);
}

/** `watcher` subscribes to `user`@`domain`: 200, a first NOTIFY, then the state `presentity` PUBLISHes. @see RFC 3856 */
async function watches(watcher: UdpAgent, presentity: UdpAgent, watcherUri: string, user: string, domain: string): Promise<void> {
  const target = `sip:${user}@${domain}`;
  await watcher.send({
    method: 'SUBSCRIBE',
    uri: target,
    from: `<${watcherUri}>;tag=w`,
    to: `<${target}>`,
    callId: `dns-sub-${user}-${Math.random()}`,
    headers: ['Event: presence', 'Expires: 600', 'Accept: application/pidf+xml'],
  });
  expect((await watcher.response()).status).toBe(200);
  const first = await watcher.request(200);
  expect(first.method).toBe('NOTIFY');
  expect(first.header('subscription-state')).toMatch(/^active/);

  expect((await presentity.publish(user, { domain, body: pidf(`${user}@${domain}`, 'open') })).status).toBe(200);
  for (;;) {
    const notify = await watcher.request(200);
    if (!notify.body.toString().includes('<basic>open</basic>')) continue;
    expect(notify.body.toString()).toContain(`entity="${target}"`);
    return;
  }
}

/**
 * Two real Herald processes serving example.test and peer.test, with no `routes:`: each
 * finds the other only through a real `named`, example.test by NAPTR → SRV → A, peer.test
 * by SRV → A. @see RFC 3263 §4
 */
describe('two domains found through DNS (RFC 3263)', () => {
  let named: NamedServer;
  let home: HeraldProcess;
  let peer: HeraldProcess;
  let alice: UdpAgent;
  let bob: UdpAgent;

  beforeAll(async () => {
    const [homePort, peerPort] = [await freePort(), await freePort()];
    named = await startNamed([
      {
        origin: 'example.test',
        records: [`@ IN NAPTR 10 50 "S" "SIP+D2U" "" _sip._udp.example.test.`, `_sip._udp IN SRV 10 50 ${homePort} sip`, 'sip IN A 127.0.0.1'],
      },
      { origin: 'peer.test', records: [`_sip._udp IN SRV 10 50 ${peerPort} proxy`, 'proxy IN A 127.0.0.1'] },
    ]);
    const common = `log: { level: info }
auth: { enabled: false }
dns: { servers: ["${named.server}"] }
presence: { notifyWindow: 0, foreignWatchers: allow }`;
    [home, peer] = await Promise.all([
      startHerald(`domains: [example.test]\nlisten: ["udp://127.0.0.1:${homePort}"]\n${common}\n`),
      startHerald(`domains: [peer.test]\nlisten: ["udp://127.0.0.1:${peerPort}"]\n${common}\n`),
    ]);
  });
  afterAll(async () => {
    await Promise.all([home?.stop(), peer?.stop()]);
    await named?.stop();
  });
  beforeEach(async () => {
    alice = await UdpAgent.start(home.port('udp'));
    bob = await UdpAgent.start(peer.port('udp'));
    await register(alice, 'alice', 'example.test');
    await register(bob, 'bob', 'peer.test');
  });
  afterEach(async () => {
    await alice.close();
    await bob.close();
  });

  it('relays a MESSAGE from alice at example.test to bob at peer.test (SRV → A)', () => relaysMessage(alice, bob, 'sip:alice@example.test', 'sip:bob@peer.test'));
  it('relays a MESSAGE from bob at peer.test to alice at example.test (NAPTR → SRV → A)', () => relaysMessage(bob, alice, 'sip:bob@peer.test', 'sip:alice@example.test'));
  it('presence: alice at example.test watches bob at peer.test', () => watches(alice, bob, 'sip:alice@example.test', 'bob', 'peer.test'));
  it('presence: bob at peer.test watches alice at example.test', () => watches(bob, alice, 'sip:bob@peer.test', 'alice', 'example.test'));
});

/**
 * Kamailio serves peer.test, found by Herald only through `named`; Kamailio reaches
 * example.test by a fixed next hop (its resolver reads only /etc/resolv.conf).
 */
describe('Kamailio as peer.test, found through DNS', () => {
  let named: NamedServer;
  let home: HeraldProcess;
  let kamailio: KamailioPeer;
  let alice: UdpAgent;
  let bob: UdpAgent;

  beforeAll(async () => {
    const [homePort, peerPort] = [await freePort(), await freePort()];
    named = await startNamed([
      { origin: 'example.test', records: [] },
      { origin: 'peer.test', records: [`@ IN NAPTR 10 50 "S" "SIP+D2U" "" _sip._udp.peer.test.`, `_sip._udp IN SRV 10 50 ${peerPort} kamailio`, 'kamailio IN A 127.0.0.1'] },
    ]);
    kamailio = await startKamailio({ domain: 'peer.test', port: peerPort, otherDomain: 'example.test', otherHop: `sip:127.0.0.1:${homePort}` });
    home = await startHerald(`domains: [example.test]
listen: ["udp://127.0.0.1:${homePort}"]
log: { level: info }
auth: { enabled: false }
dns: { servers: ["${named.server}"] }
presence: { notifyWindow: 0, foreignWatchers: allow }
`);
  });
  afterAll(async () => {
    await Promise.all([home?.stop(), kamailio?.stop()]);
    await named?.stop();
  });
  beforeEach(async () => {
    alice = await UdpAgent.start(home.port('udp'));
    bob = await UdpAgent.start(kamailio.port);
    await register(alice, 'alice', 'example.test');
    await register(bob, 'bob', 'peer.test');
  });
  afterEach(async () => {
    await alice.close();
    await bob.close();
  });

  it('relays a MESSAGE from alice at Herald to bob at Kamailio', () => relaysMessage(alice, bob, 'sip:alice@example.test', 'sip:bob@peer.test'));
  it('relays a MESSAGE from bob at Kamailio to alice at Herald', () => relaysMessage(bob, alice, 'sip:bob@peer.test', 'sip:alice@example.test'));
  it('presence: alice at Herald watches bob at Kamailio', () => watches(alice, bob, 'sip:alice@example.test', 'bob', 'peer.test'));
  it('presence: bob at Kamailio watches alice at Herald', () => watches(bob, alice, 'sip:bob@peer.test', 'alice', 'example.test'));
});
