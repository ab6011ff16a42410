import { PassThrough } from 'node:stream';
import { DEFAULT_FEDERATION } from '@herald/proxy';
import type { Flow } from '@herald/stack';
import { MemoryStore, StoreUnavailableError } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { answerFederationReports } from '../federation/federation-reports.js';
import { federationPolicy } from '../federation/federation-policy-of.js';
import { RuntimeListsService } from '../federation/runtime-lists-service.js';
import { createLogger } from '../logger.js';
import { TEST_ADMIN_TOKEN as TOKEN, startTestAdminServer } from '../../test/helpers/admin-server-fixture.js';
import type { AdminServer } from './admin-server.js';

const CONFIG = { federation: { ...DEFAULT_FEDERATION, default: 'permissive' as const, allow: ['partner.example'], block: ['*.spam.example'] }, routes: [] };

function tlsFlow(id: string, owner: string, remotePort: number, identities: string[], authorized: boolean): Flow {
  return { id, transport: 'tls', owner, localAddress: '127.0.0.1', localPort: 5061, remoteAddress: '127.0.0.2', remotePort, peerCertificate: { identities, authorized, chain: [] } };
}

/** One worker as a started Herald runs it: its own view, fed by its run-time lists service, and its answers to the admin API. */
async function startWorker(store: MemoryStore, worker: string, flows: Flow[]) {
  const logger = createLogger({ level: 'error', format: 'json' }, new PassThrough());
  const view = federationPolicy(CONFIG);
  const lists = new RuntimeListsService({ store, view, clock: new FakeClock(), logger });
  await lists.start();
  const stopAnswering = await answerFederationReports(store.bus, { worker, view, peerFlows: () => flows }, () => undefined);
  return { view, stop: async () => Promise.all([lists.stop(), stopAnswering()]) };
}

describe('admin HTTP API: federation', () => {
  let store: MemoryStore;
  let admin: AdminServer;
  let workers: Array<Awaited<ReturnType<typeof startWorker>>>;
  const api = (method: string, path: string, token = TOKEN) => fetch(`http://127.0.0.1:${admin.port}${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  const show = async () => (await (await api('GET', '/api/federation')).json()) as Record<string, unknown> & { workers: Array<{ block: string[] }> };

  beforeEach(async () => {
    store = new MemoryStore();
    workers = [
      await startWorker(store, 'node~1~a', [tlsFlow('tls-1', 'node~1~a', 40001, ['peer.test'], true)]),
      await startWorker(store, 'node~2~b', [tlsFlow('tls-2', 'node~2~b', 40002, [], false), tlsFlow('tls-3', 'node~2~b', 40003, ['impostor.test'], false)]),
    ];
    admin = await startTestAdminServer(store, { federation: federationPolicy(CONFIG) });
  });
  afterEach(async () => {
    await admin.close();
    for (const w of workers) await w.stop();
    await store.close();
  });

  describe('normal path', () => {
    it('shows the level, the lists with their sources, the peers, and the TLS flows of every worker', async () => {
      expect(await show()).toEqual({
        default: 'permissive',
        allow: [{ entry: 'partner.example', source: 'config' }],
        block: [{ entry: '*.spam.example', source: 'config' }],
        peers: [],
        flows: [
          { worker: 'node~1~a', flowId: 'tls-1', transport: 'tls', remote: '127.0.0.2:40001', identities: ['peer.test'], authorized: true },
          { worker: 'node~2~b', flowId: 'tls-2', transport: 'tls', remote: '127.0.0.2:40002', identities: [], authorized: false },
          { worker: 'node~2~b', flowId: 'tls-3', transport: 'tls', remote: '127.0.0.2:40003', identities: ['impostor.test'], authorized: false },
        ],
        workers: [
          { worker: 'node~1~a', allow: [], block: [] },
          { worker: 'node~2~b', allow: [], block: [] },
        ],
        unanswered: 0,
      });
    });

    it('adds a run-time entry that every worker applies at once, idempotently, and removes it', async () => {
      const added = await api('PUT', '/api/federation/block/198.51.100.0%2F24');
      expect([added.status, await added.json()]).toEqual([201, { list: 'block', entry: '198.51.100.0/24', source: 'runtime' }]);
      // Encoded in lower case, or not encoded at all: the same entry.
      for (const path of ['/api/federation/block/198.51.100.0%2f24', '/api/federation/block/198.51.100.0/24']) {
        const again = await api('PUT', path);
        expect([again.status, await again.json()]).toEqual([200, { list: 'block', entry: '198.51.100.0/24', source: 'runtime' }]);
      }
      const inConfig = await api('PUT', '/api/federation/block/*.SPAM.example');
      expect([inConfig.status, await inConfig.json()]).toEqual([200, { list: 'block', entry: '*.spam.example', source: 'config' }]);
      expect((await api('PUT', '/api/federation/allow/Other.Example')).status).toBe(201);

      const shown = await show();
      expect([shown.allow, shown.block]).toEqual([
        [{ entry: 'partner.example', source: 'config' }, { entry: 'other.example', source: 'runtime' }],
        [{ entry: '*.spam.example', source: 'config' }, { entry: '198.51.100.0/24', source: 'runtime' }],
      ]);
      // The announcement reached both workers before the PUT was answered; their reads follow it.
      for (const w of workers) await waitFor(() => w.view.describe().block.length === 2);
      expect((await show()).workers).toEqual([
        { worker: 'node~1~a', allow: ['other.example'], block: ['198.51.100.0/24'] },
        { worker: 'node~2~b', allow: ['other.example'], block: ['198.51.100.0/24'] },
      ]);

      expect((await api('DELETE', '/api/federation/block/198.51.100.0%2F24')).status).toBe(204);
      for (const w of workers) await waitFor(() => w.view.describe().block.length === 1);
      expect((await show()).block).toEqual([{ entry: '*.spam.example', source: 'config' }]);
    });
  });

  describe('failure path', () => {
    const errorOf = async (r: Response) => [r.status, ((await r.json()) as { error: { code: string; message: string } }).error] as const;

    it('refuses an entry that is no domain, address or range with 400 and says why', async () => {
      for (const entry of ['spam%20example', '10.0.0.0%2F33', '*', 'a..b', '198.51.100.0/24/8', 'a/b']) {
        const [status, error] = await errorOf(await api('PUT', `/api/federation/block/${entry}`));
        expect([status, error.code, error.message]).toEqual([400, 'HERALD_ERR_ADMIN_BAD_LIST_ENTRY', expect.stringMatching(/is not a (domain or address|CIDR range); write a domain/)]);
      }
      expect((await show()).block).toEqual([{ entry: '*.spam.example', source: 'config' }]);
    });

    it('refuses to remove an entry of the configuration file with 409, and an absent one with 404', async () => {
      const [status, error] = await errorOf(await api('DELETE', '/api/federation/block/*.spam.example'));
      expect([status, error.code]).toEqual([409, 'HERALD_ERR_ADMIN_CONFIG_ENTRY']);
      expect(error.message).toContain('edit federation.block there');
      expect((await errorOf(await api('DELETE', '/api/federation/allow/partner.example')))[1].message).toContain('federation.allow');
      expect((await errorOf(await api('DELETE', '/api/federation/allow/nobody.example')))[1].code).toBe('HERALD_ERR_ADMIN_NO_SUCH_ENTRY');
    });

    it('knows only the allow and block lists, GET on the whole and PUT or DELETE on an entry, behind the token', async () => {
      expect((await errorOf(await api('PUT', '/api/federation/deny/spam.example')))[1].code).toBe('HERALD_ERR_ADMIN_NOT_FOUND');
      const r = await api('POST', '/api/federation');
      expect([r.status, r.headers.get('allow')]).toEqual([405, 'GET']);
      expect((await api('PUT', '/api/federation/block/spam.example', 'wrong')).status).toBe(401);
      expect((await api('GET', '/api/federation', 'wrong')).status).toBe(401);
    });

    it('answers 503 when the store is unavailable, and changes nothing', async () => {
      store.settings.read = () => Promise.reject(new StoreUnavailableError('redis is down'));
      expect((await errorOf(await api('PUT', '/api/federation/block/spam.example')))[1].code).toBe('HERALD_ERR_ADMIN_STORE_UNAVAILABLE');
      expect((await errorOf(await api('GET', '/api/federation')))[1].code).toBe('HERALD_ERR_ADMIN_STORE_UNAVAILABLE');
    });

    it('shows what came within the deadline, and how many workers did not answer', async () => {
      await store.bus.subscribe('federation:reports', () => undefined);
      const shown = await show();
      expect([(shown.workers as unknown[]).length, shown.unanswered]).toEqual([2, 1]);
    });
  });
});

/** Lets the bus and the workers' reads run until `done` holds (a few turns of the event loop). */
async function waitFor(done: () => boolean): Promise<void> {
  for (let turn = 0; turn < 50 && !done(); turn++) await new Promise((r) => setImmediate(r));
  expect(done()).toBe(true);
}
