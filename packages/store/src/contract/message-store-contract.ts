import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MessageStore, NewStoredMessage } from '../message-store.js';
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
      const stored = await store.add(m, 10, T0);
      expect(stored).toEqual({ ...m, id: expect.any(String), attempts: 0 });
      expect(await store.list(ALICE, T0)).toEqual([stored]);
      expect(await store.list(CAROL, T0)).toEqual([]);
    });

    it('lists oldest first, with ids ordered like arrival', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 12; i++) ids.push((await store.add(message(ALICE, { body: Buffer.from(`m${i}`) }), 100, T0))!.id);
      const listed = await store.list(ALICE, T0);
      expect(listed.map((m) => m.id)).toEqual(ids);
      expect(listed.map((m) => m.body.toString())).toEqual(ids.map((_, i) => `m${i}`));
      expect([...ids].sort()).toEqual(ids);
    });

    it('keeps arrival order for messages added after a removal', async () => {
      await store.add(message(ALICE), 10, T0);
      const b = (await store.add(message(ALICE), 10, T0))!;
      await store.remove(ALICE, b.id);
      const c = (await store.add(message(ALICE), 10, T0))!;
      expect(c.id > b.id).toBe(true);
    });

    it('round-trips a binary body byte for byte', async () => {
      const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x00])]);
      await store.add(message(ALICE, { body, contentType: 'application/octet-stream' }), 10, T0);
      const [m] = await store.list(ALICE, T0);
      expect(Buffer.compare(m.body, body)).toBe(0);
      expect(m.contentType).toBe('application/octet-stream');
    });

    it('keeps a null Content-Type and an empty body', async () => {
      await store.add(message(ALICE, { body: Buffer.alloc(0), contentType: null, headers: [] }), 10, T0);
      const [m] = await store.list(ALICE, T0);
      expect(m.body.length).toBe(0);
      expect(m.contentType).toBeNull();
      expect(m.headers).toEqual([]);
    });

    it('refuses a message once the recipient has cap live messages', async () => {
      expect(await store.add(message(ALICE), 2, T0)).toBeDefined();
      expect(await store.add(message(ALICE), 2, T0)).toBeDefined();
      expect(await store.add(message(ALICE), 2, T0)).toBeUndefined();
      expect(await store.list(ALICE, T0)).toHaveLength(2);
      expect(await store.add(message(CAROL), 2, T0)).toBeDefined();
    });

    it('does not count expired messages against the cap', async () => {
      await store.add(message(ALICE, { expiresAt: T0 + 10 }), 1, T0);
      expect(await store.add(message(ALICE), 1, T0 + 5)).toBeUndefined();
      expect(await store.add(message(ALICE), 1, T0 + 10)).toBeDefined();
    });

    it('holds the cap under concurrent adds', async () => {
      const other = h.second ? await h.second() : store;
      const adds = Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).add(message(ALICE), 3, T0));
      const results = await Promise.all(adds);
      expect(results.filter((r) => r !== undefined)).toHaveLength(3);
      expect(await store.list(ALICE, T0)).toHaveLength(3);
    });

    it('keeps the order of concurrent adds, and gives each its own message back', async () => {
      const bodies = Array.from({ length: 20 }, (_, i) => `m${i}`);
      const results = await Promise.all(bodies.map((b, i) => store.add(message(i % 2 ? CAROL : ALICE, { body: Buffer.from(b) }), 100, T0)));
      expect(results.map((r) => r!.body.toString())).toEqual(bodies);
      expect((await store.list(ALICE, T0)).map((m) => m.body.toString())).toEqual(bodies.filter((_, i) => i % 2 === 0));
      expect((await store.list(CAROL, T0)).map((m) => m.id)).toEqual(results.filter((_, i) => i % 2).map((r) => r!.id));
    });

    it('leaves out messages expired at now', async () => {
      await store.add(message(ALICE, { expiresAt: T0 + 1_000 }), 10, T0);
      await store.add(message(ALICE, { expiresAt: T0 + 2_000 }), 10, T0);
      expect(await store.list(ALICE, T0 + 999)).toHaveLength(2);
      expect((await store.list(ALICE, T0 + 1_000)).map((m) => m.expiresAt)).toEqual([T0 + 2_000]);
      expect(await store.list(ALICE, T0 + 2_000)).toEqual([]);
    });

    it('counts delivery attempts', async () => {
      const m = (await store.add(message(ALICE), 10, T0))!;
      await store.markAttempt(ALICE, m.id);
      await store.markAttempt(ALICE, m.id);
      expect((await store.list(ALICE, T0))[0].attempts).toBe(2);
      await store.markAttempt(ALICE, 'no-such-id');
      await store.markAttempt(CAROL, m.id);
      expect((await store.list(ALICE, T0))[0].attempts).toBe(2);
      expect(await store.list(CAROL, T0)).toEqual([]);
    });

    it('removes one message, and answers false when it is gone already', async () => {
      const a = (await store.add(message(ALICE), 10, T0))!;
      const b = (await store.add(message(ALICE), 10, T0))!;
      expect(await store.remove(CAROL, a.id)).toBe(false);
      expect(await store.remove(ALICE, a.id)).toBe(true);
      expect(await store.remove(ALICE, a.id)).toBe(false);
      expect(await store.remove(ALICE, 'no-such-id')).toBe(false);
      expect((await store.list(ALICE, T0)).map((m) => m.id)).toEqual([b.id]);
    });

    it('purges every message of one recipient', async () => {
      await store.add(message(ALICE), 10, T0);
      await store.add(message(ALICE), 10, T0);
      await store.add(message(CAROL), 10, T0);
      expect(await store.purge(ALICE)).toBe(2);
      expect(await store.list(ALICE, T0)).toEqual([]);
      expect(await store.list(CAROL, T0)).toHaveLength(1);
      expect(await store.purge(ALICE)).toBe(0);
      expect(await store.add(message(ALICE), 1, T0)).toBeDefined();
    });

    it('sweeps up to limit expired messages across recipients', async () => {
      await store.add(message(ALICE, { expiresAt: T0 + 10 }), 10, T0);
      await store.add(message(CAROL, { expiresAt: T0 + 20 }), 10, T0);
      await store.add(message(ALICE, { expiresAt: T0 + 30 }), 10, T0);
      const live = (await store.add(message(ALICE, { expiresAt: T0 + 1_000 }), 10, T0))!;
      expect(await store.sweepExpired(T0 + 30, 2)).toBe(2);
      expect(await store.sweepExpired(T0 + 30, 10)).toBe(1);
      expect(await store.sweepExpired(T0 + 30, 10)).toBe(0);
      // Gone for good, not only hidden: an earlier `now` does not bring them back.
      expect((await store.list(ALICE, T0)).map((m) => m.id)).toEqual([live.id]);
      expect(await store.list(CAROL, T0)).toEqual([]);
    });


    (caps.durable ? it : it.skip)('keeps messages, attempts and bodies across a reopen (when durable)', async () => {
      const body = Buffer.from([0x00, 0xff, 0x80, 0x0a]);
      const a = (await store.add(message(ALICE, { body }), 10, T0))!;
      await store.add(message(ALICE), 10, T0);
      await store.markAttempt(ALICE, a.id);
      const before = await store.list(ALICE, T0);
      store = await h.reopen!();
      const after = await store.list(ALICE, T0);
      expect(after).toEqual(before);
      expect(Buffer.compare(after[0].body, body)).toBe(0);
      expect(after[0].attempts).toBe(1);
      const c = (await store.add(message(ALICE), 10, T0))!;
      expect(c.id > after[1].id).toBe(true);
    });
  });
}
