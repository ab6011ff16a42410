import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Publication, PublicationStore } from '../publication-store.js';
import type { StoreFixture } from './store-fixture.js';

/** What a backend's test gives the publication store contract. */
export type PublicationStoreHarness = StoreFixture<PublicationStore>;

const T0 = 1_700_000_000_000;
const ALICE = 'sip:alice@example.com';

function publication(etag: string, overrides: Partial<Publication> = {}): Publication {
  return {
    resource: ALICE,
    event: 'presence',
    etag,
    contentType: 'application/pidf+xml',
    body: `<?xml version="1.0"?><presence xmlns="urn:ietf:params:xml:ns:pidf" entity="pres:alice@example.com"><tuple id="${etag}"><status><basic>open</basic></status></tuple></presence>`,
    expiresAt: T0 + 3_600_000,
    updatedAt: T0,
    ...overrides,
  };
}

const etags = (pubs: Publication[]) => pubs.map((p) => p.etag).sort();

/**
 * The behaviour every PublicationStore backend must show.
 * @see RFC 3903 §6
 */
export function describePublicationStoreContract(name: string, make: () => Promise<PublicationStoreHarness>): void {
  describe(`${name}: PublicationStore contract`, () => {
    let h: PublicationStoreHarness;
    let store: PublicationStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    it('stores an initial publication and reads it back', async () => {
      const p = publication('e1');
      expect(await store.put(p, null, T0)).toBe(true);
      expect(await store.get(ALICE, 'presence', 'e1', T0)).toEqual(p);
      expect(await store.list(ALICE, 'presence', T0)).toEqual([p]);
      expect(await store.get(ALICE, 'presence', 'e2', T0)).toBeUndefined();
      expect(await store.get(ALICE, 'dialog', 'e1', T0)).toBeUndefined();
      expect(await store.get('sip:bob@example.com', 'presence', 'e1', T0)).toBeUndefined();
    });

    it('lists the live publications of one resource and event, oldest update first', async () => {
      await store.put(publication('e1', { updatedAt: T0 + 30 }), null, T0);
      await store.put(publication('e2', { updatedAt: T0 + 10 }), null, T0);
      await store.put(publication('e3', { updatedAt: T0 + 20, expiresAt: T0 + 100 }), null, T0);
      await store.put(publication('e4', { event: 'dialog' }), null, T0);
      await store.put(publication('e5', { resource: 'sip:bob@example.com' }), null, T0);
      expect((await store.list(ALICE, 'presence', T0)).map((p) => p.etag)).toEqual(['e2', 'e3', 'e1']);
      expect((await store.list(ALICE, 'presence', T0 + 100)).map((p) => p.etag)).toEqual(['e2', 'e1']);
      expect(etags(await store.list(ALICE, 'dialog', T0))).toEqual(['e4']);
      expect(await store.list('sip:nobody@example.com', 'presence', T0)).toEqual([]);
    });

    it('hides a publication expired at now', async () => {
      await store.put(publication('e1', { expiresAt: T0 + 1_000 }), null, T0);
      expect(await store.get(ALICE, 'presence', 'e1', T0 + 999)).toBeDefined();
      expect(await store.get(ALICE, 'presence', 'e1', T0 + 1_000)).toBeUndefined();
    });

    it('replaces the publication named by previousEtag (refresh or modify)', async () => {
      await store.put(publication('e1'), null, T0);
      await store.put(publication('other'), null, T0);
      const next = publication('e2', { body: 'modified', updatedAt: T0 + 5, expiresAt: T0 + 7_200_000 });
      expect(await store.put(next, 'e1', T0 + 5)).toBe(true);
      expect(await store.get(ALICE, 'presence', 'e1', T0 + 5)).toBeUndefined();
      expect(await store.get(ALICE, 'presence', 'e2', T0 + 5)).toEqual(next);
      expect(etags(await store.list(ALICE, 'presence', T0 + 5))).toEqual(['e2', 'other']);
      // The old entity-tag is spent: using it again is a 412.
      expect(await store.put(publication('e3'), 'e1', T0 + 6)).toBe(false);
    });

    it('answers false for an unknown or expired previousEtag and stores nothing', async () => {
      expect(await store.put(publication('e2'), 'nope', T0)).toBe(false);
      expect(await store.get(ALICE, 'presence', 'e2', T0)).toBeUndefined();
      await store.put(publication('e1', { expiresAt: T0 + 10 }), null, T0);
      expect(await store.put(publication('e3'), 'e1', T0 + 10)).toBe(false);
      expect(await store.get(ALICE, 'presence', 'e3', T0)).toBeUndefined();
      await store.put(publication('e4', { event: 'dialog' }), null, T0);
      expect(await store.put(publication('e5'), 'e4', T0)).toBe(false);
    });

    it('lets exactly one of two concurrent refreshes of one entity-tag win', async () => {
      await store.put(publication('e1'), null, T0);
      const other = h.second ? await h.second() : store;
      const [a, b] = await Promise.all([store.put(publication('ea'), 'e1', T0), other.put(publication('eb'), 'e1', T0)]);
      expect([a, b].filter(Boolean)).toHaveLength(1);
      expect(etags(await store.list(ALICE, 'presence', T0))).toEqual([a ? 'ea' : 'eb']);
    });

    it('removes, and answers false when there was nothing', async () => {
      await store.put(publication('e1'), null, T0);
      expect(await store.remove(ALICE, 'presence', 'e1')).toBe(true);
      expect(await store.remove(ALICE, 'presence', 'e1')).toBe(false);
      expect(await store.list(ALICE, 'presence', T0)).toEqual([]);
      expect(await store.takeExpired(T0 + 10 * 3_600_000, 10)).toEqual([]);
    });

    it('takes expired publications out, up to limit, each once', async () => {
      await store.put(publication('e1', { expiresAt: T0 + 10 }), null, T0);
      await store.put(publication('e2', { expiresAt: T0 + 20, resource: 'sip:bob@example.com' }), null, T0);
      await store.put(publication('e3', { expiresAt: T0 + 30, event: 'dialog' }), null, T0);
      await store.put(publication('e4', { expiresAt: T0 + 40 }), null, T0);
      expect(await store.takeExpired(T0 + 9, 10)).toEqual([]);
      const first = await store.takeExpired(T0 + 30, 2);
      expect(first).toHaveLength(2);
      const rest = await store.takeExpired(T0 + 30, 10);
      const taken = [...first, ...rest];
      expect(etags(taken)).toEqual(['e1', 'e2', 'e3']);
      expect(taken.find((p) => p.etag === 'e3')).toEqual(publication('e3', { expiresAt: T0 + 30, event: 'dialog' }));
      expect(await store.takeExpired(T0 + 30, 10)).toEqual([]);
      expect(etags(await store.list(ALICE, 'presence', T0))).toEqual(['e4']);
      expect(await store.remove('sip:bob@example.com', 'presence', 'e2')).toBe(false);
    });

    it('does not take a publication that was refreshed', async () => {
      await store.put(publication('e1', { expiresAt: T0 + 10 }), null, T0);
      await store.put(publication('e2', { expiresAt: T0 + 1_000 }), 'e1', T0 + 5);
      expect(await store.takeExpired(T0 + 10, 10)).toEqual([]);
      expect(etags(await store.takeExpired(T0 + 1_000, 10))).toEqual(['e2']);
    });

    it('hands each expired publication to exactly one of two concurrent callers', async () => {
      for (let i = 0; i < 10; i++) await store.put(publication(`e${i}`, { expiresAt: T0 + i, resource: `sip:u${i % 3}@example.com` }), null, T0);
      const other = h.second ? await h.second() : store;
      const [a, b] = await Promise.all([store.takeExpired(T0 + 100, 6), other.takeExpired(T0 + 100, 6)]);
      const all = [...a, ...b].map((p) => p.etag);
      expect(new Set(all).size).toBe(all.length);
      expect(all.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `e${i}`).sort());
    });
  });
}
