import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { UdpClient, freePort } from '@herald/test-kit';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { pidf } from './helpers/pidf.js';
import { UdpAgent } from './helpers/udp-agent.js';

const TOKEN = 'presence-limits-token';
const USERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];

/**
 * What a watcher of another domain can make Herald keep and send (issue 13 item 3): caps per
 * presentity, per watcher domain and per source address (503 with Retry-After past one); a
 * NOTIFY that fails or gets no answer ends its subscription, and nothing more goes to it;
 * a pending stranger gets a short interval and no NOTIFY on the presentity's changes.
 * T1 is 50 ms, so that Timer F (64·T1) ends an unanswered NOTIFY in 3.2 s.
 */
describe('limits on what watchers of other domains make Herald keep (RFC 6665, issue 13)', () => {
  let herald: HeraldProcess;
  let adminPort: number;
  const agents: UdpAgent[] = [];
  let published = 0;

  beforeAll(async () => {
    adminPort = await freePort();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
log: { level: info }
auth: { enabled: false }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
sip: { t1: 50, t2: 200 }
# The strangers are scripted on 127.0.0.x without DNS: unconfigured domains taken at their word, as the caps are what is tested.
federation: { default: permissive }
presence: { notifyWindow: 0, foreignWatchers: confirm, maxWatchersPerPresentity: 6, maxSubscriptionsPerWatcherDomain: 4, maxSubscriptionsPerSource: 5 }
users:
${USERS.map((u) => `  - { user: ${u}, domain: example.com, password: "pw-${u}" }`).join('\n')}
`);
  });
  afterAll(async () => {
    for (const a of agents.splice(0)) await a.close();
    await herald.stop();
  });

  async function agent(host = '127.0.0.1'): Promise<UdpAgent> {
    const a = await UdpAgent.start(herald.port('udp'), 0, host);
    agents.push(a);
    return a;
  }

  /**
   * Sends a SUBSCRIBE from `watcher` to `presentity`@example.com and resolves with its final
   * response; after a 200, also waits for the first NOTIFY and answers it (unless the
   * Contact names another agent).
   */
  async function subscribe(a: UdpAgent, watcher: string, presentity: string, { callId = `sub-${Math.random()}`, contact }: { callId?: string; contact?: string } = {}) {
    await a.send({
      method: 'SUBSCRIBE',
      uri: `sip:${presentity}@example.com`,
      from: `<${watcher}>;tag=w`,
      to: `<sip:${presentity}@example.com>`,
      callId,
      headers: ['Event: presence', 'Expires: 3600', ...(contact === undefined ? [] : [`Contact: ${contact}`])],
    });
    const [response] = await collect(a, 1, 0);
    if (response.status === 200 && contact === undefined) await collect(a, 0, 1);
    return response;
  }

  /**
   * Reads what comes to `a` until it has `responses` final responses and has answered (200)
   * `notifies` first NOTIFYs; retransmissions are answered again, not counted. Resolves with the responses.
   */
  async function collect(a: UdpAgent, responses: number, notifies: number): Promise<SipResponse[]> {
    const out: SipResponse[] = [];
    const first = new Set<string>();
    while (out.length < responses || first.size < notifies) {
      const m = await a.client.nextMessage();
      if (m.isRequest()) {
        await a.client.send(createResponse(m, 200).toBuffer(), herald.port('udp'), '127.0.0.1');
        first.add(m.callId);
      } else if (m.status >= 200) out.push(m);
    }
    return out;
  }

  /** The NOTIFY with CSeq `cseq` that comes to `a`, answered 200; earlier ones (retransmissions) are answered and passed over. */
  async function notifyNumbered(a: UdpAgent, cseq: number): Promise<SipRequest> {
    for (;;) {
      const m = await a.request();
      if (m.cseq.seq >= cseq) {
        expect(m.cseq.seq).toBe(cseq);
        return m;
      }
    }
  }

  /** The CSeqs of the requests that came to `client` and were not read yet. */
  async function leftOver(client: UdpClient): Promise<string[]> {
    const out: string[] = [];
    while (client.datagrams.length > 0) {
      const m = await client.nextMessage();
      if (m.isRequest()) out.push(m.header('cseq')!);
    }
    return out;
  }

  /** `presentity` publishes a new document: a change its active watchers are told of. */
  async function change(presentity: string): Promise<void> {
    const a = await agent();
    const body = pidf(presentity, ++published % 2 ? 'open' : 'closed', { inTuple: `<note>change ${published}</note>` });
    expect((await a.publish(presentity, { body, callId: `pub-${published}` })).status).toBe(200);
  }

  async function watchers(presentity: string): Promise<Array<{ watcher: string; status: string }>> {
    const res = await fetch(`http://127.0.0.1:${adminPort}/api/presence/${encodeURIComponent(`${presentity}@example.com`)}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { watchers: Array<{ watcher: string; status: string }> }).watchers;
  }

  async function metric(line: string): Promise<number | undefined> {
    const text = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const found = text.split('\n').find((l) => l.startsWith(`${line} `));
    return found === undefined ? undefined : Number(found.split(' ')[1]);
  }

  describe('caps', () => {
    it('stops a flood from one address at maxSubscriptionsPerSource: 503, Retry-After, the reason naming the cap', async () => {
      const flood = await agent('127.0.0.2');
      for (let i = 0; i < 20; i++) {
        await flood.send({
          method: 'SUBSCRIBE',
          uri: 'sip:alice@example.com',
          from: `<sip:u${i}@d${i}.example>;tag=w`,
          to: '<sip:alice@example.com>',
          callId: `flood-${i}`,
          headers: ['Event: presence', 'Expires: 3600'],
        });
      }
      const answers = await collect(flood, 20, 5);
      expect(answers.filter((r) => r.status === 200)).toHaveLength(5);
      const refused = answers.filter((r) => r.status !== 200);
      expect(refused).toHaveLength(15);
      for (const r of refused) {
        expect([r.status, r.reason, r.header('retry-after')]).toEqual([503, 'Too Many Subscriptions From Your Address', '600']);
      }
      expect((await watchers('alice')).filter((w) => w.status === 'pending')).toHaveLength(5);
      // Another address is not held back by this one.
      expect((await subscribe(await agent('127.0.0.3'), 'sip:v@other.example', 'alice')).status).toBe(200);
      // A local watcher from the same address is not a stranger.
      expect((await subscribe(flood, 'sip:bob@example.com', 'alice')).status).toBe(200);
      expect(await metric('herald_presence_subscriptions_refused_total{cap="source"}')).toBe(15);
    });

    it('refuses a fifth subscription of one watcher domain, from any address (maxSubscriptionsPerWatcherDomain)', async () => {
      const statuses: Array<[number, string]> = [];
      for (let i = 0; i < 5; i++) {
        const r = await subscribe(await agent(`127.0.1.${i + 1}`), `sip:x${i}@spam.example`, i % 2 ? 'bob' : 'carol');
        statuses.push([r.status, r.reason]);
      }
      expect(statuses).toEqual([...Array(4).fill([200, 'OK']), [503, 'Too Many Subscriptions From Your Domain']]);
    });

    it('refuses a stranger once the presentity has maxWatchersPerPresentity watchers; a local watcher still subscribes', async () => {
      for (let i = 0; i < 5; i++) expect((await subscribe(await agent(`127.0.2.${i + 1}`), `sip:y@p${i}.example`, 'dave')).status).toBe(200);
      expect((await subscribe(await agent(), 'sip:carol@example.com', 'dave')).status).toBe(200);
      const refused = await subscribe(await agent('127.0.2.9'), 'sip:y@late.example', 'dave');
      expect([refused.status, refused.reason]).toEqual([503, 'Too Many Watchers Of This Presentity']);
      expect((await subscribe(await agent(), 'sip:erin@example.com', 'dave')).status).toBe(200);
      expect(await watchers('dave')).toHaveLength(7);
    });
  });

  describe('NOTIFYs', () => {
    /** A local watcher of `presentity` that answers, to know when a change has been sent out. */
    async function control(presentity: string): Promise<UdpAgent> {
      const a = await agent();
      expect((await subscribe(a, 'sip:frank@example.com', presentity)).status).toBe(200);
      return a;
    }

    it('ends a subscription whose NOTIFY nobody answers, and sends it nothing more, not even the changes meanwhile', async () => {
      const watching = await control('erin');
      const dead = await UdpClient.bind('127.0.0.1');
      try {
        expect((await subscribe(await agent(), 'sip:alice@example.com', 'erin', { contact: `<sip:alice@127.0.0.1:${dead.port}>` })).status).toBe(200);
        expect(((await dead.nextMessage()) as SipRequest).method).toBe('NOTIFY');
        await change('erin');
        await notifyNumbered(watching, 2);
        expect(await eventually(() => watchers('erin'), (w) => w.length === 1, 10_000)).toEqual([expect.objectContaining({ watcher: 'sip:frank@example.com' })]);
        await change('erin');
        await notifyNumbered(watching, 3);
        expect(new Set(await leftOver(dead))).toEqual(new Set(['1 NOTIFY']));
        expect(await metric('herald_presence_notify_failures_total')).toBeGreaterThanOrEqual(1);
      } finally {
        await dead.close();
      }
    });

    it('ends a subscription whose watcher answers a NOTIFY with an error', async () => {
      const watching = await control('frank');
      const refusing = await agent();
      await refusing.send({ method: 'SUBSCRIBE', uri: 'sip:frank@example.com', from: '<sip:alice@example.com>;tag=w', to: '<sip:frank@example.com>', callId: 'refuses-notify', headers: ['Event: presence', 'Expires: 3600'] });
      expect((await refusing.response()).status).toBe(200);
      // Should response() have passed over the first NOTIFY, its retransmission is the next request.
      expect((await refusing.request(500)).header('cseq')).toBe('1 NOTIFY');
      expect(await eventually(() => watchers('frank'), (w) => w.length === 1)).toEqual([expect.objectContaining({ watcher: 'sip:frank@example.com' })]);
      await change('frank');
      await notifyNumbered(watching, 2);
      await change('frank');
      await notifyNumbered(watching, 3);
      expect((await leftOver(refusing.client)).filter((cseq) => cseq !== '1 NOTIFY')).toEqual([]);
    });

    it('grants a pending stranger a short interval and sends it no NOTIFY when the presentity changes', async () => {
      const watching = await control('carol');
      const stranger = await agent('127.0.3.1');
      const ok = await subscribe(stranger, 'sip:zed@far.example', 'carol');
      expect([ok.status, ok.header('expires')]).toEqual([200, '600']);
      await change('carol');
      await notifyNumbered(watching, 2);
      await change('carol');
      await notifyNumbered(watching, 3);
      expect((await leftOver(stranger.client)).filter((cseq) => cseq !== '1 NOTIFY')).toEqual([]);
      expect((await watchers('carol')).find((w) => w.watcher === 'sip:zed@far.example')).toMatchObject({ status: 'pending' });
    });
  });
});
