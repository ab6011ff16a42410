import type { ExpiryLimits } from '@herald/proxy';
import type { WatcherDefaults } from './watcher-authorization.js';

/** The operator's presence settings (`presence:` in the configuration); intervals in seconds, for a SUBSCRIBE or PUBLISH. */
export interface PresencePolicy extends ExpiryLimits {
  /** Changes to one presentity within this many ms of a NOTIFY are merged into one later NOTIFY; 0 sends every change. */
  notifyWindowMs: number;
  /** A presentity that publishes nothing is `open` while registered (else always `closed`). */
  fromRegistration: boolean;
  /** What happens to watchers no rule of the presentity names. */
  watchers: WatcherDefaults;
  /** The same, for presentities of one served domain (lower case). */
  domainWatchers: Readonly<Record<string, WatcherDefaults>>;
  /** Caps on what watchers of other domains make Herald keep, and the interval they wait with. */
  strangers: StrangerLimits;
}

/**
 * What watchers of other domains (who do not authenticate) may make Herald keep: a new
 * subscription past a cap is refused (503 with Retry-After), and one waiting for the
 * presentity's approval is granted a short interval.
 */
export interface StrangerLimits {
  /** A watcher of another domain is refused once the presentity has this many watchers (its local watchers never are). */
  maxWatchersPerPresentity: number;
  /** Live subscriptions of the watchers of one other domain, to all presentities. */
  maxSubscriptionsPerWatcherDomain: number;
  /** Live subscriptions of watchers of other domains made from one source address. */
  maxSubscriptionsPerSource: number;
  /** The longest interval, in seconds, granted to a watcher of another domain while it is pending. */
  maxForeignPendingExpires: number;
}

export const DEFAULT_PRESENCE_POLICY: Readonly<PresencePolicy> = Object.freeze({
  // RFC 3856 §6.4: an hour when the SUBSCRIBE asks for nothing.
  defaultExpires: 3600,
  minExpires: 60,
  maxExpires: 7200,
  // RFC 3856 §6.10 recommends at most one notification per presentity every 5 seconds.
  notifyWindowMs: 5000,
  fromRegistration: true,
  // Another organisation's users wait until the presentity approves them.
  watchers: Object.freeze({ local: 'allow', foreign: 'confirm' }),
  domainWatchers: Object.freeze({}),
  strangers: Object.freeze({
    maxWatchersPerPresentity: 1000,
    maxSubscriptionsPerWatcherDomain: 1000,
    // A peer domain's proxy is one source for all its users: raise it for a large peer.
    maxSubscriptionsPerSource: 500,
    maxForeignPendingExpires: 600,
  }),
});

/** The watcher defaults of a presentity's domain. */
export function watcherDefaultsFor(policy: Pick<PresencePolicy, 'watchers' | 'domainWatchers'>, domain: string): WatcherDefaults {
  return policy.domainWatchers[domain] ?? policy.watchers;
}
