import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { NotAnAliasError, type UserRecord, type UserStore } from '../user-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

/** An account with made-up (but well-formed) HA1 values. */
export function testUser(user: string, domain: string, overrides: Partial<UserRecord> = {}): UserRecord {
  return {
    user,
    domain,
    ha1Md5: `${user}`.padEnd(32, '0').slice(0, 32),
    ha1Sha256: `${domain}`.padEnd(64, 'f').slice(0, 64),
    createdAt: 1_700_000_000_000,
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

/**
 * The behaviour every UserStore backend must show: accounts, ordering, aliases, and
 * (when the fixture offers them) durability across a reopen and sharing between clients.
 * @see RFC 3261 §22.4, RFC 7616 §3.4.2
 */
export function describeUserStoreContract(name: string, make: () => Promise<StoreFixture<UserStore>>, caps: FixtureCaps = {}): void {
  describe(`${name}: UserStore contract`, () => {
    let f: StoreFixture<UserStore>;
    let store: UserStore;

    beforeEach(async () => {
      f = await make();
      store = f.store;
    });
    afterEach(async () => {
      await f.close();
    });

    describe('accounts', () => {
      it('answers undefined for an unknown account', async () => {
        await expect(store.get('alice', 'example.com')).resolves.toBeUndefined();
      });

      it('returns an account as it was put, and put again replaces it', async () => {
        const alice = testUser('alice', 'example.com');
        await store.put(alice);
        await expect(store.get('alice', 'example.com')).resolves.toEqual(alice);
        await expect(store.get('alice', 'example.net')).resolves.toBeUndefined();
        const changed = testUser('alice', 'example.com', { ha1Md5: 'a'.repeat(32), ha1Sha256: 'b'.repeat(64), updatedAt: 1_700_000_100_000 });
        await store.put(changed);
        await expect(store.get('alice', 'example.com')).resolves.toEqual(changed);
      });

      it('deletes an account: true once, false after', async () => {
        await store.put(testUser('alice', 'example.com'));
        await store.put(testUser('bob', 'example.com'));
        await expect(store.delete('alice', 'example.com')).resolves.toBe(true);
        await expect(store.delete('alice', 'example.com')).resolves.toBe(false);
        await expect(store.get('alice', 'example.com')).resolves.toBeUndefined();
        await expect(store.get('bob', 'example.com')).resolves.toEqual(testUser('bob', 'example.com'));
      });

      it('lists every account by domain then user, or those of one domain', async () => {
        for (const [user, domain] of [['carol', 'example.net'], ['bob', 'example.com'], ['alice', 'example.net'], ['alice', 'example.com']] as const) {
          await store.put(testUser(user, domain));
        }
        const all = await store.list();
        expect(all.map((r) => `${r.domain}/${r.user}`)).toEqual(['example.com/alice', 'example.com/bob', 'example.net/alice', 'example.net/carol']);
        expect(all[0]).toEqual(testUser('alice', 'example.com'));
        expect((await store.list('example.net')).map((r) => r.user)).toEqual(['alice', 'carol']);
        await expect(store.list('example.org')).resolves.toEqual([]);
        await store.delete('alice', 'example.net');
        await store.delete('carol', 'example.net');
        expect((await store.list()).map((r) => `${r.domain}/${r.user}`)).toEqual(['example.com/alice', 'example.com/bob']);
      });
    });

    describe('aliases', () => {
      const ALICE = 'sip:alice@example.com';
      const BOB = 'sip:bob@example.com';

      it('resolves an alias to its AoR and lists the aliases of an AoR, sorted', async () => {
        await store.put(testUser('alice', 'example.com'));
        await store.addAlias('sip:alice.smith@example.com', ALICE);
        await store.addAlias('sip:a.smith@example.com', ALICE);
        await expect(store.resolveAlias('sip:alice.smith@example.com')).resolves.toBe(ALICE);
        await expect(store.resolveAlias('sip:nobody@example.com')).resolves.toBeUndefined();
        await expect(store.aliasesOf(ALICE)).resolves.toEqual(['sip:a.smith@example.com', 'sip:alice.smith@example.com']);
        await expect(store.aliasesOf(BOB)).resolves.toEqual([]);
      });

      it('moves an alias added again to another AoR', async () => {
        await store.addAlias('sip:support@example.com', ALICE);
        await store.addAlias('sip:support@example.com', BOB);
        await expect(store.resolveAlias('sip:support@example.com')).resolves.toBe(BOB);
        await expect(store.aliasesOf(ALICE)).resolves.toEqual([]);
        await expect(store.aliasesOf(BOB)).resolves.toEqual(['sip:support@example.com']);
        await store.addAlias('sip:support@example.com', BOB);
        await expect(store.aliasesOf(BOB)).resolves.toEqual(['sip:support@example.com']);
      });

      it('removes an alias: true once, false after', async () => {
        await store.addAlias('sip:alice.smith@example.com', ALICE);
        await store.addAlias('sip:a.smith@example.com', ALICE);
        await expect(store.removeAlias('sip:alice.smith@example.com')).resolves.toBe(true);
        await expect(store.removeAlias('sip:alice.smith@example.com')).resolves.toBe(false);
        await expect(store.resolveAlias('sip:alice.smith@example.com')).resolves.toBeUndefined();
        await expect(store.aliasesOf(ALICE)).resolves.toEqual(['sip:a.smith@example.com']);
      });

      it('removes the aliases of an account deleted, and only those', async () => {
        await store.put(testUser('alice', 'example.com'));
        await store.put(testUser('bob', 'example.com'));
        await store.addAlias('sip:alice.smith@example.com', ALICE);
        await store.addAlias('sip:alice@example.net', ALICE);
        await store.addAlias('sip:bob.jones@example.com', BOB);
        await expect(store.delete('alice', 'example.com')).resolves.toBe(true);
        await expect(store.resolveAlias('sip:alice.smith@example.com')).resolves.toBeUndefined();
        await expect(store.resolveAlias('sip:alice@example.net')).resolves.toBeUndefined();
        await expect(store.aliasesOf(ALICE)).resolves.toEqual([]);
        await expect(store.resolveAlias('sip:bob.jones@example.com')).resolves.toBe(BOB);
        await expect(store.aliasesOf(BOB)).resolves.toEqual(['sip:bob.jones@example.com']);
      });

      it('keeps an alias consistent when two writers move it at once', async () => {
        const other = f.second ? await f.second() : store;
        await Promise.all([store.addAlias('sip:desk@example.com', ALICE), other.addAlias('sip:desk@example.com', BOB)]);
        const aor = await store.resolveAlias('sip:desk@example.com');
        expect([ALICE, BOB]).toContain(aor);
        const loser = aor === ALICE ? BOB : ALICE;
        await expect(store.aliasesOf(aor!)).resolves.toEqual(['sip:desk@example.com']);
        await expect(store.aliasesOf(loser)).resolves.toEqual([]);
      });
    });

    describe('the external form', () => {
      const ALICE = 'sip:alice@example.com';
      const BOB = 'sip:bob@example.com';
      const SMITH = 'sip:Alice_Smith@acme.test';

      beforeEach(async () => {
        await store.put(testUser('alice', 'example.com'));
        await store.put(testUser('bob', 'example.com'));
        await store.addAlias(SMITH, ALICE);
        await store.addAlias('sip:a.smith@example.com', ALICE);
      });

      it('answers undefined for an account with no external form', async () => {
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
        await expect(store.externalAliasOf('sip:nobody@example.com')).resolves.toBeUndefined();
      });

      it('marks one alias per account: marking another moves the mark, null clears it', async () => {
        await store.setExternalAlias(ALICE, SMITH);
        await expect(store.externalAliasOf(ALICE)).resolves.toBe(SMITH);
        await expect(store.externalAliasOf(BOB)).resolves.toBeUndefined();
        await store.setExternalAlias(ALICE, 'sip:a.smith@example.com');
        await expect(store.externalAliasOf(ALICE)).resolves.toBe('sip:a.smith@example.com');
        await store.setExternalAlias(ALICE, null);
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
        await store.setExternalAlias(ALICE, null);
        await expect(store.aliasesOf(ALICE)).resolves.toEqual(['sip:Alice_Smith@acme.test', 'sip:a.smith@example.com']);
      });

      it('rejects marking a name that is no alias of the account, and keeps the mark it had', async () => {
        await store.setExternalAlias(ALICE, SMITH);
        await store.addAlias('sip:bob.jones@example.com', BOB);
        await expect(store.setExternalAlias(ALICE, 'sip:nobody@example.com')).rejects.toBeInstanceOf(NotAnAliasError);
        await expect(store.setExternalAlias(ALICE, 'sip:bob.jones@example.com')).rejects.toBeInstanceOf(NotAnAliasError);
        await expect(store.setExternalAlias(BOB, SMITH)).rejects.toBeInstanceOf(NotAnAliasError);
        await expect(store.externalAliasOf(ALICE)).resolves.toBe(SMITH);
        await expect(store.externalAliasOf(BOB)).resolves.toBeUndefined();
      });

      it('drops the mark with its alias removed or moved, and keeps it when the alias is added again to the same account', async () => {
        await store.setExternalAlias(ALICE, SMITH);
        await store.addAlias(SMITH, ALICE);
        await expect(store.externalAliasOf(ALICE)).resolves.toBe(SMITH);
        await store.removeAlias('sip:a.smith@example.com');
        await expect(store.externalAliasOf(ALICE)).resolves.toBe(SMITH);
        await store.removeAlias(SMITH);
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
        await store.addAlias(SMITH, ALICE);
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
        await store.setExternalAlias(ALICE, SMITH);
        await store.addAlias(SMITH, BOB);
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
        await expect(store.externalAliasOf(BOB)).resolves.toBeUndefined();
        await store.addAlias(SMITH, ALICE);
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
      });

      it('drops the mark of an account deleted, and only that one', async () => {
        await store.addAlias('sip:bob.jones@example.com', BOB);
        await store.setExternalAlias(ALICE, SMITH);
        await store.setExternalAlias(BOB, 'sip:bob.jones@example.com');
        await store.delete('alice', 'example.com');
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
        await expect(store.externalAliasOf(BOB)).resolves.toBe('sip:bob.jones@example.com');
        await store.put(testUser('alice', 'example.com'));
        await store.addAlias(SMITH, ALICE);
        await expect(store.externalAliasOf(ALICE)).resolves.toBeUndefined();
      });
    });

    describe('durability and sharing', () => {
      (caps.durable ? it : it.skip)('keeps accounts and aliases across a reopen (durable backends)', async () => {
        const alice = testUser('alice', 'example.com');
        await store.put(alice);
        await store.addAlias('sip:alice.smith@example.com', 'sip:alice@example.com');
        const reopened = await f.reopen!();
        await expect(reopened.get('alice', 'example.com')).resolves.toEqual(alice);
        await expect(reopened.list()).resolves.toEqual([alice]);
        await expect(reopened.resolveAlias('sip:alice.smith@example.com')).resolves.toBe('sip:alice@example.com');
        await expect(reopened.aliasesOf('sip:alice@example.com')).resolves.toEqual(['sip:alice.smith@example.com']);
      });

      (caps.durable ? it : it.skip)('keeps the external form across a reopen (durable backends)', async () => {
        await store.put(testUser('alice', 'example.com'));
        await store.addAlias('sip:alice.smith@example.com', 'sip:alice@example.com');
        await store.setExternalAlias('sip:alice@example.com', 'sip:alice.smith@example.com');
        const reopened = await f.reopen!();
        await expect(reopened.externalAliasOf('sip:alice@example.com')).resolves.toBe('sip:alice.smith@example.com');
      });

      (caps.shared ? it : it.skip)('shows a second client the first one\'s writes (shared backends)', async () => {
        const other = await f.second!();
        const alice = testUser('alice', 'example.com');
        await store.put(alice);
        await store.addAlias('sip:alice.smith@example.com', 'sip:alice@example.com');
        await expect(other.get('alice', 'example.com')).resolves.toEqual(alice);
        await expect(other.resolveAlias('sip:alice.smith@example.com')).resolves.toBe('sip:alice@example.com');
        await expect(other.delete('alice', 'example.com')).resolves.toBe(true);
        await expect(store.get('alice', 'example.com')).resolves.toBeUndefined();
        await expect(store.resolveAlias('sip:alice.smith@example.com')).resolves.toBeUndefined();
      });

      (caps.shared ? it : it.skip)('shows a second client the external form the first one marked (shared backends)', async () => {
        const other = await f.second!();
        await store.put(testUser('alice', 'example.com'));
        await store.addAlias('sip:alice.smith@example.com', 'sip:alice@example.com');
        await store.setExternalAlias('sip:alice@example.com', 'sip:alice.smith@example.com');
        await expect(other.externalAliasOf('sip:alice@example.com')).resolves.toBe('sip:alice.smith@example.com');
        await expect(other.setExternalAlias('sip:alice@example.com', 'sip:nobody@example.com')).rejects.toBeInstanceOf(NotAnAliasError);
      });
    });
  });
}
