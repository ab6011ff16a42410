import { PassThrough } from 'node:stream';
import { MemoryStore } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { createLogger } from './logger.js';
import { SharedSecret } from './shared-secret.js';
import { STORE_CHECK_INTERVAL_MS, StoreLossWatch } from './store-loss-watch.js';

const T0 = 1_700_000_000_000;

/** Lets the promises a fired timer started settle. */
const settle = () => new Promise((r) => setImmediate(r));

describe('StoreLossWatch', () => {
  let store: MemoryStore;
  let clock: FakeClock;
  let lines: string[];
  let reseeds: number;
  let watch: StoreLossWatch;
  let secret: SharedSecret;

  beforeEach(async () => {
    store = new MemoryStore();
    clock = new FakeClock(T0);
    lines = [];
    reseeds = 0;
    const out = new PassThrough();
    out.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
    const { id } = await store.marker.check('started', T0);
    secret = await SharedSecret.read(store.authState);
    watch = new StoreLossWatch({
      store,
      markerId: id,
      reseed: async () => ++reseeds,
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
    await settle();
    expect(reseeds).toBe(1);
    expect(lines).toEqual([]);
  });
});
