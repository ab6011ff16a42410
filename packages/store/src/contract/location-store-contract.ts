import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Binding, LocationStore } from '../location-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

const T0 = 1_700_000_000_000;
const ALICE = 'sip:alice@example.com';
const BOB = 'sip:bob@example.com';

/** A binding of `contact` expiring `ttlMs` after T0, with every field set. */
export function testBinding(contact: string, ttlMs = 3_600_000, overrides: Partial<Binding> = {}): Binding {
  return {
    contact,
    params: ';+sip.instance="<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>";reg-id=1',
    q: 0.5,
    expiresAt: T0 + ttlMs,
    callId: `call-${contact}`,
    cseq: 1,
    path: ['<sip:edge.example.com;lr>', '<sip:core.example.com;lr>'],
    instanceId: 'urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF',
    regId: 1,
    flow: {
      id: `flow-${contact}`,
      transport: 'tcp',
      owner: 'node-a/1234',
      localAddress: '192.0.2.1',
      localPort: 5060,
      remoteAddress: '198.51.100.7',
      remotePort: 40000,
    },
    userAgent: 'contract-test',
    updatedAt: T0,
    ...overrides,
  };
}

/**
 * The behaviour every LocationStore backend must show: versions, expiry on `now`,
 * one winner among concurrent writers, and (when the fixture offers them) restarts and
 * sharing between clients.
 * @see RFC 3261 §10.3 step 8
 */
export function describeLocationStoreContract(name: string, make: () => Promise<StoreFixture<LocationStore>>, caps: FixtureCaps = {}): void {
  describe(`${name}: LocationStore contract (RFC 3261 §10.3)`, () => {
    let f: StoreFixture<LocationStore>;
    let store: LocationStore;

    beforeEach(async () => {
      f = await make();
      store = f.store;
    });
    afterEach(async () => {
      await f.close();
    });

    describe('versions', () => {
      it('answers no bindings and version 0 for an AoR with no record', async () => {
        await expect(store.get(ALICE, T0)).resolves.toEqual({ bindings: [], version: 0 });
      });

      it('creates a record with version 0 and returns the bindings exactly as written', async () => {
        const b = testBinding('sip:alice@198.51.100.7:40000;transport=tcp');
        const nulls = testBinding('sip:alice@203.0.113.9', 60_000, { q: null, instanceId: null, regId: null, userAgent: null, path: [], params: '' });
        await expect(store.compareAndSet(ALICE, 0, [b, nulls], T0)).resolves.toBe(true);
        const read = await store.get(ALICE, T0);
        expect(read.bindings).toEqual([b, nulls]);
        expect(read.version).not.toBe(0);
      });

      it('changes the version on every write and refuses a stale one', async () => {
        expect(await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0)).toBe(true);
        const first = await store.get(ALICE, T0);
        expect(await store.compareAndSet(ALICE, first.version, [testBinding('sip:a@2')], T0)).toBe(true);
        const second = await store.get(ALICE, T0);
        expect(second.version).not.toBe(first.version);
        expect(await store.compareAndSet(ALICE, first.version, [testBinding('sip:a@3')], T0)).toBe(false);
        expect(await store.compareAndSet(ALICE, 0, [testBinding('sip:a@3')], T0)).toBe(false);
        expect((await store.get(ALICE, T0)).bindings.map((b) => b.contact)).toEqual(['sip:a@2']);
      });

      it('removes the record when next is empty: version 0 again', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        const { version } = await store.get(ALICE, T0);
        expect(await store.compareAndSet(ALICE, version, [], T0)).toBe(true);
        await expect(store.get(ALICE, T0)).resolves.toEqual({ bindings: [], version: 0 });
        expect(await store.compareAndSet(ALICE, 0, [testBinding('sip:a@2')], T0)).toBe(true);
      });

      it('refuses to remove with a stale version', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        expect(await store.compareAndSet(ALICE, 0, [], T0)).toBe(false);
        expect((await store.get(ALICE, T0)).bindings).toHaveLength(1);
      });

      it('keeps AoRs apart', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        await expect(store.get(BOB, T0)).resolves.toEqual({ bindings: [], version: 0 });
        expect(await store.compareAndSet(BOB, 0, [testBinding('sip:b@1')], T0)).toBe(true);
        expect((await store.get(ALICE, T0)).bindings.map((b) => b.contact)).toEqual(['sip:a@1']);
      });

      it('is not changed by the caller changing what it wrote or read', async () => {
        const b = testBinding('sip:a@1');
        await store.compareAndSet(ALICE, 0, [b], T0);
        b.path.push('<sip:evil.example.com;lr>');
        b.flow.owner = 'someone-else';
        const read = await store.get(ALICE, T0);
        read.bindings[0].contact = 'sip:changed@1';
        const again = await store.get(ALICE, T0);
        expect(again.bindings[0]).toEqual(testBinding('sip:a@1'));
      });
    });

    describe('expiry on now', () => {
      it('does not return a binding expired at now', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@short', 1000), testBinding('sip:a@long', 5000)], T0);
        expect((await store.get(ALICE, T0 + 999)).bindings.map((b) => b.contact)).toEqual(['sip:a@short', 'sip:a@long']);
        expect((await store.get(ALICE, T0 + 1000)).bindings.map((b) => b.contact)).toEqual(['sip:a@long']);
      });

      it('drops the bindings of next already expired at now', async () => {
        const next = [testBinding('sip:a@gone', -1), testBinding('sip:a@now', 0), testBinding('sip:a@live', 1000)];
        expect(await store.compareAndSet(ALICE, 0, next, T0)).toBe(true);
        expect((await store.get(ALICE, T0)).bindings.map((b) => b.contact)).toEqual(['sip:a@live']);
      });

      it('removes the record when every binding of next has expired', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        const { version } = await store.get(ALICE, T0);
        expect(await store.compareAndSet(ALICE, version, [testBinding('sip:a@1', 0)], T0)).toBe(true);
        await expect(store.get(ALICE, T0)).resolves.toEqual({ bindings: [], version: 0 });
        expect(await store.countAors(T0)).toBe(0);
      });

      it('reads a record whose bindings all expired as no record, writable with version 0 only', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1', 1000)], T0);
        const { version } = await store.get(ALICE, T0);
        const later = T0 + 2000;
        await expect(store.get(ALICE, later)).resolves.toEqual({ bindings: [], version: 0 });
        expect(await store.compareAndSet(ALICE, version, [testBinding('sip:a@2', 5000)], later)).toBe(false);
        expect(await store.compareAndSet(ALICE, 0, [testBinding('sip:a@2', 5000)], later)).toBe(true);
        const read = await store.get(ALICE, later);
        expect(read.bindings.map((b) => b.contact)).toEqual(['sip:a@2']);
        expect(read.version).not.toBe(version);
      });

      it('counts the AoRs with a live binding at now', async () => {
        expect(await store.countAors(T0)).toBe(0);
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1', 1000), testBinding('sip:a@2', 3000)], T0);
        await store.compareAndSet(BOB, 0, [testBinding('sip:b@1', 2000)], T0);
        await store.compareAndSet('sip:carol@example.com', 0, [testBinding('sip:c@1', 500)], T0);
        expect(await store.countAors(T0)).toBe(3);
        expect(await store.countAors(T0 + 500)).toBe(2);
        expect(await store.countAors(T0 + 2000)).toBe(1);
        const { version } = await store.get(ALICE, T0 + 2000);
        await store.compareAndSet(ALICE, version, [], T0 + 2000);
        expect(await store.countAors(T0 + 2000)).toBe(0);
      });
    });

    describe('concurrent updates', () => {
      it('lets exactly one of two writers that read the same version win', async () => {
        const other = f.second ? await f.second() : store;
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        const [readA, readB] = await Promise.all([store.get(ALICE, T0), other.get(ALICE, T0)]);
        expect(readA.version).toBe(readB.version);
        const results = await Promise.all([
          store.compareAndSet(ALICE, readA.version, [...readA.bindings, testBinding('sip:a@from-a')], T0),
          other.compareAndSet(ALICE, readB.version, [...readB.bindings, testBinding('sip:a@from-b')], T0),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
        const winner = results[0] ? 'sip:a@from-a' : 'sip:a@from-b';
        const read = await other.get(ALICE, T0);
        expect(read.bindings.map((b) => b.contact)).toEqual(['sip:a@1', winner]);
      });

      it('lets exactly one of two creators win', async () => {
        const other = f.second ? await f.second() : store;
        const results = await Promise.all([
          store.compareAndSet(ALICE, 0, [testBinding('sip:a@from-a')], T0),
          other.compareAndSet(ALICE, 0, [testBinding('sip:a@from-b')], T0),
        ]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });

      it('loses no update when writers retry after a conflict', async () => {
        const other = f.second ? await f.second() : store;
        const writers = Array.from({ length: 8 }, (_, i) => async () => {
          const client = i % 2 === 0 ? store : other;
          for (;;) {
            const { bindings, version } = await client.get(ALICE, T0);
            if (await client.compareAndSet(ALICE, version, [...bindings, testBinding(`sip:a@${i}`)], T0)) return;
          }
        });
        await Promise.all(writers.map((w) => w()));
        const contacts = (await store.get(ALICE, T0)).bindings.map((b) => b.contact).sort();
        expect(contacts).toEqual(Array.from({ length: 8 }, (_, i) => `sip:a@${i}`).sort());
      });
    });

    describe('sharing and restarts', () => {
      (caps.shared ? it : it.skip)('shows a second client the first one\'s writes (shared backends)', async () => {
        const other = await f.second!();
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        const read = await other.get(ALICE, T0);
        expect(read.bindings.map((b) => b.contact)).toEqual(['sip:a@1']);
        expect(await other.compareAndSet(ALICE, read.version, [], T0)).toBe(true);
        await expect(store.get(ALICE, T0)).resolves.toEqual({ bindings: [], version: 0 });
      });

      (caps.durable ? it : it.skip)('keeps the bindings and their version across a reopen (durable backends)', async () => {
        await store.compareAndSet(ALICE, 0, [testBinding('sip:a@1')], T0);
        const before = await store.get(ALICE, T0);
        const reopened = await f.reopen!();
        await expect(reopened.get(ALICE, T0)).resolves.toEqual(before);
        expect(await reopened.compareAndSet(ALICE, before.version, [], T0)).toBe(true);
      });
    });
  });
}
