import type { Subscription, SubscriptionStore } from '@herald/store';

/** Writes lost to a concurrent one before an update is given up. */
const MAX_ATTEMPTS = 8;

/**
 * Writes `change(current)` over the subscription (compare-and-set, version + 1), reading it
 * again when another writer won. @returns the record written, or `undefined` when the
 * subscription is gone (or kept changing).
 */
export async function rewriteSubscription(
  subscriptions: Pick<SubscriptionStore, 'get' | 'compareAndSet'>,
  sub: Subscription | undefined,
  change: (current: Subscription) => Partial<Subscription>,
  clock: { now(): number },
): Promise<Subscription | undefined> {
  let current = sub;
  for (let attempt = 0; attempt < MAX_ATTEMPTS && current !== undefined; attempt++) {
    const next: Subscription = { ...current, ...change(current), version: current.version + 1 };
    if (await subscriptions.compareAndSet(next, clock.now())) return next;
    current = await subscriptions.get(current.id, clock.now());
  }
  return undefined;
}
