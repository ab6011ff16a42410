import type { Subscription, SubscriptionStore } from '@herald/store';
import { PresenceTestbed } from '../../test/helpers/presence-services.js';
import { DOMAIN, subscribeRequest, subscription } from '../../test/helpers/presence-requests.js';
import { subscriptionRefreshes } from './refresh-processor.js';

let bed: PresenceTestbed;
beforeEach(async () => {
  bed = new PresenceTestbed();
  await bed.store.subscriptions.compareAndSet(subscription({ expiresAt: bed.clock.now() + 3600_000 }), bed.clock.now());
});
afterEach(() => bed.close());

const inDialog = (headers: string[], cseq = 2) => subscribeRequest(headers, { callId: 'c1', cseq, to: `<sip:bob@${DOMAIN}>;tag=h1` });

describe('RFC 6665 §4.1.2.1 a refresh in a subscription dialog', () => {
  it('writes the new expiry and CSeqs, answers 200 with Expires, then NOTIFYs the state', async () => {
    const ctx = bed.context(inDialog(['Expires: 600']));
    expect(await ctx.run(subscriptionRefreshes(bed.services()))).toBe('stop');
    expect(ctx.response.status).toBe(200);
    expect(ctx.response.header('expires')).toBe('600');
    expect(ctx.response.to.params.get('tag')).toBe('h1');
    const sub = await bed.store.subscriptions.get('c1;w1;h1', bed.clock.now());
    expect(sub).toMatchObject({ remoteCseq: 2, localCseq: 2, version: 2, expiresAt: bed.clock.now() + 600_000 });
    expect(bed.notifier.calls).toEqual([{ call: 'notifyWritten', sub, state: { state: 'active', expires: 600 }, responsesSent: 1 }]);
  });

  it('reads again and applies the refresh to what a concurrent writer left', async () => {
    const subscriptions = racingStore(bed.store.subscriptions, 1);
    const ctx = bed.context(inDialog(['Expires: 600']));
    await ctx.run(subscriptionRefreshes(bed.services({ subscriptions })));
    expect(ctx.response.status).toBe(200);
    expect(await bed.store.subscriptions.get('c1;w1;h1', bed.clock.now())).toMatchObject({ version: 3, localCseq: 2, remoteCseq: 2, data: { raced: true } });
  });

  it('answers 500 with Retry-After when every try loses its race', async () => {
    const subscriptions = racingStore(bed.store.subscriptions, Infinity);
    const ctx = bed.context(inDialog(['Expires: 600']));
    await ctx.run(subscriptionRefreshes(bed.services({ subscriptions })));
    expect(ctx.response.status).toBe(500);
    expect(ctx.response.header('retry-after')).toBe('1');
  });
});

describe('DESIGN (issue 13) a refresh of a pending watcher of another domain', () => {
  it('is granted at most maxForeignPendingExpires while pending, the usual interval once approved', async () => {
    const stranger = subscription({ id: 'c2;w1;h2', callId: 'c2', localTag: 'h2', status: 'pending', foreign: { domain: 'other.example', source: '198.51.100.7' } });
    await bed.store.subscriptions.compareAndSet(stranger, bed.clock.now());
    const refresh = (cseq: number) => subscribeRequest(['Expires: 3600'], { callId: 'c2', cseq, to: `<sip:bob@${DOMAIN}>;tag=h2` });
    const pending = bed.context(refresh(2));
    await pending.run(subscriptionRefreshes(bed.services()));
    expect(pending.response.header('expires')).toBe('600');
    const current = (await bed.store.subscriptions.get('c2;w1;h2', bed.clock.now()))!;
    await bed.store.subscriptions.compareAndSet({ ...current, status: 'active', version: current.version + 1 }, bed.clock.now());
    const approved = bed.context(refresh(3));
    await approved.run(subscriptionRefreshes(bed.services()));
    expect(approved.response.header('expires')).toBe('3600');
  });
});

describe('RFC 6665 §4.1.2.3 unsubscribing', () => {
  it('removes the subscription, answers 200 with Expires: 0 and sends the final NOTIFY', async () => {
    const ctx = bed.context(inDialog(['Expires: 0']));
    await ctx.run(subscriptionRefreshes(bed.services()));
    expect(ctx.response.header('expires')).toBe('0');
    expect(await bed.store.subscriptions.get('c1;w1;h1', bed.clock.now())).toBeUndefined();
    expect(bed.notifier.calls).toMatchObject([{ call: 'ended', sub: { id: 'c1;w1;h1', remoteCseq: 2 }, reason: 'timeout' }]);
  });
});

describe('RFC 3261 §12.2.2 SUBSCRIBEs that name no subscription of Herald', () => {
  it('answers 481 for a dialog Herald does not hold', async () => {
    const ctx = bed.context(subscribeRequest([], { callId: 'other', to: `<sip:bob@${DOMAIN}>;tag=h1` }));
    await ctx.run(subscriptionRefreshes(bed.services()));
    expect(ctx.response.status).toBe(481);
  });

  it('leaves SUBSCRIBEs to other domains to the next processor', async () => {
    const processor = subscriptionRefreshes(bed.services());
    expect(await bed.context(subscribeRequest([], { uri: 'sip:bob@example.net', to: '<sip:bob@example.net>;tag=h1' })).run(processor)).toBe('continue');
  });
});

/** The store, with another writer changing the subscription just before each of the first `races` compare-and-sets. */
function racingStore(store: SubscriptionStore, races: number): SubscriptionStore {
  let raced = 0;
  return {
    get: (id, now) => store.get(id, now),
    create: (sub, caps, now) => store.create(sub, caps, now),
    delete: (id, indexedAs) => store.delete(id, indexedAs),
    byResource: (resource, event, now) => store.byResource(resource, event, now),
    takeExpired: (now, limit) => store.takeExpired(now, limit),
    compareAndSetMany: (next, now) => store.compareAndSetMany(next, now),
    async compareAndSet(next: Subscription, now: number) {
      if (raced++ < races) {
        const current = await store.get(next.id, now);
        if (current !== undefined) await store.compareAndSet({ ...current, data: { ...current.data, raced: true }, version: current.version + 1 }, now);
      }
      return store.compareAndSet(next, now);
    },
  };
}
