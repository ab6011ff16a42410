import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SipRequest } from '@herald/sip';
import { type NamedServer, freePort, runSippFrom, startNamed } from '@herald/test-kit';
import { type CommunityUser, message, nextMessage, notifyUntil, registerUser, sendAs, statusLine } from './helpers/community-agents.js';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';
import type { KamailioPeer } from './helpers/kamailio.js';
import { startKamailioForwarder } from './helpers/kamailio-forwarder.js';
import { UdpAgent } from './helpers/udp-agent.js';
import { eventually } from './helpers/eventually.js';
import { pidf } from './helpers/pidf.js';
import { parts } from './helpers/resource-lists.js';

// Two gateway communities, one Herald each: A serves dc.acme.test and acme.test on
// 127.0.0.2, B serves chi.acme.test on 127.0.0.3. A reaches chicago through two connectors
// named in DNS: gw1 (Kamailio, 127.0.0.4) first, then gw2 (Herald B itself). B reaches acme
// directly and trusts Kamailio's address. An impostor speaks from 127.0.0.5.
const A_HOST = '127.0.0.2';
const B_HOST = '127.0.0.3';
const KAMAILIO_HOST = '127.0.0.4';
const IMPOSTOR_HOST = '127.0.0.5';
const TOKEN = 'communities-admin-token';
const A_USERS = ['alice', 'wanda', 'wendy', 'asmith', 'dan', 'fay', 'gina', 'hal', 'ivy'];
const password = (user: string) => `pw-${user}`;

describe('gateway communities: two Heralds, a Kamailio connector, an impostor', () => {
  let named: NamedServer;
  let a: HeraldProcess;
  let b: HeraldProcess;
  let kamailio: KamailioPeer;
  let ports: { a: number; b: number; kamailio: number; adminA: number; adminB: number };
  const users: CommunityUser[] = [];

  /** A user of dc.acme.test at Herald A, which challenges (auth is on there). */
  async function atA(user: string): Promise<CommunityUser> {
    const u = await registerUser(a, A_HOST, user, 'dc.acme.test', password(user));
    users.push(u);
    return u;
  }

  /** A user of chi.acme.test at Herald B (auth off there). */
  async function atB(user: string): Promise<CommunityUser> {
    const u = await registerUser(b, B_HOST, user, 'chi.acme.test');
    users.push(u);
    return u;
  }

  beforeAll(async () => {
    ports = { a: await freePort(), b: await freePort(), kamailio: await freePort(), adminA: await freePort(), adminB: await freePort() };
    named = await startNamed([
      // The connectors' names: A sends to them, and takes chicago's requests from their addresses.
      { origin: 'chi.acme.test', records: [`gw1 IN A ${KAMAILIO_HOST}`, `gw2 IN A ${B_HOST}`] },
      { origin: 'acme.test', records: [`@ IN A ${A_HOST}`] },
    ]);
    const common = (admin: number) => `log: { level: info }
admin: { listen: "127.0.0.1:${admin}", token: "${TOKEN}" }
dns: { servers: ["${named.server}"] }
presence: { notifyWindow: 0 }
# Timer F (64·T1) gives up on a dead connector in 3.2 s.
sip: { t1: 50, t2: 200 }
`;
    [a, b] = await Promise.all([
      startHerald(`domains: [dc.acme.test, acme.test]
listen: ["udp://${A_HOST}:${ports.a}"]
${common(ports.adminA)}users:
${A_USERS.map((u) => `  - { user: ${u}, domain: dc.acme.test, password: "${password(u)}" }`).join('\n')}
communities:
  enabled: true
  list:
    - name: chicago
      domains: [chi.acme.test, "*.chi.acme.test"]
      proxies: ["sip:gw1.chi.acme.test:${ports.kamailio};transport=udp", "sip:gw2.chi.acme.test:${ports.b};transport=udp"]
      port: ${ports.b}
      transport: udp
      trustedIps: []
      enabled: true
      convertIds: true
      level: verified
      watchers: allow
      probeInterval: 1
`),
      startHerald(`domains: [chi.acme.test]
listen: ["udp://${B_HOST}:${ports.b}"]
auth: { enabled: false }
${common(ports.adminB)}communities:
  enabled: true
  list:
    - { name: acme, domains: [acme.test, dc.acme.test], proxies: ["sip:${A_HOST}:${ports.a};transport=udp"], port: ${ports.a},
        transport: udp, trustedIps: [${KAMAILIO_HOST}], enabled: true, convertIds: false, level: verified, watchers: allow }
`),
    ]);
    kamailio = await startForwarder();
  }, 60_000);

  /** Kamailio as chicago's first connector: A's requests to Herald B, the rest to Herald A. */
  function startForwarder(): Promise<KamailioPeer> {
    return startKamailioForwarder({ host: KAMAILIO_HOST, port: ports.kamailio, from: A_HOST, fromHop: `sip:${B_HOST}:${ports.b}`, elseHop: `sip:${A_HOST}:${ports.a}` });
  }

  afterAll(async () => {
    for (const u of users) await u.agent.close();
    await Promise.all([a?.stop(), b?.stop(), kamailio?.stop()]);
    await named?.stop();
  }, 30_000);

  /** `herald ARGS --config` of Herald A's configuration, which reaches it through its admin API. */
  async function cliAtA(...args: string[]): Promise<string> {
    const run = await runHerald([...args, '--config', join(a.dir, 'herald.yaml')], a.dir);
    if (run.code !== 0) throw new Error(`herald ${args.join(' ')} exited ${run.code}: ${run.stdout}${run.stderr}`);
    return run.stdout;
  }

  async function adminA(path: string): Promise<unknown> {
    const response = await fetch(`http://127.0.0.1:${ports.adminA}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    return response.json();
  }

  /** The value of one sample of Herald A's metrics (0 when absent). */
  async function metricA(sample: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${ports.adminA}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(sample + ' '));
    return line === undefined ? 0 : Number(line.slice(sample.length + 1));
  }

  /** A MESSAGE from `from` reaches `to` (answered 200) with its body; returns the request as `to` saw it. */
  async function delivered(from: CommunityUser, to: CommunityUser) {
    const text = `from ${from.user} to ${to.user} ${Math.random()}`;
    const sent = message(from, `sip:${to.user}@${to.domain}`, text);
    const got = await nextMessage(to);
    expect(got.body.toString()).toBe(text);
    const response = await sent;
    expect(statusLine(response)).toBe('200 OK');
    return { request: got, response };
  }

  it('carries a MESSAGE from A to B through the first connector (Kamailio), and one from B to A; neither is challenged', async () => {
    const [alice, bob] = await Promise.all([atA('alice'), atB('bob')]);
    const there = await delivered(alice, bob);
    expect(there.request.headerValues('via').join('\n')).toContain(`SIP/2.0/UDP ${KAMAILIO_HOST}:${ports.kamailio}`);
    // B sends to acme's proxy, Herald A itself; A has auth on and does not challenge a community (bob has no password to answer with).
    await delivered(bob, alice);
    // Auth is on at A: a MESSAGE from A's own user without credentials is challenged.
    expect((await message({ ...alice, password: undefined }, 'sip:bob@chi.acme.test', 'no credentials')).status).toBe(407);
  });

  it('shows a watcher at A the presence of a user at B, Online then Offline (RFC 3856)', async () => {
    const [wanda, carl] = await Promise.all([atA('wanda'), atB('carl')]);
    const publish = (basic: 'open' | 'closed', etag?: string) =>
      sendAs(carl, {
        method: 'PUBLISH',
        uri: 'sip:carl@chi.acme.test',
        callId: 'pub-carl',
        headers: ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml', ...(etag ? [`SIP-If-Match: ${etag}`] : [])],
        body: pidf('carl@chi.acme.test', basic),
      });
    const published = await publish('open');
    expect(statusLine(published)).toBe('200 OK');
    const subscribed = await sendAs(wanda, { method: 'SUBSCRIBE', uri: 'sip:carl@chi.acme.test', headers: ['Event: presence', 'Expires: 600', 'Accept: application/pidf+xml'] });
    expect(subscribed.status).toBeLessThan(300);
    const open = await notifyUntil(wanda, (body) => body.includes('<basic>open</basic>'));
    expect(open.body.toString()).toContain('entity="sip:carl@chi.acme.test"');
    expect(statusLine(await publish('closed', published.header('sip-etag')))).toBe('200 OK');
    await notifyUntil(wanda, (body) => body.includes('<basic>closed</basic>'));
  });

  it('shows a user at B added to the buddy list of a user at A in the list NOTIFY (RFC 4662)', async () => {
    const [wendy, dora] = await Promise.all([atA('wendy'), atB('dora')]);
    const list = 'sip:wendy-buddies@dc.acme.test';
    const put = await fetch(`http://127.0.0.1:${ports.adminA}/api/lists/${encodeURIComponent(list)}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ members: ['sip:dora@chi.acme.test', 'sip:alice@dc.acme.test'], name: 'Buddies' }),
    });
    expect(put.status).toBe(200);
    expect(statusLine(await sendAs(dora, { method: 'PUBLISH', uri: 'sip:dora@chi.acme.test', headers: ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml'], body: pidf('dora@chi.acme.test', 'open') }))).toBe('200 OK');
    const subscribed = await sendAs(wendy, {
      method: 'SUBSCRIBE',
      uri: list,
      headers: ['Event: presence', 'Expires: 600', 'Supported: eventlist', 'Accept: multipart/related, application/rlmi+xml, application/pidf+xml'],
    });
    expect(statusLine(subscribed)).toBe('200 OK');
    const notify = await notifyUntil(wendy, (body) => /<resource uri="sip:dora@chi.acme.test"><instance [^>]*state="active"/.test(body) && body.includes('entity="sip:dora@chi.acme.test"'));
    const [root, ...members] = parts(notify.header('content-type')!, notify.body.toString());
    expect(root.body).toContain(`uri="${list}"`);
    const doraPart = members.find((m) => m.body.includes('entity="sip:dora@chi.acme.test"'))!;
    expect(doraPart.body).toContain('<basic>open</basic>');
  });

  it('refuses an impostor claiming chi.acme.test from another address (SIPp): 403 with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'herald-impostor-'));
    try {
      const scenario = join(dir, 'impostor.xml');
      const trace = join(dir, 'messages.log');
      await writeFile(scenario, IMPOSTOR_SCENARIO);
      const run = await runSippFrom(scenario, IMPOSTOR_HOST, `${A_HOST}:${ports.a}`, 'u1', ['-trace_msg', '-message_file', trace]);
      const answered = /^SIP\/2\.0 (\d{3} [^\r\n]*)/m.exec(await readFile(trace, 'utf8').catch(() => ''))?.[1];
      expect(answered).toBe('403 Source Not Authorized For chi.acme.test');
      expect(run.code).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps P-Asserted-Identity from chicago (RFC 3325 trust domain) and strips it from anyone else, A’s own users included', async () => {
    const [gina, hal] = await Promise.all([atA('gina'), atA('hal')]);
    // A chicago server speaking from its connector's address (gw2, Herald B's host).
    const chicago = await UdpAgent.start(ports.a, 0, B_HOST, A_HOST);
    try {
      const pai = 'P-Asserted-Identity: <sip:hank@chi.acme.test>';
      await chicago.send({ method: 'MESSAGE', uri: 'sip:gina@dc.acme.test', from: '<sip:hank@chi.acme.test>;tag=h', to: '<sip:gina@dc.acme.test>', headers: [pai, 'Content-Type: text/plain'], body: 'asserted' });
      const [kept, response] = await Promise.all([nextMessage(gina), chicago.response()]);
      expect(statusLine(response)).toBe('200 OK');
      expect(kept.header('p-asserted-identity')).toBe('<sip:hank@chi.acme.test>');
    } finally {
      await chicago.close();
    }
    const [stripped, response] = await Promise.all([
      nextMessage(gina),
      sendAs(hal, { method: 'MESSAGE', uri: 'sip:gina@dc.acme.test', headers: ['P-Asserted-Identity: <sip:boss@dc.acme.test>', 'Content-Type: text/plain'], body: 'forged' }),
    ]);
    expect(statusLine(response)).toBe('200 OK');
    expect(stripped.body.toString()).toBe('forged');
    expect(stripped.header('p-asserted-identity')).toBeUndefined();
  });

  it('refuses both directions once chicago is disabled at A (herald community disable), and carries them again once enabled', async () => {
    const [dan, bert] = await Promise.all([atA('dan'), atB('bert')]);
    await cliAtA('community', 'disable', 'chicago');
    try {
      expect(JSON.stringify(await adminA('/api/communities'))).toMatch(/"name":"chicago","enabled":false/);
      expect(statusLine(await message(dan, 'sip:bert@chi.acme.test', 'while disabled'))).toBe('403 Community chicago Disabled');
      expect(statusLine(await message(bert, 'sip:dan@dc.acme.test', 'while disabled'))).toBe('403 Community chicago Disabled');
      for (const direction of ['in', 'out']) expect(await metricA(`herald_community_requests_total{community="chicago",direction="${direction}",result="SIP_ERR_COMMUNITY_DISABLED"}`)).toBeGreaterThanOrEqual(1);
    } finally {
      await cliAtA('community', 'enable', 'chicago');
    }
    expect(JSON.stringify(await adminA('/api/communities'))).toMatch(/"name":"chicago","enabled":true/);
    await delivered(dan, bert);
    await delivered(bert, dan);
  });

  describe('ID conversion: asmith@dc.acme.test is Alice_Smith@acme.test to chicago', () => {
    let asmith: CommunityUser;
    let bella: CommunityUser;

    beforeAll(async () => {
      await cliAtA('user', 'alias', 'add', 'Alice_Smith@acme.test', 'asmith@dc.acme.test', '--external');
      [asmith, bella] = await Promise.all([atA('asmith'), atB('bella')]);
    });

    it('sends her MESSAGE From the external form, and restores the original From in the response', async () => {
      const sent = message(asmith, 'sip:bella@chi.acme.test', 'from alice smith');
      const got = await nextMessage(bella);
      expect(got.header('from')).toMatch(/^<sip:Alice_Smith@acme\.test>;tag=/);
      // RFC 3325 §5: towards the trust domain, the identity A authenticated, in its external form.
      expect(got.header('p-asserted-identity')).toBe('<sip:Alice_Smith@acme.test>');
      expect(got.body.toString()).toBe('from alice smith');
      const response = await sent;
      expect(statusLine(response)).toBe('200 OK');
      // DEVIATION from RFC 3261's end-to-end From, undone towards the sender.
      expect(response.header('from')).toMatch(/^<sip:asmith@dc\.acme\.test>;tag=/);
    });

    it('delivers the reply to Alice_Smith@acme.test to asmith', async () => {
      const sent = message(bella, 'sip:Alice_Smith@acme.test', 'reply to alice smith');
      const got = await nextMessage(asmith);
      expect(got.body.toString()).toBe('reply to alice smith');
      expect(statusLine(await sent)).toBe('200 OK');
    });

    it('shows a watcher at B her presence with the external form as the PIDF entity and the NOTIFY From', async () => {
      const walt = await atB('walt');
      expect(statusLine(await sendAs(asmith, { method: 'PUBLISH', uri: 'sip:asmith@dc.acme.test', headers: ['Event: presence', 'Expires: 600', 'Content-Type: application/pidf+xml'], body: pidf('asmith@dc.acme.test', 'open') }))).toBe('200 OK');
      const subscribed = await sendAs(walt, { method: 'SUBSCRIBE', uri: 'sip:Alice_Smith@acme.test', headers: ['Event: presence', 'Expires: 600', 'Accept: application/pidf+xml'] });
      expect(subscribed.status).toBeLessThan(300);
      const notify = await notifyUntil(walt, (body) => body.includes('<basic>open</basic>'));
      expect(notify.body.toString()).toContain('entity="sip:Alice_Smith@acme.test"');
      expect(notify.body.toString()).not.toContain('asmith');
      expect(notify.header('from')).toMatch(/^<sip:Alice_Smith@acme\.test>/);
    });
  });

  // Last: it stops the first connector, then starts it again.
  it('fails over to the second connector (Herald B directly) once Kamailio is stopped: 200, no 408; skips it while down, uses it again once it answers', async () => {
    const [fay, bo] = await Promise.all([atA('fay'), atB('bo')]);
    const failovers = () => metricA('herald_community_failovers_total{community="chicago"}');
    const gw1Up = () => metricA(`herald_community_connector_up{community="chicago",connector="sip:gw1.chi.acme.test:${ports.kamailio};transport=udp"}`);
    const viaKamailio = (request: SipRequest) => request.headerValues('via').some((v) => v.includes(`${KAMAILIO_HOST}:${ports.kamailio}`));
    await kamailio.stop();
    const first = await delivered(fay, bo);
    expect(viaKamailio(first.request)).toBe(false);
    expect(first.request.headerValues('via').join('\n')).toContain(`SIP/2.0/UDP ${A_HOST}:${ports.a}`);
    const afterFirst = await failovers();
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    // The probes (every second) find Kamailio down: it is tried last, so the next MESSAGE fails over no more.
    expect(await eventually(gw1Up, (v) => v === 0, 10_000)).toBe(0);
    expect(viaKamailio((await delivered(fay, bo)).request)).toBe(false);
    expect(await failovers()).toBe(afterFirst);
    // Kamailio back on its address: a probe finds it up, and it is the first connector again.
    kamailio = await startForwarder();
    expect(await eventually(gw1Up, (v) => v === 1, 10_000)).toBe(1);
    expect(viaKamailio((await delivered(fay, bo)).request)).toBe(true);
  }, 40_000);
});

/** An impostor's MESSAGE: From a chicago user, sent from an address chicago does not use. */
const IMPOSTOR_SCENARIO = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="impostor claiming chi.acme.test">
  <send retrans="500">
    <![CDATA[
      MESSAGE sip:ivy@dc.acme.test SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      Max-Forwards: 70
      From: <sip:mallory@chi.acme.test>;tag=[pid]SIPpTag00[call_number]
      To: <sip:ivy@dc.acme.test>
      Call-ID: [call_id]
      CSeq: 1 MESSAGE
      Contact: <sip:mallory@[local_ip]:[local_port]>
      Content-Type: text/plain
      Content-Length: [len]

      I am chicago
    ]]>
  </send>
  <recv response="403"/>
</scenario>
`;
