import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Group, GroupStore } from '../group-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

/** What a backend's test gives the group store contract. */
export type GroupStoreHarness = StoreFixture<GroupStore>;

const team: Group = { uri: 'sip:team@example.com', members: ['sip:zoe@example.com', 'sip:alice@example.com', 'sip:bob@example.net'], name: 'Team' };
const buddies: Group = { uri: 'sip:alice@example.com;list=buddies', members: ['sip:bob@example.net'], name: null };
const friends: Group = { uri: 'sip:alice@example.com;list=friends', members: [], name: 'Friends' };
const percent: Group = { uri: 'sip:a%5fb@example.com', members: ['sip:c@example.com'], name: null };
const underscore: Group = { uri: 'sip:aXb@example.com', members: [], name: null };

/** The behaviour every GroupStore backend must show. */
export function describeGroupStoreContract(name: string, make: () => Promise<GroupStoreHarness>, caps: FixtureCaps = {}): void {
  describe(`${name}: GroupStore contract`, () => {
    let h: GroupStoreHarness;
    let store: GroupStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    it('stores a group and reads it back, members in order', async () => {
      expect(await store.get(team.uri)).toBeUndefined();
      await store.put(team);
      await store.put(buddies);
      expect(await store.get(team.uri)).toEqual(team);
      expect(await store.get(buddies.uri)).toEqual(buddies);
    });

    it('replaces a group on put', async () => {
      await store.put(team);
      const next = { ...team, members: ['sip:bob@example.net'], name: null };
      await store.put(next);
      expect(await store.get(team.uri)).toEqual(next);
      expect(await store.list()).toEqual([next]);
    });

    it('deletes, and answers false when there was nothing', async () => {
      await store.put(team);
      expect(await store.delete(team.uri)).toBe(true);
      expect(await store.delete(team.uri)).toBe(false);
      expect(await store.get(team.uri)).toBeUndefined();
      expect(await store.list()).toEqual([]);
    });

    it('lists every group sorted by URI', async () => {
      for (const g of [team, friends, buddies]) await store.put(g);
      expect(await store.list()).toEqual([buddies, friends, team]);
      expect(await store.list('')).toEqual([buddies, friends, team]);
    });

    it('lists the groups whose URI starts with a prefix, taken literally', async () => {
      for (const g of [team, friends, buddies, percent, underscore]) await store.put(g);
      expect(await store.list('sip:alice@example.com;list=')).toEqual([buddies, friends]);
      expect(await store.list('sip:team@example.com')).toEqual([team]);
      expect(await store.list('sip:a%5f')).toEqual([percent]);
      expect(await store.list('sip:a_')).toEqual([]);
      expect(await store.list('sip:nobody')).toEqual([]);
    });

    (caps.durable ? it : it.skip)('keeps groups across a reopen (when durable)', async () => {
      for (const g of [team, buddies]) await store.put(g);
      store = await h.reopen!();
      expect(await store.get(team.uri)).toEqual(team);
      expect(await store.list()).toEqual([buddies, team]);
    });
  });
}
