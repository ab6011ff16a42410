import { PassThrough } from 'node:stream';
import { MemoryStore, StoreUnavailableError } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { createLogger } from './logger.js';
import { SharedSecret } from './shared-secret.js';
import { STORE_CHECK_INTERVAL_MS, StoreLossWatch } from './store-loss-watch.js';

const T0 = 1_700_000_000_000;

/** Lets the promises a fired timer started run: a few turns of the event loop, or until `done`. */
async function settle(done: () => boolean = () => false): Promise<void> {
  for (let turn = 0; turn < 20 && !done(); turn++) await new Promise((r) => setImmediate(r));
}

describe('StoreLossWatch', () => {
  let store: MemoryStore;
  let clock: FakeClock;
  let lines: string[];
  let reseeds: number;
  let failNextReseed: boolean;
  let reconnected: () => void;
  let watch: StoreLossWatch;
  let secret: SharedSecret;

  beforeEach(async () => {
    store = new MemoryStore();
    clock = new FakeClock(T0);
    lines = [];
    reseeds = 0;
    failNextReseed = false;
    const out = new PassThrough();
    out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const { id } = await store.marker.check('started', T0);
    secret = await SharedSecret.read(store.authState);
    watch = new StoreLossWatch({
      // The memory store never reconnects: the test says when the connection is back.
      store: { marker: store.marker, onReconnect: (listener) => (reconnected = listener) },
      markerId: id,
      reseed: async () => {
        if (failNextReseed) {
          failNextReseed = false;
          throw new StoreUnavailableError('Redis store did not answer');
        }
        return ++reseeds;
      },
      secret,
      clock,
      logger: createLogger({ level: 'info', format: 'json' }, out),
    });
    watch.start();
  });
  afterEach(async () => {
    await watch.stop();
    await store.close();
  });

  it('does nothing while the marker it read at start-up is there', async () => {
    clock.advance(STORE_CHECK_INTERVAL_MS * 3);
    await settle();
    expect(reseeds).toBe(0);
    expect(lines).toEqual([]);
  });

  it('re-seeds at the next check once the marker is gone, and warns once', async () => {
    store.marker.clear();
    await watch.check();
    expect(reseeds).toBe(1);
    const [warning] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(warning).toMatchObject({ level: 'warn', foundEmptyAt: new Date(T0).toISOString(), reseededUsers: 1 });
    expect(String(warning.message)).toContain('store found empty');
    await expect(store.marker.read()).resolves.toMatchObject({ foundEmptyAt: T0 });
    clock.advance(STORE_CHECK_INTERVAL_MS);
    await settle();
    expect([reseeds, lines.length]).toEqual([1, 1]);
  });

  it('re-seeds without a second warning when another worker reported the loss first', async () => {
    store.marker.clear();
    await store.marker.check('other', T0 + 1, 'started');
    clock.advance(STORE_CHECK_INTERVAL_MS);
    await settle(() => reseeds > 0);
    expect(reseeds).toBe(1);
    expect(lines).toEqual([]);
  });

  it('tries a re-seed that failed (the store went away again) at the next check, and warns then', async () => {
    store.marker.clear();
    failNextReseed = true;
    await watch.check();
    expect([reseeds, lines.length]).toEqual([0, 0]);
    await watch.check();
    expect(reseeds).toBe(1);
    expect(lines.map((l) => JSON.parse(l) as { level: string }).map((l) => l.level)).toEqual(['warn']);
  });

  it('checks at once when the connection to the store is back (Redis restarted)', async () => {
    store.marker.clear();
    reconnected();
    await settle(() => reseeds > 0);
    expect(reseeds).toBe(1);
  });
});
