import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { StoreMarker } from '../store-marker.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

const T0 = 1_700_000_000_000;

/**
 * The behaviour every StoreMarker backend must show: one marker, written by the first
 * client to look, and one report of its loss. `empty` empties the store as a Redis
 * restarted without its data would.
 */
export function describeStoreMarkerContract(
  name: string,
  make: () => Promise<StoreFixture<StoreMarker>>,
  empty: (f: StoreFixture<StoreMarker>) => Promise<void>,
  caps: FixtureCaps = {},
): void {
  describe(`${name}: StoreMarker contract`, () => {
    let f: StoreFixture<StoreMarker>;
    let marker: StoreMarker;

    beforeEach(async () => {
      f = await make();
      marker = f.store;
    });
    afterEach(async () => {
      await f.close();
    });

    it('is written by the first check and kept by the next', async () => {
      await expect(marker.read()).resolves.toBeUndefined();
      await expect(marker.check('first', T0)).resolves.toEqual({ id: 'first', createdAt: T0, firstToReport: false });
      await expect(marker.check('second', T0 + 1, 'first')).resolves.toEqual({ id: 'first', createdAt: T0, firstToReport: false });
      await expect(marker.read()).resolves.toEqual({ id: 'first', createdAt: T0 });
    });

    (caps.shared ? it : it.skip)('gives a second client the same marker, even when both look at once', async () => {
      const other = await f.second!();
      const [a, b] = await Promise.all([marker.check('from-a', T0), other.check('from-b', T0)]);
      expect(a.id).toBe(b.id);
    });

    it('reports an emptied store once, to the first client that knew the old marker', async () => {
      const before = await marker.check('before', T0);
      await empty(f);
      await expect(marker.read()).resolves.toBeUndefined();
      // A client starting now cannot tell the loss from a first start.
      await expect(marker.check('after', T0 + 10)).resolves.toEqual({ id: 'after', createdAt: T0 + 10, firstToReport: false });
      await expect(marker.check('again', T0 + 20, before.id)).resolves.toEqual({ id: 'after', createdAt: T0 + 10, foundEmptyAt: T0 + 20, firstToReport: true });
      await expect(marker.check('again', T0 + 30, before.id)).resolves.toEqual({ id: 'after', createdAt: T0 + 10, foundEmptyAt: T0 + 20, firstToReport: false });
      await expect(marker.read()).resolves.toEqual({ id: 'after', createdAt: T0 + 10, foundEmptyAt: T0 + 20 });
    });

    it('is written again by the client that finds it gone, which reports the loss', async () => {
      const before = await marker.check('before', T0);
      await empty(f);
      await expect(marker.check('renewed', T0 + 5, before.id)).resolves.toEqual({ id: 'renewed', createdAt: T0 + 5, foundEmptyAt: T0 + 5, firstToReport: true });
    });
  });
}
