import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { AuthStateStore } from '../auth-state-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

const T0 = 1_700_000_000_000;

/**
 * The behaviour every AuthStateStore backend must show: nonce counts that only advance
 * and are forgotten with the nonce, failure windows on `now`, and one shared secret.
 * @see RFC 7616 §3.4, §5.4
 */
export function describeAuthStateStoreContract(name: string, make: () => Promise<StoreFixture<AuthStateStore>>, caps: FixtureCaps = {}): void {
  describe(`${name}: AuthStateStore contract (RFC 7616)`, () => {
    let f: StoreFixture<AuthStateStore>;
    let store: AuthStateStore;

    beforeEach(async () => {
      f = await make();
      store = f.store;
    });
    afterEach(async () => {
      await f.close();
    });

    describe('RFC 7616 §3.4 nonce counts', () => {
      const EXPIRES = T0 + 300_000;

      it('accepts a larger nc and calls an equal or smaller one a replay', async () => {
        await expect(store.advanceNonceCount('n1', 1, EXPIRES, T0)).resolves.toBe(true);
        await expect(store.advanceNonceCount('n1', 1, EXPIRES, T0 + 1)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 3, EXPIRES, T0 + 2)).resolves.toBe(true);
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 3)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 3, EXPIRES, T0 + 4)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 4, EXPIRES, T0 + 5)).resolves.toBe(true);
      });

      it('keeps each nonce apart', async () => {
        await store.advanceNonceCount('n1', 5, EXPIRES, T0);
        await expect(store.advanceNonceCount('n2', 1, EXPIRES, T0)).resolves.toBe(true);
        await expect(store.advanceNonceCount('n1', 5, EXPIRES, T0)).resolves.toBe(false);
      });

      it('forgets the record once the nonce expired', async () => {
        await store.advanceNonceCount('n1', 7, T0 + 1000, T0);
        await expect(store.advanceNonceCount('n1', 7, T0 + 1000, T0 + 999)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 1, T0 + 5000, T0 + 1000)).resolves.toBe(true);
        await expect(store.advanceNonceCount('n1', 1, T0 + 5000, T0 + 1001)).resolves.toBe(false);
      });

      it('lets the request that recorded an nc show it again within the window, and no other request (a retransmission, not a replay), saying it is a repeat', async () => {
        const repeat = { request: 'call-1 7 z9hG4bKa', windowMs: 32_000 };
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0, repeat)).resolves.toBe(true);
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 500, repeat)).resolves.toBe('repeated');
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 31_999, repeat)).resolves.toBe('repeated');
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 32_000, repeat)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 600, { ...repeat, request: 'call-1 8 z9hG4bKb' })).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 700)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 1, EXPIRES, T0 + 800, repeat)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 3, EXPIRES, T0 + 900)).resolves.toBe(true);
        await expect(store.advanceNonceCount('n1', 2, EXPIRES, T0 + 1000, repeat)).resolves.toBe(false);
        await expect(store.advanceNonceCount('n1', 3, EXPIRES, T0 + 1100, { ...repeat, request: '' })).resolves.toBe(false);
      });

      it('lets exactly one of two uses of the same nc through', async () => {
        const other = f.second ? await f.second() : store;
        const results = await Promise.all([store.advanceNonceCount('n1', 1, EXPIRES, T0), other.advanceNonceCount('n1', 1, EXPIRES, T0)]);
        expect(results.filter(Boolean)).toHaveLength(1);
      });
    });

    describe('failure windows', () => {
      it('counts failures in a window that starts with the first one', async () => {
        await expect(store.addFailure('src:198.51.100.7', 60_000, T0)).resolves.toBe(1);
        await expect(store.addFailure('src:198.51.100.7', 60_000, T0 + 10_000)).resolves.toBe(2);
        await expect(store.addFailure('src:198.51.100.7', 60_000, T0 + 59_999)).resolves.toBe(3);
        await expect(store.failures('src:198.51.100.7', T0 + 59_999)).resolves.toBe(3);
        await expect(store.failures('src:203.0.113.1', T0)).resolves.toBe(0);
      });

      it('starts a new window once windowMs has passed since the first failure', async () => {
        await store.addFailure('user:alice@example.com', 1000, T0);
        await store.addFailure('user:alice@example.com', 1000, T0 + 500);
        await expect(store.failures('user:alice@example.com', T0 + 999)).resolves.toBe(2);
        await expect(store.failures('user:alice@example.com', T0 + 1000)).resolves.toBe(0);
        await expect(store.addFailure('user:alice@example.com', 1000, T0 + 1000)).resolves.toBe(1);
        await expect(store.addFailure('user:alice@example.com', 1000, T0 + 1999)).resolves.toBe(2);
        await expect(store.addFailure('user:alice@example.com', 1000, T0 + 2000)).resolves.toBe(1);
      });

      it('answers the counts of several keys in one call, in the order given', async () => {
        await store.addFailure('src:198.51.100.7', 60_000, T0);
        await store.addFailure('src:198.51.100.7', 60_000, T0);
        await store.addFailure('user:alice@example.com', 1000, T0);
        await expect(store.failuresOf(['user:alice@example.com', 'src:none', 'src:198.51.100.7'], T0)).resolves.toEqual([1, 0, 2]);
        await expect(store.failuresOf(['user:alice@example.com', 'src:198.51.100.7'], T0 + 1000)).resolves.toEqual([0, 2]);
        await expect(store.failuresOf([], T0)).resolves.toEqual([]);
      });

      it('clears a counter', async () => {
        await store.addFailure('src:198.51.100.7', 60_000, T0);
        await store.addFailure('user:alice@example.com', 60_000, T0);
        await store.clearFailures('src:198.51.100.7');
        await store.clearFailures('src:never-seen');
        await expect(store.failures('src:198.51.100.7', T0)).resolves.toBe(0);
        await expect(store.failures('user:alice@example.com', T0)).resolves.toBe(1);
        await expect(store.addFailure('src:198.51.100.7', 60_000, T0 + 1)).resolves.toBe(1);
      });

      it('counts every failure from concurrent clients', async () => {
        const other = f.second ? await f.second() : store;
        const counts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).addFailure('src:198.51.100.7', 60_000, T0)));
        expect([...counts].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        await expect(other.failures('src:198.51.100.7', T0)).resolves.toBe(10);
      });
    });

    describe('shared secret', () => {
      it('keeps the first candidate', async () => {
        await expect(store.sharedSecret('first')).resolves.toBe('first');
        await expect(store.sharedSecret('second')).resolves.toBe('first');
      });

      it('gives a second client the same secret, even when both ask at once', async () => {
        const other = f.second ? await f.second() : store;
        const [a, b] = await Promise.all([store.sharedSecret('from-a'), other.sharedSecret('from-b')]);
        expect(a).toBe(b);
        await expect(other.sharedSecret('from-c')).resolves.toBe(a);
      });

      (caps.durable ? it : it.skip)('keeps the secret across a reopen (durable backends)', async () => {
        const secret = await store.sharedSecret('kept');
        const reopened = await f.reopen!();
        await expect(reopened.sharedSecret('new')).resolves.toBe(secret);
      });
    });
  });
}
