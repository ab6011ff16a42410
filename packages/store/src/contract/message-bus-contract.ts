import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { MessageBus } from '../message-bus.js';
import type { FixtureCaps, StoreFixture } from './store-fixture.js';

export type MessageBusHarness = StoreFixture<MessageBus>;

/** Resolves with the next payload `bus` delivers on `channel`. */
async function nextOn(bus: MessageBus, channel: string): Promise<{ payload: Promise<Buffer>; stop: () => Promise<void> }> {
  let deliver!: (payload: Buffer) => void;
  const payload = new Promise<Buffer>((resolve) => (deliver = resolve));
  const stop = await bus.subscribe(channel, deliver);
  return { payload, stop };
}

/** The behaviour every MessageBus backend must show. */
export function describeMessageBusContract(name: string, make: () => Promise<MessageBusHarness>, caps: FixtureCaps = {}): void {
  describe(`${name}: MessageBus contract`, () => {
    let h: MessageBusHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.close();
    });

    it('delivers the bytes as published, and counts the receivers', async () => {
      const payload = Buffer.from([0, 1, 2, 0xff, 0x0d, 0x0a]);
      const a = await nextOn(h.store, 'worker-a');
      expect(await h.store.publish('worker-a', payload)).toBe(1);
      expect(await a.payload).toEqual(payload);
      await a.stop();
    });

    it('says nobody got a message for a channel nobody listens on, or no longer', async () => {
      expect(await h.store.publish('nobody', Buffer.from('x'))).toBe(0);
      const a = await nextOn(h.store, 'worker-a');
      await a.stop();
      expect(await h.store.publish('worker-a', Buffer.from('x'))).toBe(0);
    });

    it('keeps channels apart', async () => {
      const a = await nextOn(h.store, 'worker-a');
      const b = await nextOn(h.store, 'worker-b');
      await h.store.publish('worker-b', Buffer.from('for b'));
      await h.store.publish('worker-a', Buffer.from('for a'));
      expect((await a.payload).toString()).toBe('for a');
      expect((await b.payload).toString()).toBe('for b');
      await Promise.all([a.stop(), b.stop()]);
    });

    (caps.shared ? it : it.skip)('carries a message from one client to another', async () => {
      const other = await h.second!();
      const a = await nextOn(other, 'worker-a');
      expect(await h.store.publish('worker-a', Buffer.from('across'))).toBe(1);
      expect((await a.payload).toString()).toBe('across');
      await a.stop();
    });
  });
}
