import { DEFAULT_PRESENCE_POLICY, type PresencePolicy, type StrangerLimits } from '@herald/presence';
import type { PresenceAction } from '@herald/store';
import { type Problems, UINT32_MAX, type WholeNumberKey, allRead, expectBoolean, expectOneOf, readMapList, readSection, readWholeNumbers } from '../validation-kit.js';
import { expectServedDomain } from './read-domains.js';
import { readExpiryLimits } from './read-expiry-limits.js';

const PRESENCE_KEYS = [
  'defaultExpires',
  'minExpires',
  'maxExpires',
  'notifyWindow',
  'fromRegistration',
  'localWatchers',
  'foreignWatchers',
  'domains',
  'maxWatchersPerPresentity',
  'maxSubscriptionsPerWatcherDomain',
  'maxSubscriptionsPerSource',
  'maxForeignPendingExpires',
] as const;

const PRESENCE_DOMAIN_KEYS = ['domain', 'localWatchers', 'foreignWatchers'] as const;

/** @see RFC 5025 §3.2.1 */
const WATCHER_ACTIONS: readonly PresenceAction[] = ['allow', 'block', 'polite-block', 'confirm'];

const NOTIFY_WINDOW = { notifyWindowMs: { key: 'notifyWindow', unit: 'seconds', min: 0, max: 3600, inMs: true } };

const SUBSCRIPTIONS: WholeNumberKey = { unit: 'subscriptions', max: UINT32_MAX };
const STRANGER_KEYS = {
  maxWatchersPerPresentity: { unit: 'watchers', max: UINT32_MAX },
  maxSubscriptionsPerWatcherDomain: SUBSCRIPTIONS,
  maxSubscriptionsPerSource: SUBSCRIPTIONS,
  maxForeignPendingExpires: { unit: 'seconds', max: UINT32_MAX },
} satisfies Record<keyof StrangerLimits, WholeNumberKey>;

/**
 * `presence:`, into @herald/presence's policy: intervals for SUBSCRIBE and PUBLISH, and what
 * happens to watchers no rule names, for all presentities and per served domain.
 * @see RFC 3856, RFC 3903
 */
export function readPresence(value: unknown, domains: readonly string[], problems: Problems): PresencePolicy | undefined {
  const map = readSection('presence', value, PRESENCE_KEYS, problems);
  if (map === undefined) return undefined;
  const defaults = DEFAULT_PRESENCE_POLICY;
  const expiry = readExpiryLimits('presence', map, defaults, problems);
  const { notifyWindowMs } = readWholeNumbers('presence', map, NOTIFY_WINDOW, defaults, problems);
  const fromRegistration = problems.check(() => expectBoolean('presence.fromRegistration', map.fromRegistration ?? defaults.fromRegistration));
  const local = problems.check(() => expectOneOf('presence.localWatchers', map.localWatchers ?? defaults.watchers.local, WATCHER_ACTIONS));
  const foreign = problems.check(() => expectOneOf('presence.foreignWatchers', map.foreignWatchers ?? defaults.watchers.foreign, WATCHER_ACTIONS));
  const perDomain = readMapList('presence.domains', map.domains, '{ domain: example.com, foreignWatchers: block }', PRESENCE_DOMAIN_KEYS, problems, (key, entry) => {
    const domain = problems.check(() => expectServedDomain(`${key}.domain`, entry.domain, domains));
    const watchers = allRead({
      local: problems.check(() => expectOneOf(`${key}.localWatchers`, entry.localWatchers ?? local ?? defaults.watchers.local, WATCHER_ACTIONS)),
      foreign: problems.check(() => expectOneOf(`${key}.foreignWatchers`, entry.foreignWatchers ?? foreign ?? defaults.watchers.foreign, WATCHER_ACTIONS)),
    });
    return domain === undefined || watchers === undefined ? undefined : ([domain, watchers] as const);
  });
  const strangers = readStrangerLimits(map, expiry, problems);
  const read = allRead({ expiry, notifyWindowMs, fromRegistration, watchers: allRead({ local, foreign }), perDomain, strangers });
  if (read === undefined) return undefined;
  return {
    ...read.expiry,
    notifyWindowMs: read.notifyWindowMs,
    fromRegistration: read.fromRegistration,
    watchers: read.watchers,
    domainWatchers: Object.fromEntries(read.perDomain),
    strangers: read.strangers,
  };
}

/** The caps on watchers of other domains, and their interval while pending, which cannot be below `minExpires`. */
function readStrangerLimits(map: Record<string, unknown>, expiry: { minExpires: number } | undefined, problems: Problems): StrangerLimits | undefined {
  const limits = allRead(readWholeNumbers('presence', map, STRANGER_KEYS, DEFAULT_PRESENCE_POLICY.strangers, problems));
  if (limits === undefined || expiry === undefined) return undefined;
  if (limits.maxForeignPendingExpires < expiry.minExpires) {
    problems.add('presence.maxForeignPendingExpires', `${limits.maxForeignPendingExpires} is less than presence.minExpires (${expiry.minExpires}); raise it or lower presence.minExpires`);
    return undefined;
  }
  return limits;
}
