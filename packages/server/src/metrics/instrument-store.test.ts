import { MemoryStore, type Store, StoreUnavailableError } from '@herald/store';
import { userRecord } from '../accounts.js';
import { HeraldMetrics } from './herald-metrics.js';
import { instrumentStore } from './instrument-store.js';

const SUB_STORES = ['locations', 'users', 'authState', 'messages', 'subscriptions', 'publications', 'groups', 'presenceRules', 'settings'] as const;

async function count(metrics: HeraldMetrics, store: string, operation: string): Promise<number | undefined> {
  const histogram = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'herald_store_operation_seconds');
  return histogram?.values.find((v) => (v as { metricName?: string }).metricName === 'herald_store_operation_seconds_count' && v.labels.store === store && v.labels.operation === operation)?.value;
}

describe('instrumentStore', () => {
  let inner: MemoryStore;
  let metrics: HeraldMetrics;
  let store: Store;
  beforeEach(() => {
    inner = new MemoryStore();
    metrics = new HeraldMetrics({ defaultMetrics: false });
    store = instrumentStore(inner, metrics);
  });
  afterEach(() => store.close());

  it('returns a store of the same shape: kind, ping, close and every sub-store, each operation a function of the wrapped one', () => {
    expect(store.kind).toBe('memory');
    for (const name of SUB_STORES) {
      const operations = Object.keys(store[name]);
      expect(operations.length).toBeGreaterThan(0);
      for (const op of operations) expect([name, op, typeof (inner[name] as unknown as Record<string, unknown>)[op]]).toEqual([name, op, 'function']);
    }
    expect(Object.keys(store.locations).sort()).toEqual(['compareAndSet', 'countAors', 'get']);
  });

  it('passes calls and results through to the wrapped store', async () => {
    await store.users.put(userRecord('alice', 'example.com', 'secret', 1000));
    expect((await inner.users.get('alice', 'example.com'))?.user).toBe('alice');
    expect((await store.users.list()).map((u) => u.user)).toEqual(['alice']);
    expect(await store.locations.countAors(0)).toBe(0);
  });

  it('times each operation under its sub-store and method name', async () => {
    await store.users.get('alice', 'example.com');
    await store.users.get('bob', 'example.com');
    await store.locations.get('sip:alice@example.com', 0);
    await store.authState.failures('src:192.0.2.1', 0);
    expect(await count(metrics, 'users', 'get')).toBe(2);
    expect(await count(metrics, 'locations', 'get')).toBe(1);
    expect(await count(metrics, 'authState', 'failures')).toBe(1);
  });

  it('times failed operations too and passes the error on unchanged', async () => {
    const outage = new StoreUnavailableError('redis is down');
    inner.users.get = () => Promise.reject(outage);
    await expect(store.users.get('alice', 'example.com')).rejects.toBe(outage);
    expect(await count(metrics, 'users', 'get')).toBe(1);
  });

  it('delegates ping to the wrapped store', async () => {
    let pinged = 0;
    inner.ping = async () => void pinged++;
    await store.ping();
    expect(pinged).toBe(1);
  });
});
