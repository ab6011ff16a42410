import { type NamedServer, freePort, startNamed } from '@herald/test-kit';
import { type HeraldProcess, startHerald } from './helpers/herald-process.js';
import { ADMIN_TOKEN as TOKEN, startPresenceHerald } from './helpers/presence-herald.js';
import { pidf } from './helpers/pidf.js';
import { parts, resourceList } from './helpers/resource-lists.js';
import { UdpAgent } from './helpers/udp-agent.js';

/**
 * Subscriptions to lists of presentities (RFC 4662): a list in the SUBSCRIBE's body
 * (RFC 5367, as Linphone sends), or a list stored through the admin API (Yealink, Blink).
 */
describe('resource lists (RFC 4662, RFC 5367)', () => {
  let herald: HeraldProcess;
  let adminPort: number;
  let watcher: UdpAgent;
  let phone: UdpAgent;

  let named: NamedServer;

  beforeAll(async () => {
    // DNS for the other domains, which knows none of them.
    named = await startNamed([{ origin: 'example', records: [] }]);
    ({ herald, adminPort } = await startPresenceHerald(['alice', 'bob', 'carol', 'dave'], '{ notifyWindow: 0 }', `dns: { servers: ["${named.server}"] }`));
  });
  afterAll(async () => {
    await herald.stop();
    await named.stop();
  });
  beforeEach(async () => {
    watcher = await UdpAgent.start(herald.port('udp'));
    phone = await UdpAgent.start(herald.port('udp'));
  });
  afterEach(async () => {
    await watcher.close();
    await phone.close();
  });

  async function subscribeList(uri: string, headers: string[], body?: string) {
    await watcher.send({
      method: 'SUBSCRIBE',
      uri,
      from: '<sip:alice@example.com>;tag=l1',
      to: `<${uri}>`,
      callId: `list-${Math.random()}`,
      headers: ['Event: presence', 'Expires: 600', ...headers],
      body,
    });
    return watcher.response();
  }

  async function publish(user: string, basic: 'open' | 'closed') {
    expect((await phone.publish(user, { body: pidf(user, basic) })).status).toBe(200);
  }

  it('takes the list in the body: full state of every member first, then only the member that changed', async () => {
    await publish('bob', 'open');
    const response = await subscribeList(
      'sip:rls@example.com',
      [
        'Require: recipient-list-subscribe',
        'Supported: eventlist',
        'Accept: application/pidf+xml, application/rlmi+xml, multipart/related',
        'Content-Type: application/resource-lists+xml',
        'Content-Disposition: recipient-list',
      ],
      resourceList(['sip:bob@example.com', 'sip:carol@example.com', 'sip:zed@other.example']),
    );
    expect(response.status).toBe(200);
    expect(response.header('require')).toBe('eventlist');
    const first = await watcher.request();
    const type = first.header('content-type')!;
    expect(type).toMatch(/^multipart\/related;type="application\/rlmi\+xml";start="<[^>]+>";boundary=/);
    const [root, ...members] = parts(type, first.body.toString());
    expect(root.headers['content-type']).toBe('application/rlmi+xml');
    expect(type).toContain(`start="${root.headers['content-id']}"`);
    const rlmi = root.body;
    expect(rlmi).toMatch(/<list xmlns="urn:ietf:params:xml:ns:rlmi" uri="sip:rls@example.com" version="0" fullState="true">/);
    expect(rlmi).toMatch(/<resource uri="sip:bob@example.com"><instance id="r0" state="active" cid="[^"]+"\/><\/resource>/);
    // other.example has no route: DNS is asked (RFC 3263), knows no such domain, and the member ends.
    expect(rlmi).toMatch(/<resource uri="sip:zed@other.example"><instance id="r2" state="(pending"|terminated" reason="noresource")\/><\/resource>/);
    expect(members).toHaveLength(2);
    const bob = members.find((p) => p.body.includes('entity="sip:bob@example.com"'))!;
    expect(bob.headers['content-type']).toBe('application/pidf+xml');
    expect(bob.body).toContain('<basic>open</basic>');
    expect(rlmi).toContain(`cid="${bob.headers['content-id'].slice(1, -1)}"`);

    let rlmiNow = rlmi;
    while (!/<resource uri="sip:zed@other.example"><instance id="r\d+" state="terminated" reason="noresource"\/>/.test(rlmiNow)) {
      const next = await watcher.request();
      rlmiNow = parts(next.header('content-type')!, next.body.toString())[0].body;
    }

    await publish('carol', 'open');
    const update = await watcher.request();
    const [updateRoot, ...changed] = parts(update.header('content-type')!, update.body.toString());
    expect(updateRoot.body).toMatch(/version="\d+" fullState="false"/);
    expect(updateRoot.body).toContain('sip:carol@example.com');
    expect(updateRoot.body).not.toContain('sip:bob@example.com');
    expect(changed).toHaveLength(1);
    expect(changed[0].body).toContain('entity="sip:carol@example.com"');
  });

  it('serves a list stored through the admin API, and refuses a watcher without eventlist (421)', async () => {
    const put = await fetch(`http://127.0.0.1:${adminPort}/api/lists/${encodeURIComponent('sip:alice-buddies@example.com')}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ members: ['sip:dave@example.com', 'sip:bob@example.com'], name: 'Buddies' }),
    });
    expect(put.status).toBe(200);
    const refused = await subscribeList('sip:alice-buddies@example.com', []);
    expect(refused.status).toBe(421);
    expect(refused.header('require')).toBe('eventlist');

    const response = await subscribeList('sip:alice-buddies@example.com', ['Supported: eventlist']);
    expect(response.status).toBe(200);
    const first = await watcher.request();
    const [root, ...members] = parts(first.header('content-type')!, first.body.toString());
    expect(root.body).toContain('uri="sip:alice-buddies@example.com"');
    expect(root.body).toContain('<resource uri="sip:dave@example.com">');
    expect(members.map((m) => /entity="([^"]+)"/.exec(m.body)?.[1]).sort()).toEqual(['sip:bob@example.com', 'sip:dave@example.com']);
    // Dave never registered nor published: closed.
    expect(members.find((m) => m.body.includes('sip:dave@'))!.body).toContain('<basic>closed</basic>');
  });
});

/**
 * List members in another domain (RFC 4662 §4.4): Herald subscribes to each in its domain,
 * here a second Herald serving other.test, with the list's watcher as From, and passes
 * what that domain notifies into the list's NOTIFYs.
 */
describe('resource list members in another domain', () => {
  let home: HeraldProcess;
  let peer: HeraldProcess;
  let peerAdmin: number;
  let watcher: UdpAgent;
  let peerPhone: UdpAgent;

  let named: NamedServer;

  beforeAll(async () => {
    // DNS for the domains without a route, which knows none of them.
    named = await startNamed([{ origin: 'example', records: [] }]);
    const [homePort, peerPort] = [await freePort(), await freePort()];
    peerAdmin = await freePort();
    const common = 'log: { level: info }\nauth: { enabled: false }';
    [home, peer] = await Promise.all([
      startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:${homePort}"]
routes: [{ domain: other.test, to: "sip:127.0.0.1:${peerPort}" }]
dns: { servers: ["${named.server}"] }
${common}
presence: { notifyWindow: 0 }
users: [{ user: alice, domain: example.com, password: pw-alice }]
`),
      // Subscriptions there last 4 s: the home Herald has to refresh them.
      startHerald(`
domains: [other.test]
listen: ["udp://127.0.0.1:${peerPort}"]
routes: [{ domain: example.com, to: "sip:127.0.0.1:${homePort}" }]
# A routes: peer's watchers are allowed by default; these tests need the presentity to approve them.
federation: { peers: [{ domain: example.com, watchers: confirm }] }
${common}
admin: { listen: "127.0.0.1:${peerAdmin}", token: "${TOKEN}" }
presence: { notifyWindow: 0, minExpires: 1, defaultExpires: 4, maxExpires: 4 }
users: [{ user: zed, domain: other.test, password: pw-zed }]
`),
    ]);
  });
  afterAll(async () => {
    await Promise.all([home.stop(), peer.stop(), named.stop()]);
  });
  beforeEach(async () => {
    watcher = await UdpAgent.start(home.port('udp'));
    peerPhone = await UdpAgent.start(peer.port('udp'));
  });
  afterEach(async () => {
    await watcher.close();
    await peerPhone.close();
  });

  const zed = 'sip:zed@other.test';

  async function peerApi(path: string, init: RequestInit = {}) {
    const response = await fetch(`http://127.0.0.1:${peerAdmin}/api/presence/${encodeURIComponent(zed)}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { watchers: Array<{ watcher: string; status: string; expires: number }> };
  }

  /** What the peer says about zed's watchers, once `done` holds (it is asked again meanwhile). */
  async function peerWatchers(done: (ws: Array<{ watcher: string; status: string }>) => boolean) {
    for (let i = 0; i < 50; i++) {
      const { watchers } = await peerApi('');
      if (done(watchers)) return watchers;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the peer never showed the watchers expected');
  }

  /** List NOTIFYs, answered 200, until one shows `uri` as `instance` matches; returns that member's part body, if any. */
  async function memberNotified(uri: string, instance: RegExp): Promise<string | null> {
    for (;;) {
      const notify = await watcher.request(200, 8000);
      const [root, ...members] = parts(notify.header('content-type')!, notify.body.toString());
      const entry = new RegExp(`<resource uri="${uri}"><instance [^>]*/></resource>`).exec(root.body)?.[0];
      if (entry === undefined || !instance.test(entry)) continue;
      const cid = /cid="([^"]+)"/.exec(entry)?.[1];
      return cid === undefined ? null : members.find((m) => m.headers['content-id'] === `<${cid}>`)!.body;
    }
  }

  /** A SUBSCRIBE to a list in the body; with `toTag`, in that list subscription's dialog. */
  async function subscribeList(uris: string[], callId: string, { expires = 600, toTag, format = 'application/pidf+xml' }: { expires?: number; toTag?: string; format?: string } = {}) {
    await watcher.send({
      method: 'SUBSCRIBE',
      uri: 'sip:rls@example.com',
      from: '<sip:alice@example.com>;tag=fed',
      to: toTag === undefined ? '<sip:rls@example.com>' : `<sip:rls@example.com>;tag=${toTag}`,
      callId,
      cseq: toTag === undefined ? 1 : 2,
      headers: [
        'Event: presence',
        `Expires: ${expires}`,
        'Require: recipient-list-subscribe',
        'Supported: eventlist',
        `Accept: multipart/related, application/rlmi+xml, ${format}`,
        'Content-Type: application/resource-lists+xml',
      ],
      body: resourceList(uris),
    });
    return watcher.response();
  }

  it('subscribes in the member’s domain as the watcher: pending until approved there, then its state, kept refreshed, ended with the list', async () => {
    const response = await subscribeList([zed, 'sip:nobody@unrouted.example'], 'fed-1');
    expect(response.status).toBe(200);
    const first = await watcher.request();
    const [root] = parts(first.header('content-type')!, first.body.toString());
    expect(root.body).toContain(`<resource uri="${zed}"><instance id="r0" state="pending"/></resource>`);
    // unrouted.example has no route, and DNS knows no such domain: the member ends.
    expect(await memberNotified('sip:nobody@unrouted.example', /state="terminated" reason="noresource"/)).toBeNull();

    // The peer sees alice@example.com, a foreign watcher it does not know yet: confirm.
    await peerWatchers((ws) => ws.some((w) => w.watcher === 'sip:alice@example.com' && w.status === 'pending'));
    await peerApi('/rules/sip%3Aalice%40example.com', { method: 'PUT', body: JSON.stringify({ action: 'allow' }) });
    const approved = await memberNotified(zed, /state="active"/);
    expect(approved).toContain(`entity="${zed}"`);
    expect(approved).toContain('<basic>closed</basic>');

    expect((await peerPhone.publish('zed', { domain: 'other.test', body: pidf('zed@other.test', 'open', { extra: '<dm:person id="p"><rpid:activities><rpid:away/></rpid:activities></dm:person>' }) })).status).toBe(200);
    const open = await memberNotified(zed, /state="active"/);
    expect(open).toContain('<basic>open</basic>');
    // As zed's domain wrote it, prefixes included.
    expect(open).toContain('<rpid:away/>');

    // Past the 4 s the peer granted: only a refresh keeps the subscription there.
    await new Promise((r) => setTimeout(r, 5000));
    const [alive] = await peerWatchers(() => true);
    expect(alive).toMatchObject({ watcher: 'sip:alice@example.com', status: 'active' });
    expect((await peerPhone.publish('zed', { domain: 'other.test', cseq: 2, callId: 'pub-zed-2', body: pidf('zed@other.test', 'closed') })).status).toBe(200);
    expect(await memberNotified(zed, /state="active"/)).toContain('<basic>closed</basic>');

    const toTag = /;tag=([^;>\s]+)/.exec(response.header('to')!)![1];
    expect((await subscribeList([zed], 'fed-1', { expires: 0, toTag })).status).toBe(200);
    await peerWatchers((ws) => ws.length === 0);
  });

  it('converts a member’s PIDF to the format the watcher takes, and shows a member its domain refuses, or ends, terminated with the reason', async () => {
    await peerApi('/rules/sip%3Aalice%40example.com', { method: 'PUT', body: JSON.stringify({ action: 'allow' }) });
    expect((await subscribeList([zed, 'sip:ghost@other.test'], 'fed-2', { format: 'application/xpidf+xml' })).status).toBe(200);
    expect(await memberNotified('sip:ghost@other.test', /state="terminated" reason="noresource"/)).toBeNull();
    const xpidf = await memberNotified(zed, /state="active"/);
    expect(xpidf).toContain('XPIDF');
    expect(xpidf).toContain(`<presentity uri="${zed};method=SUBSCRIBE"/>`);
    expect(xpidf).toContain('<status status="closed"/>');
    await peerApi('/rules/sip%3Aalice%40example.com', { method: 'PUT', body: JSON.stringify({ action: 'block' }) });
    expect(await memberNotified(zed, /state="terminated" reason="rejected"/)).toBeNull();
    await peerWatchers((ws) => ws.length === 0);
  });
});
