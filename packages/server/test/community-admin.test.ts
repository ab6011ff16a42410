import dgram from 'node:dgram';
import { join } from 'node:path';
import { createResponse, parseMessage } from '@herald/sip';
import { type RedisServer, freePort, startRedis } from '@herald/test-kit';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

const TOKEN = 'community-admin-token';

/** Several sources, so that the kernel spreads them over both workers' share of the UDP socket. */
const AGENTS = 8;

interface Connector {
  port: number;
  /** The methods of the requests it answered, in order. */
  methods: string[];
  close(): Promise<void>;
}

/** A community's connector on 127.0.0.1: answers every request 200 (the OPTIONS probes, the MESSAGEs relayed to the community). */
async function startConnector(): Promise<Connector> {
  const socket = dgram.createSocket('udp4');
  const methods: string[] = [];
  socket.on('message', (data, from) => {
    const message = parseMessage(data, { datagram: true });
    if (!message.isRequest()) return;
    methods.push(message.method);
    socket.send(createResponse(message, 200).toBuffer(), from.port, from.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let closed: Promise<void> | null = null;
  return { port: socket.address().port, methods, close: () => (closed ??= new Promise((resolve) => socket.close(() => resolve()))) };
}

interface Shown {
  enabled: { configured: boolean; runtime: boolean | null; effective: boolean };
  communities: Array<{ name: string; enabled: boolean; runtime: boolean | null; connectors: Array<{ connector: string; up: boolean | null; lastStatus: number | null; workers: unknown[] }> }>;
  workers: Array<{ worker: string; all: boolean; enabled: string[] }>;
  unanswered: number;
}

/**
 * Issue 16: a gateway community switched off and on through the admin API while Herald
 * runs, obeyed by every worker at once in both directions; its connector probed.
 */
describe('gateway communities switched at run time, with two workers on Redis', () => {
  let redis: RedisServer;
  let herald: HeraldProcess;
  let connector: Connector;
  /** A UDP port nothing listens on: the first connector of boston, which never answers. */
  let deadPort: number;
  let adminPort: number;

  const api = (method: string, path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${adminPort}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const show = async () => (await (await api('GET', '/api/communities')).json()) as Shown;
  const cli = (...args: string[]) => runHerald(['community', ...args, '--config', join(herald.dir, 'herald.yaml')], herald.dir);

  beforeAll(async () => {
    redis = await startRedis();
    connector = await startConnector();
    const dead = await startConnector();
    deadPort = dead.port;
    await dead.close();
    adminPort = await freePort();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
store: "${redis.url}/8"
# A prefix of its own: a Redis given by REDIS_URL may keep the switches of an earlier run.
redis: { keyPrefix: "communities-${process.pid}-${Date.now()}:" }
workers: 2
log: { level: info }
# Short timers: a connector that does not answer is found down after 64·T1 (3.2 s).
sip: { t1: 50, t2: 200 }
auth: { enabled: false }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
users:
  - { user: bob, domain: example.com, password: "builder" }
communities:
  list:
    - { name: chicago, domains: [chi.acme.test], proxies: ["sip:127.0.0.1:${connector.port}"], trustedIps: [127.0.0.1], probeInterval: 1 }
    # Not probed: its dead first connector is found only by the request that fails over.
    - { name: boston, domains: [bos.acme.test], proxies: ["sip:127.0.0.1:${deadPort}", "sip:127.0.0.1:${connector.port}"], probeInterval: 0 }
`);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await connector?.close();
    await redis?.stop();
  });

  /** What each of `AGENTS` sources is answered for a MESSAGE `from` → `to`. */
  async function messages(from: string, to: string): Promise<string[]> {
    const agents = await Promise.all(Array.from({ length: AGENTS }, () => UdpAgent.start(herald.port('udp'))));
    try {
      return await Promise.all(
        agents.map(async (agent, i) => {
          await agent.send({ method: 'MESSAGE', uri: to, from: `<${from}>;tag=m${i}`, to: `<${to}>`, headers: ['Content-Type: text/plain'], body: 'hi' });
          const response = await agent.response(10_000);
          return `${response.status} ${response.reason}`;
        }),
      );
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  }
  const inbound = () => messages('sip:carol@chi.acme.test', 'sip:bob@example.com');
  const outbound = () => messages('sip:bob@example.com', 'sip:carol@chi.acme.test');

  it('refuses the community both ways on every worker once disabled, and lets it through again once enabled', async () => {
    const before = await show();
    expect(new Set(before.workers.map((w) => w.worker)).size).toBe(2);
    expect(before.workers.map((w) => w.enabled)).toEqual([
      ['chicago', 'boston'],
      ['chicago', 'boston'],
    ]);
    expect(await inbound()).toEqual(Array(AGENTS).fill('202 Accepted'));
    expect(await outbound()).toEqual(Array(AGENTS).fill('200 OK'));

    const off = await api('PUT', '/api/communities/chicago/enabled', { enabled: false });
    expect([off.status, ((await off.json()) as { community: unknown }).community]).toEqual([200, { name: 'chicago', enabled: false, configured: true, runtime: false }]);
    const disabled = await eventually(show, (s) => s.workers.every((w) => !w.enabled.includes('chicago')));
    expect(disabled.communities[0]).toMatchObject({ name: 'chicago', enabled: false, runtime: false });
    // Whichever worker a request reaches refuses the community, in and out.
    expect(await inbound()).toEqual(Array(AGENTS).fill('403 Community chicago Disabled'));
    expect(await outbound()).toEqual(Array(AGENTS).fill('403 Community chicago Disabled'));

    const on = await cli('enable', 'chicago');
    expect([on.code, on.stdout]).toEqual([0, 'chicago: enabled (runtime)\n']);
    await eventually(show, (s) => s.workers.every((w) => w.enabled.includes('chicago')));
    expect(await inbound()).toEqual(Array(AGENTS).fill('202 Accepted'));
    expect(await outbound()).toEqual(Array(AGENTS).fill('200 OK'));

    // Counted per community, summed over the workers.
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    expect(metrics).toContain(`herald_community_requests_total{community="chicago",direction="in",result="SIP_ERR_COMMUNITY_DISABLED"} ${AGENTS}`);
    expect(metrics).toContain(`herald_community_requests_total{community="chicago",direction="out",result="SIP_ERR_COMMUNITY_DISABLED"} ${AGENTS}`);
    expect(metrics).toMatch(/herald_community_requests_total\{community="chicago",direction="in",result="accepted"\} 16\b/);
  }, 60_000);

  it('turns the community off with the global switch (herald community disable --all) and back', async () => {
    expect(await cli('disable', '--all')).toMatchObject({ code: 0, stdout: 'all communities: off (runtime)\n' });
    await eventually(show, (s) => s.workers.every((w) => !w.all));
    expect(await outbound()).toEqual(Array(AGENTS).fill('403 Community chicago Disabled'));
    expect((await cli('reset', '--all')).code).toBe(0);
    await eventually(show, (s) => s.workers.every((w) => w.all));
    expect(await outbound()).toEqual(Array(AGENTS).fill('200 OK'));
  }, 60_000);

  it('fails over from a connector that does not answer to the next, counted for its community', async () => {
    const agent = await UdpAgent.start(herald.port('udp'));
    await agent.send({ method: 'MESSAGE', uri: 'sip:dave@bos.acme.test', from: '<sip:bob@example.com>;tag=f', to: '<sip:dave@bos.acme.test>', headers: ['Content-Type: text/plain'], body: 'hi' });
    // After Timer F (64·T1) of the first connector.
    expect((await agent.response(15_000)).status).toBe(200);
    await agent.close();
    const metrics = await (await fetch(`http://127.0.0.1:${adminPort}/metrics`)).text();
    expect(metrics).toContain('herald_community_failovers_total{community="boston"} 1');
    // probeInterval 0: its connectors are never probed.
    expect((await show()).communities[1].connectors.map((c) => c.up)).toEqual([null, null]);
  }, 30_000);

  it('shows the connector up while it answers its probes, and down once it is stopped', async () => {
    const up = await eventually(show, (s) => s.communities[0].connectors[0].workers.length === 2 && s.communities[0].connectors[0].up === true);
    expect(up.communities[0].connectors[0]).toMatchObject({ connector: `sip:127.0.0.1:${connector.port}`, up: true, lastStatus: 200 });
    expect(connector.methods).toContain('OPTIONS');
    const listed = await cli('list');
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^chicago +yes +runtime +chi\.acme\.test +1 up, 0 down$/m);

    await connector.close();
    const down = await eventually(show, (s) => s.communities[0].connectors[0].up === false, 20_000);
    expect(down.communities[0].connectors[0]).toMatchObject({ up: false, lastStatus: 408 });
    expect((await cli('list')).stdout).toMatch(/^chicago +yes +runtime +chi\.acme\.test +0 up, 1 down$/m);
  }, 60_000);

  it('says what is wrong with a name no community has, and with a command missing its name', async () => {
    const unknown = await cli('disable', 'denver');
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('herald community disable: 404 there is no community "denver" (the configured ones are chicago, boston)')]);
    const missing = await cli('disable');
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('give one community name, or --all')]);
  }, 30_000);
});
