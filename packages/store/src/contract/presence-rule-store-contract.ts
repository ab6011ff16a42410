import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { PresenceRule, PresenceRuleStore } from '../presence-rule-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

/** What a backend's test gives the presence rule store contract. */
export type PresenceRuleStoreHarness = StoreFixture<PresenceRuleStore>;

const T0 = 1_700_000_000_000;
const ALICE = 'sip:alice@example.com';
const CAROL = 'sip:carol@example.com';

function rule(watcher: string, overrides: Partial<PresenceRule> = {}): PresenceRule {
  return { presentity: ALICE, watcher, action: 'allow', updatedAt: T0, ...overrides };
}

/**
 * The behaviour every PresenceRuleStore backend must show.
 * @see RFC 3857 §3.2, RFC 5025
 */
export function describePresenceRuleStoreContract(name: string, make: () => Promise<PresenceRuleStoreHarness>, caps: FixtureCaps = {}): void {
  describe(`${name}: PresenceRuleStore contract`, () => {
    let h: PresenceRuleStoreHarness;
    let store: PresenceRuleStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    it('keeps the rules of a presentity, sorted by watcher', async () => {
      expect(await store.rules(ALICE)).toEqual([]);
      await store.setRule(rule('sip:zed@example.net', { action: 'block' }));
      await store.setRule(rule('example.org', { action: 'confirm' }));
      await store.setRule(rule('sip:bob@example.net', { action: 'polite-block' }));
      await store.setRule(rule('sip:bob@example.net', { presentity: CAROL }));
      expect(await store.rules(ALICE)).toEqual([
        rule('example.org', { action: 'confirm' }),
        rule('sip:bob@example.net', { action: 'polite-block' }),
        rule('sip:zed@example.net', { action: 'block' }),
      ]);
      expect(await store.rules(CAROL)).toEqual([rule('sip:bob@example.net', { presentity: CAROL })]);
    });

    it('replaces the rule for the same watcher', async () => {
      await store.setRule(rule('sip:bob@example.net', { action: 'confirm' }));
      await store.setRule(rule('sip:bob@example.net', { action: 'allow', updatedAt: T0 + 1 }));
      expect(await store.rules(ALICE)).toEqual([rule('sip:bob@example.net', { updatedAt: T0 + 1 })]);
    });

    it('removes a rule, and answers false when there was none', async () => {
      await store.setRule(rule('sip:bob@example.net'));
      await store.setRule(rule('example.org'));
      expect(await store.removeRule(ALICE, 'sip:bob@example.net')).toBe(true);
      expect(await store.removeRule(ALICE, 'sip:bob@example.net')).toBe(false);
      expect(await store.removeRule(CAROL, 'example.org')).toBe(false);
      expect(await store.rules(ALICE)).toEqual([rule('example.org')]);
    });

    it('turns invisible mode on and off per presentity', async () => {
      expect(await store.isInvisible(ALICE)).toBe(false);
      await store.setInvisible(ALICE, true);
      await store.setInvisible(ALICE, true);
      expect(await store.isInvisible(ALICE)).toBe(true);
      expect(await store.isInvisible(CAROL)).toBe(false);
      await store.setInvisible(ALICE, false);
      await store.setInvisible(ALICE, false);
      expect(await store.isInvisible(ALICE)).toBe(false);
    });

    (caps.durable ? it : it.skip)('keeps rules and invisible mode across a reopen (when durable)', async () => {
      await store.setRule(rule('sip:bob@example.net', { action: 'block' }));
      await store.setInvisible(ALICE, true);
      store = await h.reopen!();
      expect(await store.rules(ALICE)).toEqual([rule('sip:bob@example.net', { action: 'block' })]);
      expect(await store.isInvisible(ALICE)).toBe(true);
    });
  });
}
