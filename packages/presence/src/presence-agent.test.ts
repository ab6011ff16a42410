import { jest } from '@jest/globals';
import { LocalIdentity } from '@herald/proxy';
import { MemoryStore, StoreUnavailableError, type SubscriptionStore } from '@herald/store';
import { POLICY } from '../test/helpers/presence-services.js';
import { PresenceAgent } from './presence-agent.js';

describe('the presence sweep (issue 13 item 10)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('reports each run to its sweep report: a store outage as a failure, then the run that works again', async () => {
    const store = new MemoryStore();
    const outage = new StoreUnavailableError('Redis store did not take expired subscriptions within 2000 ms');
    let down = true;
    const subscriptions: SubscriptionStore = Object.assign(Object.create(store.subscriptions) as SubscriptionStore, {
      takeExpired: async (now: number, limit: number) => (down ? Promise.reject(outage) : store.subscriptions.takeExpired(now, limit)),
    });
    const report: string[] = [];
    const agent = new PresenceAgent({
      identity: new LocalIdentity(['example.com'], [{ address: '192.0.2.1', port: 5060 }], []),
      store: Object.assign(Object.create(store) as MemoryStore, { subscriptions }),
      policy: POLICY,
      originate: async () => ({ status: 200, response: null, handled: false }),
      routes: { match: () => null },
      contact: () => 'sip:192.0.2.1:5060',
      owner: 'test',
      requireAuthentication: false,
      clock: { now: () => Date.now() },
      sweeps: { failed: (error) => void report.push(`failed: ${(error as Error).message}`), succeeded: () => void report.push('succeeded') },
    });
    await agent.start();
    try {
      await jest.advanceTimersByTimeAsync(2000);
      down = false;
      await jest.advanceTimersByTimeAsync(1000);
      expect(report).toEqual([`failed: ${outage.message}`, `failed: ${outage.message}`, 'succeeded']);
    } finally {
      await agent.stop();
      await store.close();
    }
  });
});
