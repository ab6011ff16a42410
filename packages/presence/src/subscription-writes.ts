import { LOST_RACE, type Subscription, type SubscriptionStore, retryCompareAndSet } from '@herald/store';

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
  return retryCompareAndSet(async (attempt) => {
    if (attempt > 0 && current !== undefined) current = await subscriptions.get(current.id, clock.now());
    if (current === undefined) return undefined;
    // A copy then assignments: V8 clones the record's shape, where a spread of two into a fresh literal rebuilds it.
    const next: Subscription = { ...current };
    Object.assign(next, change(current));
    next.version = current.version + 1;
    return (await subscriptions.compareAndSet(next, clock.now())) ? next : LOST_RACE;
  }, () => undefined);
}
