import { join } from 'node:path';
import { type HeraldProcess, runHerald } from './helpers/herald-process.js';
import { ADMIN_TOKEN as TOKEN, startPresenceHerald } from './helpers/presence-herald.js';
import { pidf } from './helpers/pidf.js';
import { UdpAgent } from './helpers/udp-agent.js';

/**
 * The presentity decides who sees it (RFC 3857 §3.2, RFC 5025 §3.2.1): rules per watcher or
 * domain set through the admin API and the CLI, domain defaults from the configuration,
 * effective at once for subscriptions already there; invisible mode.
 */
describe('presence authorization and privacy', () => {
  let herald: HeraldProcess;
  let adminPort: number;
  const agents: UdpAgent[] = [];

  beforeAll(async () => {
    ({ herald, adminPort } = await startPresenceHerald(['alice', 'bob', 'carol', 'dave', 'erin'], '{ notifyWindow: 0, localWatchers: allow, foreignWatchers: confirm }',
      // The foreign watchers are scripted on 127.0.0.1 without DNS: unconfigured domains taken at their word.
      'federation: { default: permissive }',
    ));
  });
  afterAll(async () => {
    await herald.stop();
  });
  afterEach(async () => {
    for (const a of agents.splice(0)) await a.close();
  });

  async function agent(): Promise<UdpAgent> {
    const a = await UdpAgent.start(herald.port('udp'));
    agents.push(a);
    return a;
  }

  /** `watcher` (a URI) subscribes to `presentity` from a new agent; its 200 (or refusal) and the agent. */
  async function watch(watcher: string, presentity: string, event = 'presence', expires = 600, a?: UdpAgent, callId = `auth-${presentity}-${Math.random()}`) {
    a ??= await agent();
    await a.send({
      method: 'SUBSCRIBE',
      uri: `sip:${presentity}@example.com`,
      from: `<${watcher}>;tag=w`,
      to: `<sip:${presentity}@example.com>`,
      callId,
      headers: [`Event: ${event}`, `Expires: ${expires}`],
    });
    return { agent: a, response: await a.response() };
  }

  async function publish(presentity: string, basic: 'open' | 'closed'): Promise<void> {
    const a = await agent();
    expect((await a.publish(presentity, { body: pidf(presentity, basic, { inTuple: '<note>real state</note>' }) })).status).toBe(200);
  }

  function cli(...args: string[]) {
    return runHerald(['presence', ...args, '--config', join(herald.dir, 'herald.yaml')], herald.dir);
  }

  async function api(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`http://127.0.0.1:${adminPort}${path}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  }

  it('holds a foreign watcher pending (no state), until the presentity approves it with the CLI', async () => {
    await publish('alice', 'open');
    const { agent: zed, response } = await watch('sip:zed@other.example', 'alice');
    expect(response.status).toBe(200);
    const pending = await zed.request();
    expect(pending.header('subscription-state')).toMatch(/^pending;expires=/);
    expect(pending.body.length).toBe(0);
    const shown = await cli('show', 'alice@example.com');
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).watchers).toContainEqual(expect.objectContaining({ watcher: 'sip:zed@other.example', status: 'pending' }));

    const approved = await cli('approve', 'alice@example.com', 'sip:zed@other.example');
    expect(approved.code).toBe(0);
    const active = await zed.request();
    expect(active.header('subscription-state')).toMatch(/^active;expires=/);
    expect(active.body.toString()).toContain('<note>real state</note>');
  });

  it('refuses a blocked watcher with 403, and ends a current one (rejected) when it is blocked', async () => {
    expect((await api('PUT', `/api/presence/${encodeURIComponent('bob@example.com')}/rules/${encodeURIComponent('sip:dave@example.com')}`, { action: 'block' })).status).toBe(200);
    expect((await watch('sip:dave@example.com', 'bob')).response.status).toBe(403);

    const { agent: carol, response } = await watch('sip:carol@example.com', 'bob');
    expect(response.status).toBe(200);
    expect((await carol.request()).header('subscription-state')).toMatch(/^active/);
    expect((await cli('block', 'bob@example.com', 'sip:carol@example.com')).code).toBe(0);
    const ended = await carol.request();
    expect(ended.header('subscription-state')).toBe('terminated;reason=rejected');
    expect(ended.body.length).toBe(0);
  });

  it('tells a politely blocked domain only closed, never that it is blocked', async () => {
    await publish('carol', 'open');
    expect((await cli('polite-block', 'carol@example.com', 'spam.example')).code).toBe(0);
    const { agent: spammer, response } = await watch('sip:x@spam.example', 'carol');
    expect(response.status).toBe(200);
    const notify = await spammer.request();
    expect(notify.header('subscription-state')).toMatch(/^active;expires=/);
    expect(notify.body.toString()).toContain('<basic>closed</basic>');
    expect(notify.body.toString()).not.toContain('real state');
  });

  it('removes a watcher: its subscription ends (deactivated) and a new one is decided by the default again', async () => {
    expect((await cli('approve', 'dave@example.com', 'sip:yan@other.example')).code).toBe(0);
    const { agent: yan } = await watch('sip:yan@other.example', 'dave');
    expect((await yan.request()).header('subscription-state')).toMatch(/^active/);
    expect((await cli('remove', 'dave@example.com', 'sip:yan@other.example')).code).toBe(0);
    expect((await yan.request()).header('subscription-state')).toBe('terminated;reason=deactivated');
    const again = await watch('sip:yan@other.example', 'dave');
    expect((await again.agent.request()).header('subscription-state')).toMatch(/^pending/);
  });

  it('shows an invisible user closed to watchers, while the user still sees others', async () => {
    await publish('erin', 'open');
    await publish('bob', 'open');
    const { agent: watcher } = await watch('sip:alice@example.com', 'erin');
    expect((await watcher.request()).body.toString()).toContain('<basic>open</basic>');
    expect((await cli('invisible', 'erin@example.com')).code).toBe(0);
    const hidden = await watcher.request();
    expect(hidden.body.toString()).toContain('<basic>closed</basic>');
    expect(hidden.body.toString()).not.toContain('real state');
    const { agent: erinWatches } = await watch('sip:erin@example.com', 'bob');
    expect((await erinWatches.request()).body.toString()).toContain('<basic>open</basic>');
    expect((await cli('visible', 'erin@example.com')).code).toBe(0);
    expect((await watcher.request()).body.toString()).toContain('real state');
  });

  it('says what is wrong with a bad command or rule', async () => {
    const missing = await cli('approve', 'alice@example.com');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('give the watcher after the presentity');
    const bad = await api('PUT', `/api/presence/alice%40example.com/rules/bob%40example.com`, { action: 'deny' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('allow, block, polite-block, confirm');
  });

  describe('watcher information (RFC 3857, RFC 3858)', () => {
    it('tells the presentity, and only it, who watches it: full state first, then as watchers arrive, are approved and leave', async () => {
      expect((await watch('sip:bob@example.com', 'carol', 'presence.winfo')).response.status).toBe(403);
      const { agent: winfo, response } = await watch('sip:carol@example.com', 'carol', 'presence.winfo');
      expect(response.status).toBe(200);
      const first = await winfo.request();
      expect(first.header('event')).toBe('presence.winfo');
      expect(first.header('content-type')).toBe('application/watcherinfo+xml');
      const full = first.body.toString();
      expect(full).toMatch(/<watcherinfo xmlns="urn:ietf:params:xml:ns:watcherinfo" version="0" state="full">/);
      expect(full).toContain('<watcher-list resource="sip:carol@example.com" package="presence"');

      const watcherAgent = await agent();
      const callId = `winfo-watch-${Math.random()}`;
      const subscribed = await watch('sip:quinn@partner.example', 'carol', 'presence', 600, watcherAgent, callId);
      await watcherAgent.request();
      const arrived = (await winfo.request()).body.toString();
      expect(arrived).toContain('version="1"');
      expect(arrived).toMatch(/<watcher id="w[0-9a-f]+" status="pending" event="subscribe">sip:quinn@partner.example<\/watcher>/);

      expect((await cli('approve', 'carol@example.com', 'sip:quinn@partner.example')).code).toBe(0);
      await watcherAgent.request();
      expect((await winfo.request()).body.toString()).toMatch(/status="active" event="approved">sip:quinn@partner.example</);

      // The watcher unsubscribes: it is no longer listed.
      await watcherAgent.send({
        method: 'SUBSCRIBE',
        uri: 'sip:carol@example.com',
        from: '<sip:quinn@partner.example>;tag=w',
        to: `<sip:carol@example.com>;tag=${subscribed.response.to.params.get('tag')}`,
        callId,
        cseq: 2,
        headers: ['Event: presence', 'Expires: 0'],
      });
      expect((await watcherAgent.response()).status).toBe(200);
      const left = (await winfo.request()).body.toString();
      expect(left).not.toContain('quinn');
    });
  });
});
