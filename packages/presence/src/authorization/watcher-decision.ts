import type { LocalIdentity } from '@herald/proxy';
import type { PresenceAction, PresenceRuleStore } from '@herald/store';
import { type PresencePolicy, watcherDefaultsFor } from './presence-policy.js';
import { decideWatcher, watcherDomain } from './watcher-authorization.js';

export interface WatcherDecisionOptions {
  rules: Pick<PresenceRuleStore, 'rules'>;
  identity: Pick<LocalIdentity, 'isServedDomain'>;
  policy: Pick<PresencePolicy, 'watchers' | 'domainWatchers'>;
  /** The watcher policy of a peer domain the operator configured (`federation.peers`, `routes:`); `undefined` for another. */
  peerWatchers?(domain: string): PresenceAction | undefined;
}

/**
 * The presentity's decision about the watcher: its rules, else, for a watcher of a
 * configured peer domain, that peer's watcher policy, else its domain's default.
 * @see RFC 3857 §3.2
 */
export async function watcherDecision(resource: string, watcher: string, options: WatcherDecisionOptions): Promise<PresenceAction> {
  const rules = await options.rules.rules(resource);
  const domain = watcherDomain(watcher);
  const local = options.identity.isServedDomain(domain);
  const defaults = watcherDefaultsFor(options.policy, watcherDomain(resource));
  const peer = local ? undefined : options.peerWatchers?.(domain);
  return decideWatcher(rules, resource, watcher, local, peer === undefined ? defaults : { ...defaults, foreign: peer });
}
