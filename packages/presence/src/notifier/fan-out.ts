import type { Subscription } from '@herald/store';
import { listOf } from '../lists/list-subscription.js';

/** Who a change to a resource is told to: its own watchers, and the lists holding it as a member. */
export interface FanOut {
  direct: Subscription[];
  /** List subscription id → its member subscriptions to the resource. */
  lists: Map<string, Subscription[]>;
}

/**
 * The live subscriptions to a resource, by who gets the NOTIFY: a watcher of the resource
 * gets its own; a list member's change goes to the list's watcher, in one partial list
 * NOTIFY per list. A terminated member (refused in another domain) is told nothing, nor
 * is a pending watcher: it learns nothing of the presentity's state until it is approved,
 * so a change gives it nothing new to be told (the approval itself sends its NOTIFY).
 * @see RFC 6665 §4.2.2, RFC 3857 §3.2, RFC 4662 §5.2
 */
export function fanOut(watchers: readonly Subscription[]): FanOut {
  const direct: Subscription[] = [];
  const lists = new Map<string, Subscription[]>();
  for (const s of watchers) {
    if (s.status !== 'active') continue;
    const parent = listOf(s);
    if (parent === null) direct.push(s);
    else {
      let members = lists.get(parent);
      if (members === undefined) lists.set(parent, (members = []));
      members.push(s);
    }
  }
  return { direct, lists };
}
