import type { Flow } from '@herald/proxy';
import type { GroupStore, PresenceRuleStore, SubscriptionCap, SubscriptionStore } from '@herald/store';
import type { PresencePolicy } from '../authorization/presence-policy.js';
import type { RemoteMembers } from '../lists/remote-members.js';
import type { Notifier } from '../notifier/notifier.js';
import type { PresentityLookup } from '../presentity.js';
import type { PresenceExternalIds } from './present-to-watcher.js';

/** What the SUBSCRIBE processors need. */
export interface SubscriptionServiceOptions extends PresentityLookup {
  subscriptions: SubscriptionStore;
  rules: Pick<PresenceRuleStore, 'rules'>;
  /** Stored resource lists (server-side buddy lists). */
  groups: Pick<GroupStore, 'get'>;
  notifier: Pick<Notifier, 'notifyWritten' | 'watchersChanged' | 'ended'>;
  /** List members in other domains. */
  remote: Pick<RemoteMembers, 'member' | 'subscribe'>;
  policy: PresencePolicy;
  /** Herald's Contact on a transport. */
  contact(transport: Flow['transport']): string;
  clock: { now(): number };
  /** A watcher of another domain was refused by a cap (for the operator's metrics). */
  capReached?(cap: SubscriptionCap): void;
  /** ID conversion: watchers in a `convertIds` community see presentities by their external form. */
  externalIds?: PresenceExternalIds;
}
