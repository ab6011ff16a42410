import { intervalTooBrief } from './presence-errors.js';
import type { WatcherDefaults } from './watcher-authorization.js';

/** The operator's presence settings (`presence:` in the configuration). */
export interface PresencePolicy {
  /** Seconds, for a SUBSCRIBE or PUBLISH without Expires. */
  defaultExpires: number;
  /** Seconds; a shorter non-zero interval gets 423 with Min-Expires. */
  minExpires: number;
  /** Seconds; a longer interval is shortened. */
  maxExpires: number;
  /** Changes to one presentity within this many ms of a NOTIFY are merged into one later NOTIFY; 0 sends every change. */
  notifyWindowMs: number;
  /** A presentity that publishes nothing is `open` while registered (else always `closed`). */
  fromRegistration: boolean;
  /** What happens to watchers no rule of the presentity names. */
  watchers: WatcherDefaults;
  /** The same, for presentities of one served domain (lower case). */
  domainWatchers: Readonly<Record<string, WatcherDefaults>>;
}

/** The watcher defaults of a presentity's domain. */
export function watcherDefaultsFor(policy: Pick<PresencePolicy, 'watchers' | 'domainWatchers'>, domain: string): WatcherDefaults {
  return policy.domainWatchers[domain] ?? policy.watchers;
}

/**
 * The interval granted for a subscription or publication: the default when none is asked,
 * 0 for 0, 423 below the minimum, at most the maximum.
 * @see RFC 6665 §4.2.1.1, RFC 3903 §6 step 4
 */
export function grantedExpires(requested: number | undefined, policy: PresencePolicy): number {
  if (requested === undefined) return policy.defaultExpires;
  if (requested === 0) return 0;
  if (requested < policy.minExpires) throw intervalTooBrief(policy.minExpires);
  return Math.min(requested, policy.maxExpires);
}
