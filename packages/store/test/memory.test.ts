import { afterEach, describe, expect, it, jest } from '@jest/globals';
import {
  MemoryAuthStateStore,
  MemoryGroupStore,
  MemoryMessageBus,
  MemoryLocationStore,
  MemoryMessageStore,
  MemoryPresenceRuleStore,
  MemoryPublicationStore,
  MemorySettingsStore,
  MemoryStore,
  MemorySubscriptionStore,
  MemoryClaims,
  MemoryStoreMarker,
  MemoryUserStore,
  type Publication,
  type Subscription,
} from '../src/index.js';
import {
  describeAuthStateStoreContract,
  describeGroupStoreContract,
  describeLocationStoreContract,
  describeMessageBusContract,
  describeMessageStoreContract,
  describePresenceRuleStoreContract,
  describePublicationStoreContract,
  describeSettingsStoreContract,
  describeSubscriptionStoreContract,
  describeClaimsContract,
  describeStoreMarkerContract,
  describeUserStoreContract,
  testBinding,
} from '../src/contract/index.js';
import { ExpiryIndex, PeriodicSweep } from '../src/memory/memory-sweep.js';

const T0 = 1_700_000_000_000;

describeLocationStoreContract('MemoryLocationStore', async () => {
  const store = new MemoryLocationStore();
  return { store, close: async () => store.close() };
});

describeStoreMarkerContract(
  'MemoryStoreMarker',
  async () => ({ store: new MemoryStoreMarker(), close: async () => undefined }),
  async (f) => (f.store as MemoryStoreMarker).clear(),
);

describeUserStoreContract('MemoryUserStore', async () => ({ store: new MemoryUserStore(), close: async () => undefined }));

describeAuthStateStoreContract('MemoryAuthStateStore', async () => {
  const store = new MemoryAuthStateStore();
  return { store, close: async () => store.close() };
});

describeMessageStoreContract('MemoryMessageStore', async () => {
  const store = new MemoryMessageStore();
  return { store, close: async () => store.close() };
});

describeSubscriptionStoreContract('MemorySubscriptionStore', async () => {
  const store = new MemorySubscriptionStore();
  return { store, close: async () => store.close() };
});

describePublicationStoreContract('MemoryPublicationStore', async () => {
  const store = new MemoryPublicationStore();
  return { store, close: async () => store.close() };
});

describeGroupStoreContract('MemoryGroupStore', async () => ({ store: new MemoryGroupStore(), close: async () => undefined }));

describePresenceRuleStoreContract('MemoryPresenceRuleStore', async () => ({ store: new MemoryPresenceRuleStore(), close: async () => undefined }));

describeSettingsStoreContract('MemorySettingsStore', async () => ({ store: new MemorySettingsStore(), close: async () => undefined }));

function subscription(id: string, expiresAt: number): Subscription {
  return {
    id,
    event: 'presence',
    resource: 'sip:alice@example.com',
    watcher: 'sip:bob@example.net',
    remoteTarget: 'sip:bob@192.0.2.4',
    routeSet: [],
    callId: `${id}@192.0.2.4`,
    localTag: 'l',
    remoteTag: 'r',
    localUri: '<sip:alice@example.com>',
    remoteUri: '<sip:bob@example.net>',
    localCseq: 1,
    remoteCseq: 1,
    status: 'active',
    accept: [],
    expiresAt,
    flow: null,
    data: {},
    version: 1,
  };
}

function publication(etag: string, expiresAt: number): Publication {
  return { resource: 'sip:alice@example.com', event: 'presence', etag, contentType: 'application/pidf+xml', body: '', updatedAt: T0, expiresAt };
}

describe('memory stores: bounded memory', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sweeps the bindings expired before the latest now it was given', async () => {
    jest.useFakeTimers();
    const store = new MemoryLocationStore({ sweepIntervalMs: 1000 });
    await store.compareAndSet('sip:alice@example.com', 0, [testBinding('sip:a@1', 1000)], T0);
    await store.compareAndSet('sip:bob@example.com', 0, [testBinding('sip:b@1', 5000)], T0);
    await store.countAors(T0 + 2000);
    jest.advanceTimersByTime(1000);
    // The periodic sweep already dropped alice's record; bob's is still live at T0 + 2000.
    expect(store.sweep(T0 + 2000)).toBe(0);
    expect(store.sweep(T0 + 5000)).toBe(1);
    store.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sweeps expired nonce records and failure windows', async () => {
    jest.useFakeTimers();
    const store = new MemoryAuthStateStore({ sweepIntervalMs: 1000 });
    await store.advanceNonceCount('n1', 1, T0 + 1000, T0);
    await store.addFailure('src:198.51.100.7', 1000, T0);
    await store.addFailure('src:203.0.113.1', 10_000, T0);
    await store.failures('src:198.51.100.7', T0 + 1000);
    jest.advanceTimersByTime(1000);
    expect(store.sweep(T0 + 1000)).toBe(0);
    expect(store.sweep(T0 + 10_000)).toBe(1);
    store.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('drops expired messages, on the latest now it was given', async () => {
    jest.useFakeTimers();
    const store = new MemoryMessageStore({ sweepIntervalMs: 1000 });
    const base = { headers: [], contentType: null, body: Buffer.from('x'), storedAt: T0, recipient: 'sip:a@example.com' };
    await store.add({ ...base, expiresAt: T0 + 10 }, { perRecipient: 10, perSender: Infinity, perForeignDomain: Infinity }, T0);
    await store.add({ ...base, expiresAt: T0 + 1_000 }, { perRecipient: 10, perSender: Infinity, perForeignDomain: Infinity }, T0);
    await store.list('sip:a@example.com', T0 + 10);
    jest.advanceTimersByTime(1000);
    // The periodic sweep already dropped the first; the second is live until T0 + 1000.
    expect(store.sweep(T0 + 10, Infinity)).toBe(0);
    expect(await store.list('sip:a@example.com', T0)).toHaveLength(1);
    expect(store.sweep(T0 + 1_000, Infinity)).toBe(1);
    store.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves expired subscriptions to takeExpired for the grace period, then drops them', async () => {
    jest.useFakeTimers();
    const store = new MemorySubscriptionStore({ sweepIntervalMs: 1000, graceMs: 1_000 });
    await store.compareAndSet(subscription('s1', T0 + 10), T0);
    await store.compareAndSet(subscription('s2', T0 + 5_000), T0);
    await store.get('s1', T0 + 500);
    jest.advanceTimersByTime(1000);
    expect((await store.takeExpired(T0 + 500, 10)).map((s) => s.id)).toEqual(['s1']);
    await store.compareAndSet(subscription('s1', T0 + 600), T0 + 500);
    await store.get('s1', T0 + 1_600);
    jest.advanceTimersByTime(1000);
    // Swept unannounced once the grace period after its expiry had passed.
    expect(await store.takeExpired(T0 + 2_000, 10)).toEqual([]);
    expect(store.sweep(T0 + 6_000)).toBe(1);
    store.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('leaves expired publications to takeExpired for the grace period, then drops them', async () => {
    jest.useFakeTimers();
    const store = new MemoryPublicationStore({ sweepIntervalMs: 1000, graceMs: 1_000 });
    await store.put(publication('e1', T0 + 10), null, T0);
    await store.put(publication('e2', T0 + 5_000), null, T0);
    await store.list('sip:alice@example.com', 'presence', T0 + 500);
    jest.advanceTimersByTime(1000);
    expect(store.sweep(T0 + 500)).toBe(0);
    await store.get('sip:alice@example.com', 'presence', 'e2', T0 + 1_010);
    jest.advanceTimersByTime(1000);
    expect(store.sweep(T0 + 1_010)).toBe(0);
    expect((await store.takeExpired(T0 + 5_000, 10)).map((x) => x.etag)).toEqual(['e2']);
    store.close();
    expect(jest.getTimerCount()).toBe(0);
  });

  it('takes expired subscriptions among many live ones, up to the limit, and the rest on the next take', async () => {
    const store = new MemorySubscriptionStore();
    for (let i = 0; i < 50; i++) await store.compareAndSet(subscription(`live${i}`, T0 + 3_600_000 + i), T0);
    for (let i = 0; i < 5; i++) await store.compareAndSet(subscription(`gone${i}`, T0 + 1_000 * i), T0);
    // A refresh moves a subscription's expiry: it is not taken at the old one.
    const refreshed = (await store.get('gone4', T0))!;
    await store.compareAndSet({ ...refreshed, expiresAt: T0 + 7_200_000, version: refreshed.version + 1 }, T0);
    expect((await store.takeExpired(T0 + 3_000, 2)).map((s) => s.id).sort()).toEqual(['gone0', 'gone1']);
    await store.delete('gone3');
    expect((await store.takeExpired(T0 + 10_000, 10)).map((s) => s.id)).toEqual(['gone2']);
    expect(await store.takeExpired(T0 + 3_600_000 + 10, 100)).toHaveLength(11);
    expect(await store.get('gone4', T0 + 3_600_000 + 10)).toBeDefined();
    store.close();
  });

  it('takes expired publications among live ones, a modified one at its new expiry only', async () => {
    const store = new MemoryPublicationStore();
    for (let i = 0; i < 20; i++) await store.put({ ...publication(`live${i}`, T0 + 3_600_000), resource: `sip:u${i}@example.com` }, null, T0);
    await store.put(publication('e1', T0 + 1_000), null, T0);
    await store.put(publication('e2', T0 + 2_000), null, T0);
    await store.put(publication('e3', T0 + 60_000), 'e2', T0);
    await store.put(publication('e4', T0 + 3_000), null, T0);
    await store.remove('sip:alice@example.com', 'presence', 'e4');
    expect((await store.takeExpired(T0 + 5_000, 10)).map((p) => p.etag)).toEqual(['e1']);
    expect((await store.takeExpired(T0 + 60_000, 10)).map((p) => p.etag)).toEqual(['e3']);
    expect(await store.list('sip:u3@example.com', 'presence', T0 + 60_000)).toHaveLength(1);
    store.close();
  });

  it('indexes ids by the second they expire in: a take sees those due, then later ones, after any gap', () => {
    const index = new ExpiryIndex();
    const expiry = new Map<string, number>([['a', T0 + 100], ['b', T0 + 900], ['c', T0 + 5_000], ['d', 0]]);
    for (const [id, at] of expiry) index.add(id, at);
    const due = (until: number) => (id: string) => expiry.get(id)! <= until;
    // In the second of `until`, only those at or before it.
    expect(index.take(T0 + 500, 10, due(T0 + 500)).sort()).toEqual(['a', 'd']);
    expect(index.take(T0 + 500, 10, due(T0 + 500))).toEqual([]);
    index.remove('c', T0 + 5_000);
    index.add('c', T0 + 4_000);
    expiry.set('c', T0 + 4_000);
    expect(index.take(T0 + 4_999, 1, due(T0 + 4_999))).toEqual(['b']);
    expect(index.take(T0 + 4_999, 1, due(T0 + 4_999))).toEqual(['c']);
    index.add('e', T0 + 86_400_000);
    expect(index.take(T0 + 86_400_000, 10, due(T0 + 86_400_000))).toEqual([]);
    expiry.set('e', T0 + 86_400_000);
    expect(index.take(T0 + 86_400_000, 10, due(T0 + 86_400_000))).toEqual(['e']);
  });

  it('does not keep the process alive', () => {
    const sweep = new PeriodicSweep(() => undefined);
    expect(sweep.holdsProcess).toBe(false);
    sweep.close();
  });
});

describe('MemoryStore', () => {
  it('is of kind memory, answers a ping and stops its sweeps on close', async () => {
    jest.useFakeTimers();
    try {
      const store = new MemoryStore();
      expect(store.kind).toBe('memory');
      await expect(store.ping()).resolves.toBeUndefined();
      // Locations, auth state, messages, subscriptions, publications.
      expect(jest.getTimerCount()).toBe(5);
      await store.close();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describeMessageBusContract('MemoryMessageBus', async () => ({ store: new MemoryMessageBus(), close: async () => undefined }));
describeClaimsContract('MemoryClaims', async () => ({ store: new MemoryClaims(), close: async () => undefined }));
