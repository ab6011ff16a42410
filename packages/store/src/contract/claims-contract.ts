import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Claims } from '../claims.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

export type ClaimsHarness = StoreFixture<Claims>;

const KEY = 'z9hG4bK.abc|192.0.2.1:5060|INVITE';

/** The behaviour every Claims backend must show. */
export function describeClaimsContract(name: string, make: () => Promise<ClaimsHarness>, caps: FixtureCaps = {}): void {
  describe(`${name}: Claims contract`, () => {
    let h: ClaimsHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('gives a transaction to its first claimant and names it to the others', async () => {
      const now = Date.now();
      expect(await h.store.holder(KEY, now)).toBeNull();
      expect(await h.store.claim(KEY, 'w1', 30_000, now)).toBe('w1');
      expect(await h.store.claim(KEY, 'w2', 30_000, now)).toBe('w1');
      expect(await h.store.claim(KEY, 'w1', 30_000, now)).toBe('w1');
      expect(await h.store.holder(KEY, now)).toBe('w1');
      expect(await h.store.holder(`${KEY}x`, now)).toBeNull();
    });

    it('renews a claim for its holder, so that it outlives its first term', async () => {
      // Redis expires claims by its own clock: a short first term, renewed, then really waited out.
      expect(await h.store.claim(KEY, 'w1', 80, Date.now())).toBe('w1');
      expect(await h.store.claim(KEY, 'w1', 30_000, Date.now())).toBe('w1');
      await new Promise((r) => setTimeout(r, 150));
      expect(await h.store.holder(KEY, Date.now())).toBe('w1');
    });

    it('ends a claim only when its holder releases it', async () => {
      const now = Date.now();
      await h.store.claim(KEY, 'w1', 30_000, now);
      await h.store.release(KEY, 'w2');
      expect(await h.store.claim(KEY, 'w2', 30_000, now)).toBe('w1');
      await h.store.release(KEY, 'w1');
      expect(await h.store.holder(KEY, now)).toBeNull();
      expect(await h.store.claim(KEY, 'w2', 30_000, now)).toBe('w2');
    });

    it('lets a claim be taken once it has run out', async () => {
      // Redis expires claims by its own clock, so the claim is short and really waited out.
      expect(await h.store.claim(KEY, 'w1', 50, Date.now())).toBe('w1');
      await new Promise((r) => setTimeout(r, 120));
      expect(await h.store.holder(KEY, Date.now())).toBeNull();
      expect(await h.store.claim(KEY, 'w2', 30_000, Date.now())).toBe('w2');
    });

    (caps.shared ? it : it.skip)('gives one transaction to one of two clients claiming it at once', async () => {
      const other = await h.second!();
      const now = Date.now();
      const holders = await Promise.all([h.store.claim(KEY, 'w1', 30_000, now), other.claim(KEY, 'w2', 30_000, now)]);
      expect(new Set(holders).size).toBe(1);
      expect(await other.holder(KEY, now)).toBe(holders[0]);
    });
  });
}
