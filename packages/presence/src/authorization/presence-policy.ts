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
}

/** The watcher defaults of a presentity's domain. */
export function watcherDefaultsFor(policy: Pick<PresencePolicy, 'watchers' | 'domainWatchers'>, domain: string): WatcherDefaults {
  return policy.domainWatchers[domain] ?? policy.watchers;
}
