import type { ExpiryLimits, LocalIdentity } from '@herald/proxy';
import type { ForeignWatcher, Subscription, SubscriptionCaps } from '@herald/store';
import type { StrangerLimits } from './presence-policy.js';
import { watcherDomain } from './watcher-authorization.js';

/**
 * The watcher as the caps on strangers count it: its domain and the address its SUBSCRIBE
 * came from, when the watcher is of a domain Herald does not serve; `null` for a local one.
 */
export function foreignWatcher(watcher: string, source: string, identity: Pick<LocalIdentity, 'isServedDomain'>): ForeignWatcher | null {
  const domain = watcherDomain(watcher);
  return identity.isServedDomain(domain) ? null : { domain, source };
}

/** The caps a new subscription of a watcher of another domain must fit. */
export function strangerCaps(limits: StrangerLimits): SubscriptionCaps {
  return { perResource: limits.maxWatchersPerPresentity, perForeignDomain: limits.maxSubscriptionsPerWatcherDomain, perForeignSource: limits.maxSubscriptionsPerSource };
}

/**
 * The intervals a subscription may be granted: a watcher of another domain waiting for the
 * presentity's approval gets a short one, so that what a stranger left behind goes soon;
 * once approved, its next refresh gets the usual ones.
 * @see RFC 6665 §4.2.1.1 (the notifier may shorten the interval)
 */
export function expiryLimitsFor(sub: Pick<Subscription, 'status' | 'foreign'>, limits: ExpiryLimits, strangers: StrangerLimits): ExpiryLimits {
  if (sub.status !== 'pending' || !sub.foreign) return limits;
  const most = Math.max(limits.minExpires, strangers.maxForeignPendingExpires);
  return { minExpires: limits.minExpires, defaultExpires: Math.min(limits.defaultExpires, most), maxExpires: Math.min(limits.maxExpires, most) };
}
