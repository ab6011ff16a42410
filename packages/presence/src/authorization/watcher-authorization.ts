import type { PresenceAction, PresenceRule, Subscription } from '@herald/store';
import { watcherBlocked } from '../presence-errors.js';

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

/** The standing an admitted watcher's subscription takes: `confirm` waits (`pending`). @see RFC 5025 §3.2.1 */
export function standingOf(action: Exclude<PresenceAction, 'block'>): SubscriptionStanding {
  return { status: action === 'confirm' ? 'pending' : 'active', polite: action === 'polite-block' };
}

/** How a watcher's SUBSCRIBE stands once decided; 403 when the presentity blocks it. @see RFC 5025 §3.2.1 */
export function admittedStanding(action: PresenceAction): SubscriptionStanding {
  if (action === 'block') throw watcherBlocked();
  return standingOf(action);
}

/** What a decision made later does to a live subscription. @see RFC 3857 §3.2 */
export type StandingChange =
  /** Blocked now: the subscription ends (`rejected`). */
  | { kind: 'end' }
  /** Its status or politeness changes; `approved` marks a pending watcher now allowed (RFC 3858 §4.3). */
  | { kind: 'update'; change: Pick<Subscription, 'status' | 'data'> }
  | { kind: 'unchanged' };

/**
 * A subscription brought in line with the presentity's decision about its watcher, made
 * anew: a blocked watcher is ended, a pending one now allowed gets the state, a politely
 * blocked one is told `closed`.
 * @see RFC 3857 §3.2 (pending → active, → terminated), RFC 5025 §3.2.1
 */
export function standingChange(sub: Pick<Subscription, 'status' | 'data'>, action: PresenceAction): StandingChange {
  if (action === 'block') return { kind: 'end' };
  const { status, polite } = standingOf(action);
  if (status === sub.status && polite === (sub.data.polite === true)) return { kind: 'unchanged' };
  return { kind: 'update', change: { status, data: { ...sub.data, polite, approved: sub.status === 'pending' && status === 'active' } } };
}
