import type { LocalIdentity } from '@herald/proxy';
import type { PresenceAction, PresenceRuleStore } from '@herald/store';
import { type PresencePolicy, watcherDefaultsFor } from './presence-policy.js';
import { decideWatcher, watcherDomain } from './watcher-authorization.js';

export interface WatcherDecisionOptions {
  rules: Pick<PresenceRuleStore, 'rules'>;
  identity: Pick<LocalIdentity, 'isServedDomain'>;
  policy: Pick<PresencePolicy, 'watchers' | 'domainWatchers'>;
}

/** The presentity's decision about the watcher: its rules, else its domain's default. @see RFC 3857 §3.2 */
export async function watcherDecision(resource: string, watcher: string, options: WatcherDecisionOptions): Promise<PresenceAction> {
  const rules = await options.rules.rules(resource);
  const local = options.identity.isServedDomain(watcherDomain(watcher));
  return decideWatcher(rules, resource, watcher, local, watcherDefaultsFor(options.policy, watcherDomain(resource)));
}
