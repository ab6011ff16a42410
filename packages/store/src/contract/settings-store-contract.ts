import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { SettingsStore } from '../settings-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

/** What a backend's test gives the settings store contract. */
export type SettingsStoreHarness = StoreFixture<SettingsStore>;

const LISTS = 'federation.lists';
const COMMUNITY = 'community:{acme}.enabled';

/** The behaviour every SettingsStore backend must show. */
export function describeSettingsStoreContract(name: string, make: () => Promise<SettingsStoreHarness>, caps: FixtureCaps = {}): void {
  describe(`${name}: SettingsStore contract`, () => {
    let h: SettingsStoreHarness;
    let store: SettingsStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    it('answers undefined for a setting never written', async () => {
      await expect(store.read(LISTS)).resolves.toBeUndefined();
    });

    it('keeps a value exactly as written, and the latest one written', async () => {
      const value = JSON.stringify({ allow: ['partner.example'], block: ['*.spam.example', '198.51.100.0/24', 'ünïcödé.example'] });
      await store.write(LISTS, value);
      await expect(store.read(LISTS)).resolves.toBe(value);
      await store.write(LISTS, '');
      await expect(store.read(LISTS)).resolves.toBe('');
      const long = 'x'.repeat(100_000);
      await store.write(LISTS, long);
      await expect(store.read(LISTS)).resolves.toBe(long);
    });

    it('keeps each name apart, whatever characters it holds', async () => {
      await store.write(LISTS, 'lists');
      await store.write(COMMUNITY, 'true');
      await store.write('federation', 'other');
      await expect(store.read(LISTS)).resolves.toBe('lists');
      await expect(store.read(COMMUNITY)).resolves.toBe('true');
      await expect(store.read('federation')).resolves.toBe('other');
      await expect(store.read('federation.list')).resolves.toBeUndefined();
    });

    it('removes a setting, and answers false when there was none', async () => {
      await store.write(LISTS, 'lists');
      await store.write(COMMUNITY, 'true');
      await expect(store.remove(LISTS)).resolves.toBe(true);
      await expect(store.remove(LISTS)).resolves.toBe(false);
      await expect(store.read(LISTS)).resolves.toBeUndefined();
      await expect(store.read(COMMUNITY)).resolves.toBe('true');
    });

    (caps.durable ? it : it.skip)('keeps settings across a reopen (when durable)', async () => {
      await store.write(LISTS, 'kept');
      await store.write(COMMUNITY, 'gone');
      await store.remove(COMMUNITY);
      store = await h.reopen!();
      await expect(store.read(LISTS)).resolves.toBe('kept');
      await expect(store.read(COMMUNITY)).resolves.toBeUndefined();
    });

    (caps.shared ? it : it.skip)('shows another client a write and a removal at once (when shared)', async () => {
      const other = await h.second!();
      await expect(other.read(LISTS)).resolves.toBeUndefined();
      await store.write(LISTS, 'first');
      await expect(other.read(LISTS)).resolves.toBe('first');
      await other.write(LISTS, 'second');
      await expect(store.read(LISTS)).resolves.toBe('second');
      await store.remove(LISTS);
      await expect(other.read(LISTS)).resolves.toBeUndefined();
    });
  });
}
