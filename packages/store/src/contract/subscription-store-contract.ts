import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Subscription, SubscriptionCaps, SubscriptionStore } from '../subscription-store.js';
import type { StoreFixture } from './store-fixture.js';

/** What a backend's test gives the subscription store contract. */
export type SubscriptionStoreHarness = StoreFixture<SubscriptionStore>;

const T0 = 1_700_000_000_000;
const ALICE = 'sip:alice@example.com';

/** A subscription record for store tests: an active presence subscription of bob to alice. */
export function testSubscription(id: string, overrides: Partial<Subscription> = {}): Subscription {
  return {
    id,
    event: 'presence',
    resource: ALICE,
    watcher: 'sip:bob@example.net',
    remoteTarget: 'sip:bob@192.0.2.4:5060;transport=tcp',
    routeSet: ['<sip:proxy.example.net;lr>'],
    callId: `${id}@192.0.2.4`,
    localTag: 'herald-1',
    remoteTag: 'bob-1',
    localUri: `<${ALICE}>`,
    remoteUri: '<sip:bob@example.net>',
    localCseq: 1,
    remoteCseq: 1,
    status: 'active',
    accept: ['application/pidf+xml'],
    expiresAt: T0 + 3_600_000,
    flow: {
      id: 'c-1',
      transport: 'tcp',
      owner: 'node-a/101',
      localAddress: '192.0.2.1',
      localPort: 5060,
      remoteAddress: '192.0.2.4',
      remotePort: 40_123,
    },
    data: { version: 0, nested: { list: [1, 'two', null] } },
    version: 1,
    ...overrides,
  };
}

const ids = (subs: Subscription[]) => subs.map((s) => s.id).sort();

const NO_CAPS: SubscriptionCaps = { perResource: Infinity, perForeignDomain: Infinity, perForeignSource: Infinity };

/** A subscription of a watcher of another domain, from `source`. */
const stranger = (id: string, domain: string, source: string, overrides: Partial<Subscription> = {}) =>
  testSubscription(id, { watcher: `sip:${id}@${domain}`, foreign: { domain, source }, ...overrides });

/**
 * The behaviour every SubscriptionStore backend must show.
 * @see RFC 6665 §4.2, §4.1.3
 */
export function describeSubscriptionStoreContract(name: string, make: () => Promise<SubscriptionStoreHarness>): void {
  describe(`${name}: SubscriptionStore contract`, () => {
    let h: SubscriptionStoreHarness;
    let store: SubscriptionStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    it('creates a subscription with version 1 and reads every field back', async () => {
      expect(await store.get('s1', T0)).toBeUndefined();
      const s = testSubscription('s1');
      expect(await store.compareAndSet(s, T0)).toBe(true);
      expect(await store.get('s1', T0)).toEqual(s);
      expect(await store.compareAndSet(testSubscription('s2', { flow: null, data: {}, routeSet: [] }), T0)).toBe(true);
      expect(await store.get('s2', T0)).toEqual(testSubscription('s2', { flow: null, data: {}, routeSet: [] }));
    });

    it('writes only over the version it was read at', async () => {
      expect(await store.compareAndSet(testSubscription('s1', { version: 2 }), T0)).toBe(false);
      expect(await store.compareAndSet(testSubscription('s1'), T0)).toBe(true);
      expect(await store.compareAndSet(testSubscription('s1'), T0)).toBe(false);
      expect(await store.compareAndSet(testSubscription('s1', { version: 2, remoteCseq: 2 }), T0)).toBe(true);
      expect(await store.compareAndSet(testSubscription('s1', { version: 2, remoteCseq: 3 }), T0)).toBe(false);
      expect(await store.compareAndSet(testSubscription('s1', { version: 4 }), T0)).toBe(false);
      expect((await store.get('s1', T0))!.remoteCseq).toBe(2);
    });

    it('lets exactly one of two writers at the same version win', async () => {
      await store.compareAndSet(testSubscription('s1'), T0);
      const other = h.second ? await h.second() : store;
      for (let round = 2; round < 12; round++) {
        const [a, b] = await Promise.all([
          store.compareAndSet(testSubscription('s1', { version: round, data: { writer: 'a' } }), T0),
          other.compareAndSet(testSubscription('s1', { version: round, data: { writer: 'b' } }), T0),
        ]);
        expect([a, b].filter(Boolean)).toHaveLength(1);
        const stored = await store.get('s1', T0);
        expect(stored!.version).toBe(round);
        expect(stored!.data.writer).toBe(a ? 'a' : 'b');
      }
    });

    it('lets exactly one of two creators of the same dialog win', async () => {
      const other = h.second ? await h.second() : store;
      const results = await Promise.all([
        store.compareAndSet(testSubscription('s1', { watcher: 'sip:a@example.net' }), T0),
        other.compareAndSet(testSubscription('s1', { watcher: 'sip:b@example.net' }), T0),
      ]);
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('hides a subscription expired at now, and lets a new dialog with its id start over', async () => {
      await store.compareAndSet(testSubscription('s1', { expiresAt: T0 + 1_000, version: 1 }), T0);
      expect(await store.get('s1', T0 + 999)).toBeDefined();
      expect(await store.get('s1', T0 + 1_000)).toBeUndefined();
      expect(await store.compareAndSet(testSubscription('s1', { version: 2 }), T0 + 1_000)).toBe(false);
      expect(await store.compareAndSet(testSubscription('s1', { version: 1 }), T0 + 1_000)).toBe(true);
      expect(await store.get('s1', T0 + 1_000)).toBeDefined();
    });

    it('deletes, and answers false when there was nothing', async () => {
      await store.compareAndSet(testSubscription('s1'), T0);
      expect(await store.delete('s1')).toBe(true);
      expect(await store.delete('s1')).toBe(false);
      expect(await store.get('s1', T0)).toBeUndefined();
      expect(await store.byResource(ALICE, 'presence', T0)).toEqual([]);
      expect(await store.takeExpired(T0 + 10 * 3_600_000, 10)).toEqual([]);
    });

    it('deletes with what the caller read of it, even when that is out of date', async () => {
      await store.compareAndSet(testSubscription('s1'), T0);
      await store.compareAndSet(testSubscription('s2'), T0);
      await store.compareAndSet(testSubscription('s2', { version: 2, event: 'presence.winfo' }), T0);
      expect(await store.delete('s1', { resource: ALICE, event: 'presence' })).toBe(true);
      expect(await store.delete('s2', { resource: ALICE, event: 'presence' })).toBe(true);
      expect(await store.delete('s2', { resource: ALICE, event: 'presence.winfo' })).toBe(false);
      expect(await store.byResource(ALICE, 'presence', T0)).toEqual([]);
      expect(await store.byResource(ALICE, 'presence.winfo', T0)).toEqual([]);
      expect(await store.takeExpired(T0 + 10 * 3_600_000, 10)).toEqual([]);
    });

    it('finds only the live subscriptions to one resource for one event', async () => {
      await store.compareAndSet(testSubscription('s1'), T0);
      await store.compareAndSet(testSubscription('s2', { watcher: 'sip:carol@example.org' }), T0);
      await store.compareAndSet(testSubscription('s3', { event: 'presence.winfo' }), T0);
      await store.compareAndSet(testSubscription('s4', { resource: 'sip:dave@example.com' }), T0);
      await store.compareAndSet(testSubscription('s5', { expiresAt: T0 + 500 }), T0);
      expect(ids(await store.byResource(ALICE, 'presence', T0))).toEqual(['s1', 's2', 's5']);
      expect(ids(await store.byResource(ALICE, 'presence', T0 + 500))).toEqual(['s1', 's2']);
      expect(ids(await store.byResource(ALICE, 'presence.winfo', T0))).toEqual(['s3']);
      expect(ids(await store.byResource('sip:dave@example.com', 'presence', T0))).toEqual(['s4']);
      expect(await store.byResource('sip:nobody@example.com', 'presence', T0)).toEqual([]);
      expect((await store.byResource(ALICE, 'presence', T0)).find((s) => s.id === 's1')).toEqual(testSubscription('s1'));
    });

    it('moves a subscription between resources when a write changes its resource or event', async () => {
      await store.compareAndSet(testSubscription('s1'), T0);
      await store.compareAndSet(testSubscription('s1', { version: 2, event: 'presence.winfo' }), T0);
      expect(await store.byResource(ALICE, 'presence', T0)).toEqual([]);
      expect(ids(await store.byResource(ALICE, 'presence.winfo', T0))).toEqual(['s1']);
    });

    it('writes many records at once, each only over the version it was read at', async () => {
      for (const id of ['s1', 's2', 's3', 's4']) await store.compareAndSet(testSubscription(id), T0);
      await store.compareAndSet(testSubscription('s5', { expiresAt: T0 + 500 }), T0);
      await store.compareAndSet(testSubscription('s3', { version: 2 }), T0);
      await store.compareAndSet(stranger('s6', 'example.org', '192.0.2.9'), T0);
      const written = await store.compareAndSetMany(
        [
          testSubscription('s1', { version: 2, localCseq: 2 }),
          testSubscription('s2', { version: 2, localCseq: 2, data: { version: 7 } }),
          testSubscription('s3', { version: 2, localCseq: 2 }),
          testSubscription('s4', { version: 3, localCseq: 2 }),
          testSubscription('s5', { version: 2, localCseq: 2, expiresAt: T0 + 500 }),
          stranger('s6', 'example.org', '192.0.2.9', { version: 2, localCseq: 2 }),
          testSubscription('s7', { localCseq: 2 }),
        ],
        T0 + 500,
      );
      expect(written).toEqual([true, true, false, false, false, true, true]);
      expect(await store.get('s1', T0)).toEqual(testSubscription('s1', { version: 2, localCseq: 2 }));
      expect(await store.get('s2', T0)).toEqual(testSubscription('s2', { version: 2, localCseq: 2, data: { version: 7 } }));
      expect((await store.get('s3', T0))!.localCseq).toBe(1);
      expect((await store.get('s4', T0))!.localCseq).toBe(1);
      expect(await store.get('s6', T0)).toEqual(stranger('s6', 'example.org', '192.0.2.9', { version: 2, localCseq: 2 }));
      expect(ids(await store.byResource(ALICE, 'presence', T0 + 500))).toEqual(['s1', 's2', 's3', 's4', 's6', 's7']);
      expect(await store.compareAndSetMany([], T0)).toEqual([]);
    });

    it('moves and re-times the records a batch write changes, as compareAndSet does', async () => {
      await store.compareAndSet(testSubscription('s1'), T0);
      await store.compareAndSet(testSubscription('s2', { expiresAt: T0 + 10 }), T0);
      const written = await store.compareAndSetMany(
        [testSubscription('s1', { version: 2, event: 'presence.winfo' }), testSubscription('s2', { version: 2, expiresAt: T0 + 7_200_000 })],
        T0,
      );
      expect(written).toEqual([true, true]);
      expect(ids(await store.byResource(ALICE, 'presence', T0))).toEqual(['s2']);
      expect(ids(await store.byResource(ALICE, 'presence.winfo', T0))).toEqual(['s1']);
      expect(await store.takeExpired(T0 + 1_000, 10)).toEqual([]);
      expect(ids(await store.byResource(ALICE, 'presence', T0 + 1_000))).toEqual(['s2']);
    });

    it('lets exactly one of two batch writers at the same version win each record', async () => {
      for (const id of ['s1', 's2', 's3']) await store.compareAndSet(testSubscription(id), T0);
      const other = h.second ? await h.second() : store;
      const batch = (writer: string) => ['s1', 's2', 's3'].map((id) => testSubscription(id, { version: 2, data: { writer } }));
      const [a, b] = await Promise.all([store.compareAndSetMany(batch('a'), T0), other.compareAndSetMany(batch('b'), T0)]);
      for (let i = 0; i < 3; i++) {
        expect(a[i] !== b[i]).toBe(true);
        expect((await store.get(`s${i + 1}`, T0))!.data.writer).toBe(a[i] ? 'a' : 'b');
      }
    });

    it('takes expired subscriptions out, up to limit, each once', async () => {
      await store.compareAndSet(testSubscription('s1', { expiresAt: T0 + 10 }), T0);
      await store.compareAndSet(testSubscription('s2', { expiresAt: T0 + 20, resource: 'sip:dave@example.com' }), T0);
      await store.compareAndSet(testSubscription('s3', { expiresAt: T0 + 30, event: 'presence.winfo' }), T0);
      await store.compareAndSet(testSubscription('s4', { expiresAt: T0 + 40 }), T0);
      expect(await store.takeExpired(T0 + 9, 10)).toEqual([]);
      const first = await store.takeExpired(T0 + 30, 2);
      expect(first).toHaveLength(2);
      const second = await store.takeExpired(T0 + 30, 10);
      expect(ids([...first, ...second])).toEqual(['s1', 's2', 's3']);
      expect(second.find((s) => s.id === 's3') ?? first.find((s) => s.id === 's3')).toEqual(
        testSubscription('s3', { expiresAt: T0 + 30, event: 'presence.winfo' }),
      );
      expect(await store.takeExpired(T0 + 30, 10)).toEqual([]);
      // Taken means gone, not hidden.
      expect(await store.get('s1', T0)).toBeUndefined();
      expect(ids(await store.byResource(ALICE, 'presence', T0))).toEqual(['s4']);
      expect(await store.delete('s2')).toBe(false);
    });

    it('does not take a subscription that was refreshed before its old expiry', async () => {
      await store.compareAndSet(testSubscription('s1', { expiresAt: T0 + 10 }), T0);
      await store.compareAndSet(testSubscription('s1', { expiresAt: T0 + 1_000, version: 2 }), T0 + 5);
      expect(await store.takeExpired(T0 + 10, 10)).toEqual([]);
      expect(ids(await store.takeExpired(T0 + 1_000, 10))).toEqual(['s1']);
    });

    it('creates a subscription within its caps, once per id', async () => {
      const s = stranger('s1', 'example.net', '192.0.2.4');
      expect(await store.create(s, NO_CAPS, T0)).toBe('created');
      expect(await store.get('s1', T0)).toEqual(s);
      expect(await store.create(stranger('s1', 'example.org', '192.0.2.5'), NO_CAPS, T0)).toBe('exists');
      expect(await store.get('s1', T0)).toEqual(s);
      expect(ids(await store.byResource(ALICE, 'presence', T0))).toEqual(['s1']);
      expect(await store.compareAndSet({ ...s, version: 2, remoteCseq: 2 }, T0)).toBe(true);
    });

    it('refuses a subscription that would pass the cap on its resource; expired and deleted ones leave room', async () => {
      const caps = { ...NO_CAPS, perResource: 2 };
      await store.compareAndSet(testSubscription('local'), T0);
      expect(await store.create(stranger('s1', 'example.net', '192.0.2.4', { expiresAt: T0 + 1_000 }), caps, T0)).toBe('created');
      expect(await store.create(stranger('s2', 'example.org', '192.0.2.5'), caps, T0)).toBe('resource');
      expect(await store.create(stranger('s2', 'example.org', '192.0.2.5', { resource: 'sip:dave@example.com' }), caps, T0)).toBe('created');
      expect(await store.create(stranger('s3', 'example.org', '192.0.2.5', { event: 'presence.winfo' }), caps, T0)).toBe('created');
      expect(await store.create(stranger('s4', 'example.org', '192.0.2.5'), caps, T0 + 1_000)).toBe('created');
      await store.delete('local');
      expect(await store.create(stranger('s5', 'example.org', '192.0.2.5'), caps, T0 + 1_000)).toBe('created');
      expect(await store.get('s5', T0 + 1_000)).toBeDefined();
    });

    it('counts watchers of other domains per domain and per source address, for as long as they live', async () => {
      const caps = { ...NO_CAPS, perForeignDomain: 2, perForeignSource: 3 };
      await store.compareAndSet(testSubscription('local', { resource: 'sip:dave@example.com' }), T0);
      expect(await store.create(stranger('a1', 'spam.example', '192.0.2.9', { expiresAt: T0 + 1_000 }), caps, T0)).toBe('created');
      expect(await store.create(stranger('a2', 'spam.example', '192.0.2.9', { resource: 'sip:dave@example.com' }), caps, T0)).toBe('created');
      expect(await store.create(stranger('a3', 'spam.example', '192.0.2.10'), caps, T0)).toBe('foreign-domain');
      expect(await store.create(stranger('b1', 'other.example', '192.0.2.9'), caps, T0)).toBe('created');
      expect(await store.create(stranger('b2', 'other.example', '192.0.2.9'), caps, T0)).toBe('foreign-source');
      // A subscription without `foreign` is neither counted nor checked.
      expect(await store.create(testSubscription('local-2'), caps, T0)).toBe('created');
      // A refresh keeps its place past its first expiry; an ended one gives it back.
      const a1 = (await store.get('a1', T0))!;
      expect(await store.compareAndSet({ ...a1, version: 2, expiresAt: T0 + 5_000 }, T0)).toBe(true);
      expect(await store.create(stranger('a3', 'spam.example', '192.0.2.10'), caps, T0 + 1_000)).toBe('foreign-domain');
      expect(await store.delete('a2', { resource: 'sip:dave@example.com', event: 'presence' })).toBe(true);
      expect(await store.create(stranger('a3', 'spam.example', '192.0.2.10'), caps, T0 + 1_000)).toBe('created');
      expect(await store.create(stranger('c1', 'third.example', '192.0.2.9'), caps, T0 + 1_000)).toBe('created');
      expect(ids(await store.takeExpired(T0 + 5_000, 10))).toEqual(['a1']);
      expect(await store.create(stranger('a4', 'spam.example', '192.0.2.11'), caps, T0 + 5_000)).toBe('created');
      expect(await store.create(stranger('a5', 'spam.example', '192.0.2.11'), caps, T0 + 5_000)).toBe('foreign-domain');
    });

    it('holds the caps under concurrent creates', async () => {
      const other = h.second ? await h.second() : store;
      const caps = { ...NO_CAPS, perForeignSource: 3 };
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).create(stranger(`s${i}`, `d${i}.example`, '192.0.2.9'), caps, T0)));
      expect(results.filter((r) => r === 'created')).toHaveLength(3);
      expect(results.filter((r) => r === 'foreign-source')).toHaveLength(7);
      expect(await store.byResource(ALICE, 'presence', T0)).toHaveLength(3);
    });

    it('hands each expired subscription to exactly one of two concurrent callers', async () => {
      for (let i = 0; i < 10; i++) await store.compareAndSet(testSubscription(`s${i}`, { expiresAt: T0 + i }), T0);
      const other = h.second ? await h.second() : store;
      const [a, b] = await Promise.all([store.takeExpired(T0 + 100, 6), other.takeExpired(T0 + 100, 6)]);
      const all = [...a, ...b].map((s) => s.id);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `s${i}`).sort());
    });
  });
}
