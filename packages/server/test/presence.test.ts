import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type SipRequest, createResponse, formatUri } from '@herald/sip';
import { freePort, runSipp } from '@herald/test-kit';
import { PublisherState } from 'sip.js';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { registerOnce, sipJsPhone, sipJsPublish, sipJsPublisher, sipJsWatch } from './helpers/sipjs.js';
import { pidf } from './helpers/pidf.js';
import { UdpAgent } from './helpers/udp-agent.js';

const TOKEN = 'presence-agent-admin-token';

const config = (peerPort: number, adminPort: number) => `
domains: [example.com]
routes: [{ domain: peer.test, to: "sip:127.0.0.1:${peerPort}" }]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0", "ws://127.0.0.1:0/"]
log: { level: info }
auth: { enabled: false }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
presence: { notifyWindow: 1, minExpires: 2 }
registrar: { minExpires: 1 }
users:
${['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy'].map((u) => `  - { user: ${u}, domain: example.com, password: "pw-${u}" }`).join('\n')}
`;

describe('presence agent (RFC 3856, RFC 6665, RFC 3903)', () => {
  let herald: HeraldProcess;
  let watcher: UdpAgent;
  let phone: UdpAgent;

  let peerPort: number;
  let adminPort: number;

  beforeAll(async () => {
    peerPort = await freePort();
    adminPort = await freePort();
    herald = await startHerald(config(peerPort, adminPort));
  });
  afterAll(async () => {
    await herald.stop();
  });
  beforeEach(async () => {
    watcher = await UdpAgent.start(herald.port('udp'));
    phone = await UdpAgent.start(herald.port('udp'));
  });
  afterEach(async () => {
    await watcher.close();
    await phone.close();
  });

  async function subscribe(presentity: string, headers: string[] = ['Event: presence', 'Expires: 600'], callId = `sub-${presentity}-${Date.now()}`) {
    await watcher.send({
      method: 'SUBSCRIBE',
      uri: `sip:${presentity}@example.com`,
      from: '<sip:bob@example.com>;tag=w1',
      to: `<sip:${presentity}@example.com>`,
      callId,
      headers,
    });
    return { response: await watcher.response(), callId };
  }

  const publish = (presentity: string, headers: string[], body?: string, cseq = 1) => phone.publish(presentity, { headers, body, cseq });

  /** The watchers the admin API lists for `presentity`@example.com. */
  async function watchers(presentity: string): Promise<Array<{ watcher: string }>> {
    const res = await fetch(`http://127.0.0.1:${adminPort}/api/presence/${encodeURIComponent(`${presentity}@example.com`)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { watchers: Array<{ watcher: string }> }).watchers;
  }

  describe('normal path', () => {
    it('answers 200 before the first NOTIFY, which carries the state derived from registration', async () => {
      const { response } = await subscribe('alice');
      expect(response.status).toBe(200);
      expect(response.to.params.get('tag')).toBeTruthy();
      expect(response.header('expires')).toBe('600');
      const notify = await watcher.request();
      expect(notify.method).toBe('NOTIFY');
      expect(notify.header('event')).toBe('presence');
      expect(notify.header('subscription-state')).toMatch(/^active;expires=(600|599)$/);
      expect(notify.header('content-type')).toBe('application/pidf+xml');
      expect(notify.body.toString()).toContain('<basic>closed</basic>');
      expect(notify.body.toString()).toContain('entity="sip:alice@example.com"');

      // Alice's phone registers and never publishes: watchers see her open.
      await phone.send({ method: 'REGISTER', uri: 'sip:example.com', from: '<sip:alice@example.com>;tag=r1', to: '<sip:alice@example.com>', headers: ['Expires: 600'] });
      expect((await phone.response()).status).toBe(200);
      const registered = await watcher.request();
      expect(registered.body.toString()).toContain('<basic>open</basic>');
      expect(registered.cseq.seq).toBeGreaterThan(notify.cseq.seq);
    });

    it('composes publications; a second change within the window comes as one later NOTIFY', async () => {
      const { response } = await subscribe('carol');
      expect(response.status).toBe(200);
      await watcher.request();
      const published = await publish('carol', ['Event: presence', 'Expires: 600'], pidf('carol', 'open'));
      expect(published.status).toBe(200);
      const etag = published.header('sip-etag');
      expect(etag).toBeTruthy();
      expect((await watcher.request()).body.toString()).toContain('<basic>open</basic>');

      const away = '<dm:person id="p1"><rpid:activities><rpid:away/></rpid:activities></dm:person>';
      const modified = await publish('carol', ['Event: presence', 'Expires: 600', `SIP-If-Match: ${etag}`], pidf('carol', 'open', { extra: away }), 2);
      expect(modified.status).toBe(200);
      expect(modified.header('sip-etag')).not.toBe(etag);
      const merged = await watcher.request();
      expect(merged.body.toString()).toContain('<rpid:away/>');
    });

    it('tells watchers when the binding of a presentity that never publishes expires', async () => {
      await phone.send({ method: 'REGISTER', uri: 'sip:example.com', from: '<sip:ivan@example.com>;tag=r9', to: '<sip:ivan@example.com>', callId: 'reg-ivan', headers: ['Expires: 2'] });
      expect((await phone.response()).status).toBe(200);
      const { response } = await subscribe('ivan');
      expect(response.status).toBe(200);
      expect((await watcher.request()).body.toString()).toContain('<basic>open</basic>');
      // No REGISTER, no un-REGISTER: the phone went away.
      expect((await watcher.request(200, 6000)).body.toString()).toContain('<basic>closed</basic>');
    });

    it('tells watchers of an un-REGISTER once: not again when the removed binding would have expired', async () => {
      const register = (expires: number, cseq: number) =>
        phone.send({ method: 'REGISTER', uri: 'sip:example.com', from: '<sip:judy@example.com>;tag=r10', to: '<sip:judy@example.com>', callId: 'reg-judy', cseq, headers: [`Expires: ${expires}`] });
      await register(2, 1);
      expect((await phone.response()).status).toBe(200);
      const { response } = await subscribe('judy');
      expect(response.status).toBe(200);
      expect((await watcher.request()).body.toString()).toContain('<basic>open</basic>');
      await register(0, 2);
      expect((await phone.response()).status).toBe(200);
      expect((await watcher.request()).body.toString()).toContain('<basic>closed</basic>');
      // The binding would have expired 2 s after it was made (and the check runs 0.5 s later).
      await expect(watcher.request(200, 3500)).rejects.toThrow();
    });

    it('tells watchers when a publication expires: the state falls back to the registration', async () => {
      const { response } = await subscribe('heidi');
      expect(response.status).toBe(200);
      expect((await watcher.request()).body.toString()).toContain('<basic>closed</basic>');
      const body = pidf('heidi', 'open', { extra: '<note>for two seconds</note>' });
      expect((await publish('heidi', ['Event: presence', 'Expires: 2'], body)).header('expires')).toBe('2');
      expect((await watcher.request()).body.toString()).toContain('for two seconds');
      // The notify window (1 s) has passed by the time the sweep takes the expired publication.
      const expired = await watcher.request(200, 6000);
      expect(expired.body.toString()).toContain('<basic>closed</basic>');
      expect(expired.body.toString()).not.toContain('for two seconds');
    });

    it('refuses an unknown entity-tag with 412, an unknown event with 489, a short interval with 423', async () => {
      expect((await publish('dave', ['Event: presence', 'Expires: 600', 'SIP-If-Match: nope'])).status).toBe(412);
      const bad = await subscribe('dave', ['Event: dialog']);
      expect(bad.response.status).toBe(489);
      expect(bad.response.header('allow-events')).toBe('presence, presence.winfo');
      const brief = await subscribe('dave', ['Event: presence', 'Expires: 1']);
      expect(brief.response.status).toBe(423);
      expect(brief.response.header('min-expires')).toBe('2');
    });
  });

  describe('the subscription dialog', () => {
    /** SUBSCRIBE in the dialog of `first` (its 200 gave our tag). */
    async function inDialog(first: { response: { to: { params: Map<string, string | null> } }; callId: string }, presentity: string, expires: number, cseq: number) {
      await watcher.send({
        method: 'SUBSCRIBE',
        uri: `sip:${presentity}@example.com`,
        from: '<sip:bob@example.com>;tag=w1',
        to: `<sip:${presentity}@example.com>;tag=${first.response.to.params.get('tag')}`,
        callId: first.callId,
        cseq,
        headers: ['Event: presence', `Expires: ${expires}`],
      });
      return watcher.response();
    }

    it('refreshes (a NOTIFY follows), then unsubscribes with a final NOTIFY', async () => {
      const first = await subscribe('erin');
      await watcher.request();
      const refreshed = await inDialog(first, 'erin', 300, 2);
      expect(refreshed.status).toBe(200);
      expect(refreshed.header('expires')).toBe('300');
      expect((await watcher.request()).header('subscription-state')).toMatch(/^active;expires=(300|299)$/);
      expect((await inDialog(first, 'erin', 0, 3)).status).toBe(200);
      const last = await watcher.request();
      expect(last.header('subscription-state')).toBe('terminated;reason=timeout');
      expect((await inDialog(first, 'erin', 300, 4)).status).toBe(481);
    });

    it('fetches with Expires: 0: one terminated NOTIFY that carries the state, nothing kept', async () => {
      const fetch = await subscribe('erin', ['Event: presence', 'Expires: 0']);
      expect(fetch.response.status).toBe(200);
      const notify = await watcher.request();
      expect(notify.header('subscription-state')).toBe('terminated;reason=timeout');
      expect(notify.body.toString()).toContain('<basic>');
      expect((await inDialog(fetch, 'erin', 300, 2)).status).toBe(481);
    });

    it('ends an expired subscription with terminated;reason=timeout', async () => {
      const first = await subscribe('erin', ['Event: presence', 'Expires: 2']);
      expect(first.response.header('expires')).toBe('2');
      await watcher.request();
      const last = await watcher.request(200, 6000);
      expect(last.header('subscription-state')).toBe('terminated;reason=timeout');
    });

    it('forgets a subscription whose watcher answers a NOTIFY with 481', async () => {
      const first = await subscribe('erin');
      await watcher.request(481);
      // RFC 6665 §4.2.2: the 481 removes the subscription, in a store write that follows the answer; once it is done, a refresh finds nothing.
      expect(await eventually(() => watchers('erin'), (w) => w.length === 0)).toEqual([]);
      expect((await inDialog(first, 'erin', 300, 2)).status).toBe(481);
    });
  });

  describe('formats by Accept (RFC 3856 §6.7)', () => {
    it.each([
      ['application/pidf+xml', 'xmlns="urn:ietf:params:xml:ns:pidf"'],
      ['application/cpim-pidf+xml', 'xmlns="urn:ietf:params:xml:ns:cpim-pidf" entity="pres:erin@example.com"'],
      ['application/xpidf+xml', '<presentity uri="sip:erin@example.com;method=SUBSCRIBE"/>'],
    ])('writes %s', async (accept, marker) => {
      const { response } = await subscribe('erin', ['Event: presence', 'Expires: 0', `Accept: ${accept}`]);
      expect(response.status).toBe(200);
      const notify: SipRequest = await watcher.request();
      expect(notify.header('content-type')).toBe(accept);
      expect(notify.body.toString()).toContain(marker);
    });

    it('answers 406 with what it writes when the watcher accepts none of it', async () => {
      const { response } = await subscribe('erin', ['Event: presence', 'Accept: application/watcherinfo+xml']);
      expect(response.status).toBe(406);
      expect(response.header('accept')).toBe('application/pidf+xml, application/cpim-pidf+xml, application/xpidf+xml');
    });
  });

  describe('presentities of other domains (RFC 3261 §16.6 step 4)', () => {
    it('proxies a SUBSCRIBE to the route of the presentity\'s domain, with Record-Route, and its NOTIFYs come back through Herald', async () => {
      const peer = await UdpAgent.start(herald.port('udp'), peerPort);
      try {
        await watcher.send({ method: 'SUBSCRIBE', uri: 'sip:zed@peer.test', from: '<sip:bob@example.com>;tag=w9', to: '<sip:zed@peer.test>', callId: 'foreign-sub', headers: ['Event: presence', 'Expires: 600'] });
        const subscribe = (await peer.client.nextMessage()) as SipRequest;
        expect(subscribe.method).toBe('SUBSCRIBE');
        const recordRoute = subscribe.headerValues('record-route');
        expect(recordRoute.length).toBeGreaterThan(0);
        const ok = createResponse(subscribe, 200, 'OK', { toTag: 'z1', headers: [...recordRoute.map((rr) => ['Record-Route', rr] as [string, string]), ['Contact', `<sip:zed@127.0.0.1:${peerPort}>`], ['Expires', '600']] });
        await peer.client.send(ok.toBuffer(), herald.port('udp'));
        expect((await watcher.response()).status).toBe(200);

        // The notifier's NOTIFY: to the watcher's Contact, through the route set (Herald).
        const contact = subscribe.contact;
        await peer.send({
          method: 'NOTIFY',
          uri: contact === '*' ? '' : formatUri(contact[0].uri),
          from: '<sip:zed@peer.test>;tag=z1',
          to: '<sip:bob@example.com>;tag=w9',
          callId: 'foreign-sub',
          headers: [...recordRoute.map((rr) => `Route: ${rr}`), 'Event: presence', 'Subscription-State: active;expires=600', `Contact: <sip:zed@127.0.0.1:${peerPort}>`],
        });
        const notify = await watcher.request();
        expect(notify.method).toBe('NOTIFY');
        expect(notify.header('subscription-state')).toBe('active;expires=600');
        expect((await peer.response()).status).toBe(200);
      } finally {
        await peer.close();
      }
    });
  });

  describe('SIPp watchers', () => {
    const scenario = join(dirname(fileURLToPath(import.meta.url)), 'scenarios/watcher-publish.xml');
    it.each([
      ['u1', 'frank'],
      ['t1', 'grace'],
    ] as const)('a SIPp watcher on %s sees its presentity closed, then open once it publishes', async (transport, presentity) => {
      const run = await runSipp(scenario, herald.port(transport === 'u1' ? 'udp' : 'tcp'), transport, 1, ['-s', presentity]);
      if (run.code !== 0) console.log(run.output);
      expect(run.code).toBe(0);
    });
  });

  describe('browser softphones over WebSocket (SIP.js)', () => {
    it('two SIP.js phones see each other: one registers only, the other publishes', async () => {
      const ws = `ws://127.0.0.1:${herald.port('ws')}/`;
      const alice = await sipJsPhone(ws, 'sip:alice@example.com', 'pw-alice');
      const dave = await sipJsPhone(ws, 'sip:dave@example.com', 'pw-dave');
      try {
        expect(await registerOnce(alice)).toBe(200);
        const daveWatchesAlice = await sipJsWatch(dave, 'sip:alice@example.com');
        expect(await daveWatchesAlice.notifies.next()).toContain('<basic>open</basic>');
        const aliceWatchesDave = await sipJsWatch(alice, 'sip:dave@example.com');
        expect(await aliceWatchesDave.notifies.next()).toContain('<basic>closed</basic>');
        const busy = pidf('dave', 'open', { extra: '<dm:person id="d"><rpid:activities><rpid:busy/></rpid:activities></dm:person>' });
        expect(await sipJsPublish(sipJsPublisher(dave), busy)).toBe(PublisherState.Published);
        const seen = await aliceWatchesDave.notifies.next();
        expect(seen).toContain('<basic>open</basic>');
        expect(seen).toContain('<rpid:busy/>');
      } finally {
        await alice.stop();
        await dave.stop();
      }
    });
  });
});
