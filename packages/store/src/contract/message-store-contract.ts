import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MessageCap, MessageCaps, MessageStore, NewStoredMessage, StoredMessage } from '../message-store.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

/** What a backend's test gives the message store contract. */
export type MessageStoreHarness = StoreFixture<MessageStore>;

const T0 = 1_700_000_000_000;
const ALICE = 'sip:alice@example.com';
const CAROL = 'sip:carol@example.com';

function message(recipient: string, overrides: Partial<NewStoredMessage> = {}): NewStoredMessage {
  return {
    recipient,
    headers: [
      ['From', '<sip:bob@example.net>;tag=49583'],
      ['To', `<${recipient}>`],
      ['Date', 'Mon, 13 Nov 2023 22:13:20 GMT'],
    ],
    contentType: 'text/plain',
    body: Buffer.from('Watson, come here.'),
    storedAt: T0,
    expiresAt: T0 + 60_000,
    ...overrides,
  };
}

/** Caps of `perRecipient` messages, and others as given (none unless given). */
const within = (perRecipient: number, others: Partial<MessageCaps> = {}): MessageCaps => ({ perRecipient, perSender: Infinity, perForeignDomain: Infinity, ...others });

/** `mayHold`'s answer, true (ask `list`) for a store without it. */
const holds = (store: MessageStore, recipient: string): boolean => store.mayHold?.(recipient) ?? true;

/** The message `add` kept; fails the test when a cap refused it. */
function kept(outcome: StoredMessage | MessageCap): StoredMessage {
  if (typeof outcome === 'string') throw new Error(`refused by the ${outcome} cap`);
  return outcome;
}

/**
 * The behaviour every MessageStore backend must show.
 * @see RFC 3428 §7
 */
export function describeMessageStoreContract(name: string, make: () => Promise<MessageStoreHarness>, caps: FixtureCaps = {}): void {
  describe(`${name}: MessageStore contract`, () => {
    let h: MessageStoreHarness;
    let store: MessageStore;
    beforeEach(async () => {
      h = await make();
      store = h.store;
    });
    afterEach(async () => {
      await h.close();
    });

    it('stores a message and lists it back with an id and no attempts', async () => {
      const m = message(ALICE);
      const stored = await store.add(m, within(10), T0);
      expect(stored).toEqual({ ...m, id: expect.any(String), attempts: 0 });
      expect(await store.list(ALICE, T0)).toEqual([stored]);
      expect(await store.list(CAROL, T0)).toEqual([]);
    });

    it('lists oldest first, with ids ordered like arrival', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push(kept(await store.add(message(ALICE, { body: Buffer.from(`m${i}`) }), within(100), T0)).id);
      const listed = await store.list(ALICE, T0);
      expect(listed.map((m) => m.id)).toEqual(ids);
      expect(listed.map((m) => m.body.toString())).toEqual(ids.map((_, i) => `m${i}`));
      expect([...ids].sort()).toEqual(ids);
    });

    it('keeps arrival order for messages added after a removal', async () => {
      await store.add(message(ALICE), within(10), T0);
      const b = kept(await store.add(message(ALICE), within(10), T0));
      await store.remove(ALICE, b.id);
      const c = kept(await store.add(message(ALICE), within(10), T0));
      expect(c.id > b.id).toBe(true);
    });

    it('round-trips a binary body byte for byte', async () => {
      const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00])]);
      await store.add(message(ALICE, { body, contentType: 'application/octet-stream' }), within(10), T0);
      const [m] = await store.list(ALICE, T0);
      expect(Buffer.compare(m.body, body)).toBe(0);
      expect(m.contentType).toBe('application/octet-stream');
    });

    it('keeps a null Content-Type and an empty body', async () => {
      await store.add(message(ALICE, { body: Buffer.alloc(0), contentType: null, headers: [] }), within(10), T0);
      const [m] = await store.list(ALICE, T0);
      expect(m.body.length).toBe(0);
      expect(m.contentType).toBeNull();
      expect(m.headers).toEqual([]);
    });

    it('refuses a message once the recipient has cap live messages', async () => {
      kept(await store.add(message(ALICE), within(2), T0));
      kept(await store.add(message(ALICE), within(2), T0));
      expect(await store.add(message(ALICE), within(2), T0)).toBe('recipient');
      expect(await store.list(ALICE, T0)).toHaveLength(2);
      kept(await store.add(message(CAROL), within(2), T0));
    });

    it('does not count expired messages against the cap', async () => {
      await store.add(message(ALICE, { expiresAt: T0 + 10 }), within(1), T0);
      expect(await store.add(message(ALICE), within(1), T0 + 5)).toBe('recipient');
      kept(await store.add(message(ALICE), within(1), T0 + 10));
    });

    it('keeps the sender of a message and reads it back', async () => {
      const m = message(ALICE, { sender: { aor: 'sip:bob@example.net', foreignDomain: 'example.net' } });
      const stored = kept(await store.add(m, within(10), T0));
      expect(stored.sender).toEqual({ aor: 'sip:bob@example.net', foreignDomain: 'example.net' });
      expect(await store.list(ALICE, T0)).toEqual([stored]);
    });

    it('refuses a message once its sender has perSender live messages waiting; other senders still get in', async () => {
      const limits = within(10, { perSender: 2 });
      const from = (aor: string, expiresAt = T0 + 60_000) => message(ALICE, { sender: { aor, foreignDomain: null }, expiresAt });
      kept(await store.add(from('sip:spam@example.com', T0 + 10), limits, T0));
      kept(await store.add(from('sip:spam@example.com'), limits, T0));
      expect(await store.add(from('sip:spam@example.com'), limits, T0)).toBe('sender');
      kept(await store.add(from('sip:friend@example.com'), limits, T0));
      // An expired message leaves room.
      kept(await store.add(from('sip:spam@example.com'), limits, T0 + 10));
      expect(await store.add(from('sip:spam@example.com'), limits, T0 + 10)).toBe('sender');
      const spam = (await store.list(ALICE, T0 + 10)).filter((m) => m.sender?.aor === 'sip:spam@example.com');
      expect(spam).toHaveLength(2);
      expect(await store.remove(ALICE, spam[0].id)).toBe(true);
      kept(await store.add(from('sip:spam@example.com'), limits, T0 + 10));
      // Another recipient's messages are counted apart.
      kept(await store.add({ ...from('sip:spam@example.com'), recipient: CAROL }, limits, T0 + 10));
    });

    it('counts the senders of one foreign domain together, and local senders by sender only', async () => {
      const limits = within(10, { perSender: 5, perForeignDomain: 2 });
      const from = (aor: string, foreignDomain: string | null) => message(ALICE, { sender: { aor, foreignDomain } });
      kept(await store.add(from('sip:a@spam.example', 'spam.example'), limits, T0));
      kept(await store.add(from('sip:b@spam.example', 'spam.example'), limits, T0));
      expect(await store.add(from('sip:c@spam.example', 'spam.example'), limits, T0)).toBe('foreign-domain');
      kept(await store.add(from('sip:d@other.example', 'other.example'), limits, T0));
      for (let i = 0; i < 3; i++) kept(await store.add(from(`sip:u${i}@example.com`, null), limits, T0));
      // Without a sender, only the recipient's cap applies.
      kept(await store.add(message(ALICE), limits, T0));
      expect(await store.add(from('sip:e@other.example', 'other.example'), within(7), T0)).toBe('recipient');
    });

    it('holds the cap per sender under concurrent adds', async () => {
      const other = h.second ? await h.second() : store;
      const m = message(ALICE, { sender: { aor: 'sip:spam@example.net', foreignDomain: 'example.net' } });
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).add(m, within(100, { perSender: 3 }), T0)));
      expect(results.filter((r) => r === 'sender')).toHaveLength(5);
      expect(await store.list(ALICE, T0)).toHaveLength(3);
    });

    it('holds the cap under concurrent adds', async () => {
      const other = h.second ? await h.second() : store;
      const adds = Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).add(message(ALICE), within(3), T0));
      const results = await Promise.all(adds);
      expect(results.filter((r) => typeof r !== 'string')).toHaveLength(3);
      expect(await store.list(ALICE, T0)).toHaveLength(3);
    });

    it('keeps the order of concurrent adds, and gives each its own message back', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
      const results = await Promise.all(bodies.map((b, i) => store.add(message(i % 2 ? CAROL : ALICE, { body: Buffer.from(b) }), within(100), T0)));
      expect(results.map((r) => kept(r).body.toString())).toEqual(bodies);
      expect((await store.list(ALICE, T0)).map((m) => m.body.toString())).toEqual(bodies.filter((_, i) => i % 2 === 0));
      expect((await store.list(CAROL, T0)).map((m) => m.id)).toEqual(results.filter((_, i) => i % 2).map((r) => kept(r).id));
    });

    it('leaves out messages expired at now', async () => {
      await store.add(message(ALICE, { expiresAt: T0 + 1_000 }), within(10), T0);
      await store.add(message(ALICE, { expiresAt: T0 + 2_000 }), within(10), T0);
      expect(await store.list(ALICE, T0 + 999)).toHaveLength(2);
      expect((await store.list(ALICE, T0 + 1_000)).map((m) => m.expiresAt)).toEqual([T0 + 2_000]);
      expect(await store.list(ALICE, T0 + 2_000)).toEqual([]);
    });

    it('counts delivery attempts', async () => {
      const m = kept(await store.add(message(ALICE), within(10), T0));
      await store.markAttempt(ALICE, m.id);
      await store.markAttempt(ALICE, m.id);
      expect((await store.list(ALICE, T0))[0].attempts).toBe(2);
      await store.markAttempt(ALICE, 'no-such-id');
      await store.markAttempt(CAROL, m.id);
      expect((await store.list(ALICE, T0))[0].attempts).toBe(2);
      expect(await store.list(CAROL, T0)).toEqual([]);
    });

    it('removes one message, and answers false when it is gone already', async () => {
      const a = kept(await store.add(message(ALICE), within(10), T0));
      const b = kept(await store.add(message(ALICE), within(10), T0));
      expect(await store.remove(CAROL, a.id)).toBe(false);
      expect(await store.remove(ALICE, a.id)).toBe(true);
      expect(await store.remove(ALICE, a.id)).toBe(false);
      expect(await store.remove(ALICE, 'no-such-id')).toBe(false);
      expect((await store.list(ALICE, T0)).map((m) => m.id)).toEqual([b.id]);
    });

    it('purges every message of one recipient', async () => {
      await store.add(message(ALICE), within(10), T0);
      await store.add(message(ALICE), within(10), T0);
      await store.add(message(CAROL), within(10), T0);
      expect(await store.purge(ALICE)).toBe(2);
      expect(await store.list(ALICE, T0)).toEqual([]);
      expect(await store.list(CAROL, T0)).toHaveLength(1);
      expect(await store.purge(ALICE)).toBe(0);
      kept(await store.add(message(ALICE), within(1), T0));
    });

    it('sweeps up to limit expired messages across recipients', async () => {
      await store.add(message(ALICE, { expiresAt: T0 + 10 }), within(10), T0);
      await store.add(message(CAROL, { expiresAt: T0 + 20 }), within(10), T0);
      await store.add(message(ALICE, { expiresAt: T0 + 30 }), within(10), T0);
      const live = kept(await store.add(message(ALICE, { expiresAt: T0 + 1_000 }), within(10), T0));
      expect(await store.sweepExpired(T0 + 30, 2)).toBe(2);
      expect(await store.sweepExpired(T0 + 30, 10)).toBe(1);
      expect(await store.sweepExpired(T0 + 30, 10)).toBe(0);
      // Gone for good, not only hidden: an earlier `now` does not bring them back.
      expect((await store.list(ALICE, T0)).map((m) => m.id)).toEqual([live.id]);
      expect(await store.list(CAROL, T0)).toEqual([]);
    });


    it('mayHold: never false for a recipient with messages; false for one that has none, where the store answers from memory', async () => {
      if (store.mayHold !== undefined) expect(holds(store, ALICE)).toBe(false);
      const a = kept(await store.add(message(ALICE), within(10), T0));
      expect(holds(store, ALICE)).toBe(true);
      if (store.mayHold !== undefined) expect(holds(store, CAROL)).toBe(false);
      await store.remove(ALICE, a.id);
      expect(await store.list(ALICE, T0)).toEqual([]);
    });

    (caps.durable ? it : it.skip)('keeps messages, attempts and bodies across a reopen (when durable)', async () => {
      const body = Buffer.from([0x00, 0xff, 0x80, 0x0a]);
      const a = kept(await store.add(message(ALICE, { body }), within(10), T0));
      await store.add(message(ALICE), within(10), T0);
      await store.markAttempt(ALICE, a.id);
      const before = await store.list(ALICE, T0);
      store = await h.reopen!();
      const after = await store.list(ALICE, T0);
      expect(after).toEqual(before);
      expect(Buffer.compare(after[0].body, body)).toBe(0);
      expect(after[0].attempts).toBe(1);
      const c = kept(await store.add(message(ALICE), within(10), T0));
      expect(c.id > after[1].id).toBe(true);
    });
  });
}
