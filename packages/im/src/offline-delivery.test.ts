import { jest } from '@jest/globals';
import { MemoryStore, type MessageStore, StoreUnavailableError } from '@herald/store';
import { OfflineDelivery } from './offline-delivery.js';

describe('the sweep of expired messages (issue 13 item 10)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reports each run to its sweep report: a store outage as a failure, then the run that works again', async () => {
    const store = new MemoryStore();
    const outage = new StoreUnavailableError('Redis store could not sweep expired messages: connection refused');
    let down = true;
    const messages: MessageStore = Object.assign(Object.create(store.messages) as MessageStore, {
      sweepExpired: async (now: number, limit: number) => (down ? Promise.reject(outage) : store.messages.sweepExpired(now, limit)),
    });
    const report: string[] = [];
    const delivery = new OfflineDelivery({
      locations: store.locations,
      messages,
      claims: store.claims,
      originate: async () => ({ status: 200, response: null, handled: false }),
      owner: 'test',
      host: 'example.com',
      clock: { now: () => Date.now() },
      sweeps: { failed: (error) => void report.push(`failed: ${(error as Error).message}`), succeeded: () => void report.push('succeeded') },
    });
    delivery.start();
    try {
      await jest.advanceTimersByTimeAsync(120_000);
      down = false;
      await jest.advanceTimersByTimeAsync(60_000);
      expect(report).toEqual([`failed: ${outage.message}`, `failed: ${outage.message}`, 'succeeded']);
    } finally {
      delivery.stop();
      await store.close();
    }
  });
});
