import type { Subscription, SubscriptionCap } from '@herald/store';
import { strangerCaps } from '../authorization/foreign-watcher.js';
import { busySubscription, tooManySubscriptions } from '../presence-errors.js';
import type { SubscriptionServiceOptions } from './subscription-service-options.js';

/**
 * Writes a new subscription. One of a watcher of another domain is written only within the
 * caps on strangers (per presentity, per watcher domain, per source address), checked in the
 * same step: past one the SUBSCRIBE gets 503 with Retry-After, the interval after which a
 * pending stranger's place has come free.
 */
export async function createSubscription(sub: Subscription, now: number, options: Pick<SubscriptionServiceOptions, 'subscriptions' | 'policy' | 'capReached'>): Promise<void> {
  const { subscriptions, policy } = options;
  if (!sub.foreign) {
    if (!(await subscriptions.compareAndSet(sub, now))) throw busySubscription();
    return;
  }
  const outcome = await subscriptions.create(sub, strangerCaps(policy.strangers), now);
  if (outcome === 'created') return;
  if (outcome === 'exists') throw busySubscription();
  options.capReached?.(outcome satisfies SubscriptionCap);
  throw tooManySubscriptions(outcome, policy.strangers.maxForeignPendingExpires);
}
