import { PassThrough } from 'node:stream';
import { type CommunitiesSettings, CommunitySwitch } from '@herald/proxy';
import { MemoryStore } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { answerCommunityReports } from '../communities/community-reports.js';
import { COMMUNITY_STATES, COMMUNITY_STATES_SETTING } from '../communities/community-states.js';
import type { ConnectorHealth } from '../communities/connector-prober.js';
import { createLogger } from '../logger.js';
import { RuntimeSettingService } from '../runtime-setting-service.js';
import { TEST_ADMIN_TOKEN, startTestAdminServer, testCommunity } from '../../test/helpers/admin-server-fixture.js';
import type { AdminServer } from './admin-server.js';

const SETTINGS: CommunitiesSettings = { enabled: true, list: [testCommunity('chicago'), testCommunity('boston', { enabled: false, proxies: [], convertIds: true })] };

const checked = (connector: string, up: boolean, at: number): ConnectorHealth => ({ community: 'chicago', connector, up, lastStatus: up ? 200 : 408, lastCheckedAt: at });

/** One worker as a started Herald runs it: its switch, fed by the run-time setting service, and its answers to the admin API. */
async function startWorker(store: MemoryStore, worker: string, connectors: ConnectorHealth[]) {
  const logger = createLogger({ level: 'error', format: 'json' }, new PassThrough());
  const communities = new CommunitySwitch(SETTINGS);
  const states = new RuntimeSettingService({ setting: COMMUNITY_STATES, store, apply: (s) => communities.useRuntimeStates(s), clock: new FakeClock(), logger });
  await states.start();
  const stopAnswering = await answerCommunityReports(store.bus, { worker, communities, connectors: () => connectors }, () => undefined);
  return { communities, states, stop: async () => Promise.all([states.stop(), stopAnswering()]) };
}

describe('admin HTTP API: gateway communities', () => {
  let store: MemoryStore;
  let admin: AdminServer;
  let workers: Array<Awaited<ReturnType<typeof startWorker>>>;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`http://127.0.0.1:${admin.port}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const show = async () => (await (await api('GET', '/api/communities')).json()) as { communities: Array<Record<string, unknown>>; workers: Array<{ enabled: string[] }> };
  /** Until every worker has applied what was stored. */
  const applied = () => Promise.all(workers.map((w) => w.states.refresh()));

  beforeEach(async () => {
    store = new MemoryStore();
    workers = [
      await startWorker(store, 'node~1~a', [checked('sip:gw1.chicago.test', true, 1_700_000_000_000), checked('sip:gw2.chicago.test', false, 1_700_000_000_000)]),
      await startWorker(store, 'node~2~b', [checked('sip:gw1.chicago.test', false, 1_700_000_005_000), checked('sip:gw2.chicago.test', false, 1_700_000_001_000)]),
    ];
    admin = await startTestAdminServer(store, { communities: SETTINGS });
  });
  afterEach(async () => {
    await admin.close();
    for (const w of workers) await w.stop();
    await store.close();
  });

  describe('normal path', () => {
    it("shows the global switch, each community's switches, policy and connectors, from every worker's latest probe", async () => {
      const shown = await show();
      expect(shown).toEqual({
        enabled: { configured: true, runtime: null, effective: true },
        communities: [
          {
            name: 'chicago',
            enabled: true,
            configured: true,
            runtime: null,
            domains: ['chicago.test', '*.chicago.test'],
            proxies: ['sip:gw1.chicago.test', 'sip:gw2.chicago.test'],
            transport: null,
            level: 'verified',
            convertIds: false,
            probeInterval: 10,
            connectors: [
              {
                connector: 'sip:gw1.chicago.test',
                // The later of the two workers' checks.
                up: false,
                lastStatus: 408,
                lastCheckedAt: '2023-11-14T22:13:25.000Z',
                workers: [
                  { worker: 'node~1~a', up: true, lastStatus: 200, lastCheckedAt: '2023-11-14T22:13:20.000Z' },
                  { worker: 'node~2~b', up: false, lastStatus: 408, lastCheckedAt: '2023-11-14T22:13:25.000Z' },
                ],
              },
              expect.objectContaining({ connector: 'sip:gw2.chicago.test', up: false }),
            ],
          },
          expect.objectContaining({ name: 'boston', enabled: false, configured: false, runtime: null, convertIds: true, connectors: [] }),
        ],
        workers: [
          { worker: 'node~1~a', all: true, enabled: ['chicago'] },
          { worker: 'node~2~b', all: true, enabled: ['chicago'] },
        ],
        unanswered: 0,
      });
    });

    it('switches one community off and on at run time, on every worker, and forgets the switch on DELETE', async () => {
      const off = await api('PUT', '/api/communities/chicago/enabled', { enabled: false });
      expect([off.status, await off.json()]).toEqual([
        200,
        { enabled: { configured: true, runtime: null, effective: true }, community: { name: 'chicago', enabled: false, configured: true, runtime: false } },
      ]);
      await applied();
      expect(workers.map((w) => w.communities.isEnabled('chicago'))).toEqual([false, false]);
      expect((await show()).workers.map((w) => w.enabled)).toEqual([[], []]);
      expect(JSON.parse((await store.settings.read(COMMUNITY_STATES_SETTING))!)).toEqual({ communities: { chicago: false } });

      const on = await api('PUT', '/api/communities/boston/enabled', { enabled: true });
      expect(((await on.json()) as { community: unknown }).community).toEqual({ name: 'boston', enabled: true, configured: false, runtime: true });
      const reset = await api('DELETE', '/api/communities/chicago/enabled');
      expect(((await reset.json()) as { community: unknown }).community).toEqual({ name: 'chicago', enabled: true, configured: true, runtime: null });
      await applied();
      expect(workers.map((w) => [w.communities.isEnabled('chicago'), w.communities.isEnabled('boston')])).toEqual([
        [true, true],
        [true, true],
      ]);
    });

    it('turns every community off with the global switch, whatever their own switches say', async () => {
      const off = await api('PUT', '/api/communities/enabled', { enabled: false });
      expect([off.status, await off.json()]).toEqual([200, { enabled: { configured: true, runtime: false, effective: false } }]);
      await applied();
      expect(workers.map((w) => w.communities.isEnabled('chicago'))).toEqual([false, false]);
      const shown = await show();
      expect(shown.communities.map((c) => c.enabled)).toEqual([false, false]);
      const reset = await api('DELETE', '/api/communities/enabled');
      expect(await reset.json()).toEqual({ enabled: { configured: true, runtime: null, effective: true } });
      await applied();
      expect(workers.map((w) => w.communities.isEnabled('chicago'))).toEqual([true, true]);
    });
  });

  describe('failure path', () => {
    it('answers 404 naming the configured communities for a name none has', async () => {
      const r = await api('PUT', '/api/communities/denver/enabled', { enabled: false });
      expect([r.status, ((await r.json()) as { error: unknown }).error]).toEqual([
        404,
        { code: 'HERALD_ERR_ADMIN_NO_SUCH_COMMUNITY', message: 'there is no community "denver" (the configured ones are chicago, boston); add it to communities.list in the configuration and restart herald' },
      ]);
      expect(await store.settings.read(COMMUNITY_STATES_SETTING)).toBeUndefined();
    });

    it('refuses a switch that is not true or false with 400, and changes nothing', async () => {
      const r = await api('PUT', '/api/communities/chicago/enabled', { enabled: 'no' });
      expect([r.status, ((await r.json()) as { error: { code: string } }).error.code]).toEqual([400, 'HERALD_ERR_ADMIN_INVALID_FIELD']);
      expect((await api('PUT', '/api/communities/chicago/enabled')).status).toBe(400);
      expect(await store.settings.read(COMMUNITY_STATES_SETTING)).toBeUndefined();
    });

    it('needs the bearer token', async () => {
      const r = await fetch(`http://127.0.0.1:${admin.port}/api/communities`);
      expect(r.status).toBe(401);
    });
  });
});
