import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RedisServer, freePort, startRedis } from '@herald/test-kit';
import { eventually } from './helpers/eventually.js';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';
import { UdpAgent } from './helpers/udp-agent.js';

const TOKEN = 'federation-admin-token';

interface Shown {
  default: string;
  allow: Array<{ entry: string; source: string }>;
  block: Array<{ entry: string; source: string }>;
  peers: unknown[];
  flows: unknown[];
  workers: Array<{ worker: string; allow: string[]; block: string[] }>;
  unanswered: number;
}

/** The admin API of a Herald whose admin server listens on `port`. */
function adminApi(port: number) {
  const api = (method: string, path: string) => fetch(`http://127.0.0.1:${port}${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });
  const show = async () => (await (await api('GET', '/api/federation')).json()) as Shown;
  return { api, show };
}

const errorOf = async (r: Response) => [r.status, ((await r.json()) as { error: { code: string; message: string } }).error] as const;

/**
 * Issue 15: the allow and block lists changed while Herald runs, through the admin API and
 * the CLI, kept in the store and applied by every worker at once.
 */
describe('run-time federation lists on the embedded store', () => {
  let dataDir: string;
  let adminPort: number;
  let herald: HeraldProcess;
  let api: ReturnType<typeof adminApi>['api'];
  let show: ReturnType<typeof adminApi>['show'];

  const start = () =>
    startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
dataDir: "${dataDir}"
log: { level: info }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
federation: { allow: [partner.example], block: ["*.spam.example"] }
`);
  const cli = (...args: string[]) => runHerald(['federation', ...args, '--config', join(herald.dir, 'herald.yaml')], herald.dir);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'herald-federation-data-'));
    adminPort = await freePort();
    herald = await start();
    ({ api, show } = adminApi(adminPort));
  });
  afterAll(async () => {
    await herald?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('normal path', () => {
    it('adds a block entry that the worker applies, shows it beside the configured ones, and removes it', async () => {
      expect(await show()).toEqual({
        default: expect.any(String),
        allow: [{ entry: 'partner.example', source: 'config' }],
        block: [{ entry: '*.spam.example', source: 'config' }],
        peers: expect.any(Array),
        flows: [],
        workers: [{ worker: expect.any(String), allow: [], block: [] }],
        unanswered: 0,
      });
      const added = await api('PUT', '/api/federation/block/198.51.100.0%2F24');
      expect([added.status, await added.json()]).toEqual([201, { list: 'block', entry: '198.51.100.0/24', source: 'runtime' }]);
      expect((await api('PUT', '/api/federation/block/198.51.100.0%2F24')).status).toBe(200);
      const shown = await eventually(show, (s) => s.workers[0].block.length === 1);
      expect(shown.block).toEqual([
        { entry: '*.spam.example', source: 'config' },
        { entry: '198.51.100.0/24', source: 'runtime' },
      ]);
      expect(shown.workers[0].block).toEqual(['198.51.100.0/24']);

      expect((await api('DELETE', '/api/federation/block/198.51.100.0%2F24')).status).toBe(204);
      const after = await eventually(show, (s) => s.workers[0].block.length === 0);
      expect([after.block, after.workers[0].block]).toEqual([[{ entry: '*.spam.example', source: 'config' }], []]);
    });

    it('keeps the run-time entries across a restart, applied from the first request on', async () => {
      expect((await api('PUT', '/api/federation/allow/kept.example')).status).toBe(201);
      await herald.stop();
      herald = await start();
      const shown = await show();
      expect(shown.allow).toEqual([
        { entry: 'partner.example', source: 'config' },
        { entry: 'kept.example', source: 'runtime' },
      ]);
      // Read at start, before the listeners served anything: no announcement involved.
      expect(shown.workers[0].allow).toEqual(['kept.example']);
      expect((await api('DELETE', '/api/federation/allow/kept.example')).status).toBe(204);
    });

    it('is driven by herald federation show, block and unblock', async () => {
      const blocked = await cli('block', '*.junk.example');
      expect([blocked.code, JSON.parse(blocked.stdout)]).toEqual([0, { list: 'block', entry: '*.junk.example', source: 'runtime' }]);
      const shown = await cli('show');
      expect(shown.code).toBe(0);
      expect((JSON.parse(shown.stdout) as Shown).block).toContainEqual({ entry: '*.junk.example', source: 'runtime' });
      expect(await cli('unblock', '*.junk.example')).toMatchObject({ code: 0, stdout: '"*.junk.example" is off the run-time block list\n' });
      expect((await show()).block).toEqual([{ entry: '*.spam.example', source: 'config' }]);
      expect((await cli('allow', '203.0.113.0/24')).code).toBe(0);
      expect((await show()).allow).toContainEqual({ entry: '203.0.113.0/24', source: 'runtime' });
      expect((await cli('unallow', '203.0.113.0/24')).code).toBe(0);
    });
  });

  describe('failure path', () => {
    it('refuses a bad entry with 400 and the reason, an entry of the configuration file with 409, an absent one with 404', async () => {
      const [badStatus, bad] = await errorOf(await api('PUT', '/api/federation/block/spam%20example'));
      expect([badStatus, bad.code, bad.message]).toEqual([400, 'HERALD_ERR_ADMIN_BAD_LIST_ENTRY', expect.stringContaining('"spam example" is not a domain or address')]);
      const [configStatus, config] = await errorOf(await api('DELETE', `/api/federation/block/${encodeURIComponent('*.spam.example')}`));
      expect([configStatus, config.code, config.message]).toEqual([409, 'HERALD_ERR_ADMIN_CONFIG_ENTRY', expect.stringContaining('edit federation.block there')]);
      expect((await errorOf(await api('DELETE', '/api/federation/allow/absent.example')))[0]).toBe(404);
      expect((await show()).block).toEqual([{ entry: '*.spam.example', source: 'config' }]);
    });

    it('says what is wrong with a CLI command, and passes on the reason the server refused', async () => {
      const config = await cli('unblock', '*.spam.example');
      expect(config.code).toBe(1);
      expect(config.stderr).toMatch(/^herald federation unblock: 409 "\*\.spam\.example" comes from federation\.block in the configuration file; edit federation\.block there/);
      const bad = await cli('block', '10.0.0.0/33');
      expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining('"10.0.0.0/33" is not a CIDR range')]);
      const missing = await cli('block');
      expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('give one entry')]);
      const extra = await cli('show', 'spam.example');
      expect([extra.code, extra.stderr]).toEqual([2, expect.stringContaining('takes no entry')]);
      const unknown = await cli('deny', 'spam.example');
      expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('unknown action "deny"')]);
      const help = await runHerald(['federation', '--help'], herald.dir);
      expect([help.code, help.stdout]).toEqual([0, expect.stringContaining('Usage: herald federation')]);
    });
  });
});

describe('run-time federation lists with two workers on Redis', () => {
  let redis: RedisServer;
  let herald: HeraldProcess;
  let adminPort: number;

  beforeAll(async () => {
    redis = await startRedis();
    adminPort = await freePort();
    herald = await startHerald(`
domains: [example.com]
listen: ["udp://127.0.0.1:0"]
store: "${redis.url}/7"
# A prefix of its own: a Redis given by REDIS_URL may keep the lists of an earlier run.
redis: { keyPrefix: "federation-${process.pid}-${Date.now()}:" }
workers: 2
log: { level: info }
admin: { listen: "127.0.0.1:${adminPort}", token: "${TOKEN}" }
federation: { default: permissive, block: ["*.spam.example"] }
users:
  - { user: bob, domain: example.com, password: "builder" }
`);
  }, 30_000);
  afterAll(async () => {
    await herald?.stop();
    await redis?.stop();
  });

  /** The workers' log entries saying which run-time lists they applied. */
  const applied = () =>
    herald.stdout.map((line) => JSON.parse(line) as { message?: string; block?: string[] }).filter((e) => e.message === 'federation: run-time allow and block lists applied');

  /** Several sources, so that the kernel spreads them over both workers' share of the UDP socket. */
  const AGENTS = 8;

  /** What Bob's domain answers a MESSAGE from `from` sent by each of `AGENTS` sources. */
  async function messagesFrom(from: string): Promise<string[]> {
    const agents = await Promise.all(Array.from({ length: AGENTS }, () => UdpAgent.start(herald.port('udp'))));
    try {
      return await Promise.all(
        agents.map(async (agent) => {
          await agent.send({ method: 'MESSAGE', uri: 'sip:bob@example.com', from: `<sip:${from}>;tag=m`, to: '<sip:bob@example.com>', headers: ['Content-Type: text/plain'], body: 'hi' });
          const response = await agent.response(10_000);
          return `${response.status} ${response.reason}`;
        }),
      );
    } finally {
      await Promise.all(agents.map((a) => a.close()));
    }
  }

  it('has every worker apply a change at once, as each one answers the admin API and logs', async () => {
    const { api, show } = adminApi(adminPort);
    const before = await show();
    expect(before.workers.map((w) => w.block)).toEqual([[], []]);
    expect(new Set(before.workers.map((w) => w.worker)).size).toBe(2);
    expect(before.unanswered).toBe(0);
    expect(await messagesFrom('mallory@badpeer.example')).toEqual(Array(AGENTS).fill('202 Accepted'));
    // A watcher of that domain subscribes while it is not blocked.
    const watcher = await UdpAgent.start(herald.port('udp'));
    const subscribe = (cseq: number, toTag?: string) =>
      watcher.send({ method: 'SUBSCRIBE', uri: 'sip:bob@example.com', from: '<sip:mallory@badpeer.example>;tag=w', to: `<sip:bob@example.com>${toTag ? `;tag=${toTag}` : ''}`, callId: 'watch-bad', cseq, headers: ['Event: presence', 'Expires: 600'] });
    await subscribe(1);
    const subscribed = await watcher.response(10_000);
    expect(subscribed.status).toBe(200);

    expect((await api('PUT', '/api/federation/block/badpeer.example')).status).toBe(201);
    const after = await eventually(show, (s) => s.workers.every((w) => w.block.length === 1));
    expect(after.block).toEqual([
      { entry: '*.spam.example', source: 'config' },
      { entry: 'badpeer.example', source: 'runtime' },
    ]);
    expect(after.workers.map((w) => w.block)).toEqual([['badpeer.example'], ['badpeer.example']]);
    expect((await eventually(applied, (a) => a.length === 2)).map((e) => e.block)).toEqual([['badpeer.example'], ['badpeer.example']]);
    // Whichever worker a request reaches refuses the domain now.
    expect(await messagesFrom('mallory@badpeer.example')).toEqual(Array(AGENTS).fill('403 Domain Blocked'));
    // Its subscription, judged when it began, ends at its next refresh.
    await subscribe(2, subscribed.to.params.get('tag') ?? undefined);
    const refreshed = await watcher.response(10_000);
    expect(`${refreshed.status} ${refreshed.reason}`).toBe('403 Domain Blocked');
    await watcher.close();

    expect((await api('DELETE', '/api/federation/block/badpeer.example')).status).toBe(204);
    const removed = await eventually(show, (s) => s.workers.every((w) => w.block.length === 0));
    expect(removed.workers.map((w) => w.block)).toEqual([[], []]);
    expect(removed.block).toEqual([{ entry: '*.spam.example', source: 'config' }]);
  }, 30_000);
});
