import type { PresenceRule } from '@herald/store';
import { FakeClock } from '@herald/test-kit';
import { PresenceSettingsCache } from './presence-settings-cache.js';

class CountingRules {
  reads = 0;
  fail = false;
  async rules(): Promise<PresenceRule[]> {
    this.reads++;
    if (this.fail) throw new Error('store away');
    return [];
  }
  async isInvisible(): Promise<boolean> {
    this.reads++;
    return false;
  }
}

describe("a worker's memory of presentities' rules and invisible mode", () => {
  it('reads a presentity once, again after forget() and after 30 s', async () => {
    const store = new CountingRules();
    const clock = new FakeClock();
    const cache = new PresenceSettingsCache(store, clock);
    await cache.rules('sip:bob@example.com');
    await cache.rules('sip:bob@example.com');
    expect(store.reads).toBe(1);
    cache.forget('sip:bob@example.com');
    await cache.rules('sip:bob@example.com');
    expect(store.reads).toBe(2);
    clock.advance(30_000);
    await cache.rules('sip:bob@example.com');
    expect(store.reads).toBe(3);
  });

  it('does not remember a failed read', async () => {
    const store = new CountingRules();
    const cache = new PresenceSettingsCache(store, new FakeClock());
    store.fail = true;
    await expect(cache.rules('sip:bob@example.com')).rejects.toThrow('store away');
    store.fail = false;
    await expect(cache.rules('sip:bob@example.com')).resolves.toEqual([]);
    expect(store.reads).toBe(2);
  });
});
