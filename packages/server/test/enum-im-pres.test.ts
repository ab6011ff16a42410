import { type NamedServer, freePort, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

// Two real Herald processes, example.test and peer.test, and a real named serving the ENUM
// tree and peer.test's _im._sip / _pres._sip records. example.test has no routes: every way
// out of it is DNS.

const homeConfig = (dnsServer: string, serverPort: number) => `
domains: [example.test]
routes: [{ domain: routed.test, to: "sip:127.0.0.1:${serverPort}" }]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
dns: { servers: ["${dnsServer}"] }
enum: { suffixes: [e164.arpa] }
# Senders of other domains are scripted on 127.0.0.1, in domains named does not serve.
federation: { default: permissive }
users:
${['alice', 'carol', 'dave'].map((u) => `  - { user: ${u}, domain: example.test, password: "pw-${u}" }`).join('\n')}
`;

const peerConfig = `
domains: [peer.test]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
presence: { foreignWatchers: allow }
# example.test reaches peer.test from 127.0.0.1 and has no DNS records peer.test could check.
federation: { default: permissive }
users:
  - { user: bob, domain: peer.test, password: "pw-bob" }
`;

function enumZone(): { origin: string; records: string[] } {
  return {
    origin: 'e164.arpa',
    records: [
      // +1 202 555 0100: Bob of peer.test, by SIP first in preference, but by IM for a MESSAGE (RFC 5028).
      '0.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+sip" "!^.*$!sip:nobody@example.test!" .',
      '0.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 20 "u" "E2U+im" "!^.*$!im:bob@peer.test!" .',
      // +1 202 555 0101: only a SIP record, to carol of example.test.
      '1.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+sip" "!^\\\\+1202555(.*)$!sip:carol@example.test!" .',
      // +1 202 555 0102: Alice's presence (RFC 3953) next to a record ENUM does not use.
      '2.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "u" "E2U+email:mailto" "!^.*$!mailto:alice@example.test!" .',
      '2.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 20 "u" "E2U+pres" "!^.*$!pres:alice@example.test!" .',
      // +1 202 555 0103: handed on (non-terminal) to a tree named does not serve, so it REFUSES.
      '3.0.1.0.5.5.5.2.0.2.1 60 IN NAPTR 10 10 "" "" "" 3.0.1.0.5.5.5.2.0.2.1.e164.unserved.',
    ],
  };
}

describe('tel:, im: and pres: Request-URIs (RFC 6116, RFC 3861, RFC 5509)', () => {
  let named: NamedServer;
  let home: HeraldProcess;
  let peer: HeraldProcess;
  let sender: UdpAgent;
  // A plain SIP endpoint standing for other domains' servers, to see the Request-URI Herald sends.
  let server: UdpAgent;

  beforeAll(async () => {
    peer = await startHerald(peerConfig);
    const peerPort = peer.port('udp');
    const serverPort = await freePort();
    named = await startNamed([
      enumZone(),
      { origin: 'peer.test', records: [`_im._sip 60 IN SRV 10 10 ${peerPort} sip`, `_pres._sip 60 IN SRV 10 10 ${peerPort} sip`, 'sip 60 IN A 127.0.0.1'] },
      {
        origin: 'other.test',
        records: [
          `_im._sip 60 IN SRV 10 10 ${serverPort} im-server`,
          '_pres._sip 60 IN SRV 0 0 0 .',
          'im-server 60 IN A 127.0.0.1',
        ],
      },
      // Overridden by routes: for routed.test.
      { origin: 'routed.test', records: [`_im._sip 60 IN SRV 10 10 ${peerPort} sip`, 'sip 60 IN A 127.0.0.1'] },
      // No _im._sip here: plain RFC 3263 for sip:user@plain.test.
      { origin: 'plain.test', records: [`_sip._udp 60 IN SRV 10 10 ${serverPort} sip`, 'sip 60 IN A 127.0.0.1'] },
    ]);
    home = await startHerald(homeConfig(named.server, serverPort));
    server = await UdpAgent.start(home.port('udp'), serverPort);
  }, 30_000);
  afterAll(async () => {
    await server?.close();
    await home?.stop();
    await peer?.stop();
    await named?.stop();
  });
  beforeEach(async () => {
    sender = await UdpAgent.start(home.port('udp'));
  });
  afterEach(async () => {
    await sender.close();
  });

  async function registered(herald: HeraldProcess, user: string, domain: string): Promise<UdpAgent> {
    const phone = await UdpAgent.start(herald.port('udp'));
    await phone.send({ method: 'REGISTER', uri: `sip:${domain}`, from: `<sip:${user}@${domain}>;tag=r`, to: `<sip:${user}@${domain}>`, callId: `reg-${user}-${Date.now()}`, headers: ['Expires: 600'] });
    expect((await phone.response()).status).toBe(200);
    return phone;
  }

  function message(uri: string, body: string, callId = `msg-${Date.now()}-${Math.random()}`) {
    return sender.send({
      method: 'MESSAGE',
      uri,
      from: '<sip:alice@example.test>;tag=m',
      to: `<${uri}>`,
      callId,
      headers: ['Content-Type: text/plain'],
      body,
    });
  }

  /** A presence SUBSCRIBE from dave@example.test to `uri`. */
  function subscribe(uri: string) {
    return sender.send({ method: 'SUBSCRIBE', uri, from: '<sip:dave@example.test>;tag=w', to: `<${uri}>`, callId: `sub-${Date.now()}-${Math.random()}`, headers: ['Event: presence', 'Expires: 60'] });
  }

  describe('ENUM', () => {
    it('MESSAGE tel:+12025550100 follows E2U+im to im:bob@peer.test, then _im._sip.peer.test, to Bob at peer.test', async () => {
      const bob = await registered(peer, 'bob', 'peer.test');
      try {
        await message('tel:+1-202-555-0100', 'hello by number');
        const delivered = await bob.request(200);
        expect(delivered.method).toBe('MESSAGE');
        expect(delivered.body.toString()).toBe('hello by number');
        expect((await sender.response()).status).toBe(200);
      } finally {
        await bob.close();
      }
    });

    it('routes a number with only an E2U+sip record by that record, here to a local user', async () => {
      const carol = await registered(home, 'carol', 'example.test');
      try {
        await message('sip:+12025550101@example.test;user=phone', 'hello carol');
        const delivered = await carol.request(200);
        expect(delivered.body.toString()).toBe('hello carol');
        expect((await sender.response()).status).toBe(200);
      } finally {
        await carol.close();
      }
    });

    it('routes a user=phone number ENUM does not know by its host', async () => {
      await message('sip:+12025550199@example.test;user=phone', 'to the host');
      const response = await sender.response();
      expect(response.status).toBe(404);
      expect(response.reason).toBe('Not Found');
    });

    it('takes E2U+pres for a presence SUBSCRIBE: 200, then a NOTIFY about alice@example.test', async () => {
      await subscribe('tel:+12025550102');
      expect((await sender.response()).status).toBe(200);
      const notify = await sender.request(200);
      expect(notify.method).toBe('NOTIFY');
      expect(notify.body.toString()).toContain('entity="sip:alice@example.test"');
    });

    it('answers 404 for a number no suffix resolves, and for one with no record for the method', async () => {
      await message('tel:+12025550199', 'nobody');
      const unknown = await sender.response();
      expect(unknown.status).toBe(404);
      expect(unknown.reason).toBe('Number Not Found In ENUM');
      // +1 202 555 0102 has E2U+pres and E2U+email only: nothing for a MESSAGE.
      await message('tel:+12025550102', 'no im record');
      const noRecord = await sender.response();
      expect(noRecord.status).toBe(404);
      expect(noRecord.reason).toBe('Number Not Found In ENUM');
    });
  });

  it('routes a user=phone number by its host when ENUM cannot be asked: a local user registered under it gets it', async () => {
    const phone = await registered(home, '+12025550103', 'example.test');
    try {
      await message('sip:+12025550103@example.test;user=phone', 'by number');
      const delivered = await phone.request(200);
      expect(delivered.method).toBe('MESSAGE');
      expect(delivered.body.toString()).toBe('by number');
      expect((await sender.response()).status).toBe(200);
    } finally {
      await phone.close();
    }
  });

  it('answers 504 when DNS cannot be asked, for ENUM and for _im._sip', async () => {
    await message('tel:+12025550103', 'nobody to ask');
    const number = await sender.response();
    expect(number.status).toBe(504);
    expect(number.reason).toBe('ENUM Lookup Failed');
    await message('im:erin@unserved.test', 'nobody to ask');
    const mailbox = await sender.response();
    expect(mailbox.status).toBe(504);
    expect(mailbox.reason).toBe('DNS Failure For unserved.test');
  });

  it('does not look numbers up for a sender from another domain: 403, as any relaying', async () => {
    await sender.send({ method: 'MESSAGE', uri: 'tel:+12025550100', from: '<sip:mallory@elsewhere.test>;tag=m', to: '<tel:+12025550100>', headers: ['Content-Type: text/plain'], body: 'x' });
    expect((await sender.response()).status).toBe(403);
  });

  describe('im: and pres: of a served domain', () => {
    it('MESSAGE im:carol@example.test reaches Carol as sip:carol@example.test would', async () => {
      const carol = await registered(home, 'carol', 'example.test');
      try {
        await message('im:carol@example.test', 'hello by im');
        const delivered = await carol.request(200);
        expect(delivered.body.toString()).toBe('hello by im');
        expect(delivered.uri.scheme).toBe('sip');
        expect((await sender.response()).status).toBe(200);
      } finally {
        await carol.close();
      }
    });

    it('MESSAGE im:dave@example.test is stored while Dave is away and delivered when he registers', async () => {
      await message('im:dave@example.test', 'kept for dave');
      expect((await sender.response()).status).toBe(202);
      const dave = await registered(home, 'dave', 'example.test');
      try {
        const delivered = await dave.request(200);
        expect(delivered.body.toString()).toBe('kept for dave');
      } finally {
        await dave.close();
      }
    });

    it('SUBSCRIBE pres:alice@example.test gets 200 and a NOTIFY with her PIDF', async () => {
      await subscribe('pres:alice@example.test');
      expect((await sender.response()).status).toBe(200);
      const notify = await sender.request(200);
      expect(notify.method).toBe('NOTIFY');
      expect(notify.header('content-type')).toBe('application/pidf+xml');
      expect(notify.body.toString()).toContain('entity="sip:alice@example.test"');
    });
  });

  describe('im: and pres: of another domain', () => {
    it('MESSAGE im:bob@peer.test goes where _im._sip.peer.test says, as sip:bob@peer.test', async () => {
      const bob = await registered(peer, 'bob', 'peer.test');
      try {
        await message('im:bob@peer.test', 'hello by srv');
        const delivered = await bob.request(200);
        expect(delivered.body.toString()).toBe('hello by srv');
        expect((await sender.response()).status).toBe(200);
      } finally {
        await bob.close();
      }
    });

    it('sends sip:user@domain, not the SRV target, as Request-URI', async () => {
      await message('im:erin@other.test', 'to the im server');
      const received = await server.request(200);
      expect(received.uriText).toBe('sip:erin@other.test');
      expect(received.body.toString()).toBe('to the im server');
      expect((await sender.response()).status).toBe(200);
    });

    it('falls back to RFC 3263 for sip:user@domain when the domain has no _im._sip record', async () => {
      await message('im:frank@plain.test', 'by plain sip');
      const received = await server.request(200);
      expect(received.uriText).toBe('sip:frank@plain.test');
      expect((await sender.response()).status).toBe(200);
    });

    it('lets a routes: entry override the SRV records of its domain', async () => {
      await message('im:grace@routed.test', 'by route');
      const received = await server.request(200);
      expect(received.uriText).toBe('sip:grace@routed.test');
      expect((await sender.response()).status).toBe(200);
    });

    it('answers 404 when the SRV record says the service is not there (target ".")', async () => {
      await subscribe('pres:frank@other.test');
      const response = await sender.response();
      expect(response.status).toBe(404);
      expect(response.reason).toBe('No Presence Service at other.test');
    });

    it('SUBSCRIBE pres:bob@peer.test goes where _pres._sip.peer.test says: 200 and a NOTIFY from peer.test', async () => {
      await subscribe('pres:bob@peer.test');
      const response = await sender.response();
      expect(response.status).toBe(200);
      const notify = await sender.request(200);
      expect(notify.method).toBe('NOTIFY');
      expect(notify.body.toString()).toContain('entity="sip:bob@peer.test"');
    });
  });
});
