import type { PresenceAction, PresenceRule } from '@herald/store';

/** What a presentity's domain does with watchers no rule names. */
export interface WatcherDefaults {
  /** Watchers in a domain Herald serves. */
  local: PresenceAction;
  /** Watchers of any other domain. */
  foreign: PresenceAction;
}

/**
 * The decision about `watcher` (an AoR, `sip:bob@example.net`) subscribing to
 * `presentity`: the presentity's rule for that URI, else its rule for the watcher's
 * domain, else the default for local or foreign watchers. A presentity may always watch
 * itself.
 * @see RFC 3857 §3.2, RFC 5025 §3.2.1 (sub-handling: block, confirm, polite-block, allow)
 */
export function decideWatcher(rules: readonly PresenceRule[], presentity: string, watcher: string, local: boolean, defaults: WatcherDefaults): PresenceAction {
  if (watcher === presentity) return 'allow';
  const exact = rules.find((r) => r.watcher.toLowerCase() === watcher.toLowerCase());
  if (exact !== undefined) return exact.action;
  const domain = watcherDomain(watcher);
  const byDomain = rules.find((r) => r.watcher.toLowerCase() === domain);
  if (byDomain !== undefined) return byDomain.action;
  return local ? defaults.local : defaults.foreign;
}

/** The host of a watcher URI, lower case (`example.net` of `sip:bob@example.net`). */
export function watcherDomain(watcher: string): string {
  const at = watcher.lastIndexOf('@');
  const rest = at < 0 ? watcher.slice(watcher.indexOf(':') + 1) : watcher.slice(at + 1);
  return rest.replace(/[;:>].*$/, '').toLowerCase();
}

/** How a subscription stands once decided (a blocked one does not stand). */
export interface SubscriptionStanding {
  status: 'active' | 'pending';
  /** Polite block: the watcher is told `closed` and nothing else. */
  polite: boolean;
}

export function standingOf(action: Exclude<PresenceAction, 'block'>): SubscriptionStanding {
  return { status: action === 'confirm' ? 'pending' : 'active', polite: action === 'polite-block' };
}
