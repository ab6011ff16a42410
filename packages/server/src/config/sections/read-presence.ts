import type { PresenceConfig, WatcherAction } from '../herald-config.js';
import { type Problems, checkKeys, expectBoolean, expectInteger, expectMap, expectOneOf, readMapList } from '../validation-kit.js';
import { expectServedDomain } from './read-domains.js';
import { readIntervals } from './read-expiry-limits.js';

const PRESENCE_KEYS = ['defaultExpires', 'minExpires', 'maxExpires', 'notifyWindow', 'fromRegistration', 'localWatchers', 'foreignWatchers', 'domains'] as const;

const PRESENCE_DOMAIN_KEYS = ['domain', 'localWatchers', 'foreignWatchers'] as const;

const WATCHER_ACTIONS: readonly WatcherAction[] = ['allow', 'block', 'polite-block', 'confirm'];

export function readPresence(value: unknown, domains: readonly string[], problems: Problems): PresenceConfig | undefined {
  const map = problems.check(() => expectMap('presence', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('presence', map, PRESENCE_KEYS, problems);
  // RFC 3856 §6.4: an hour when the SUBSCRIBE asks for nothing.
  const intervals = readIntervals('presence', map, { defaultExpires: 3600, minExpires: 60, maxExpires: 7200 }, problems);
  // RFC 3856 §6.10 recommends at most one notification per presentity every 5 seconds.
  const notifyWindow = problems.check(() => expectInteger('presence.notifyWindow', map.notifyWindow ?? 5, 'seconds', 3600, 0));
  const fromRegistration = problems.check(() => expectBoolean('presence.fromRegistration', map.fromRegistration ?? true));
  const localWatchers = problems.check(() => expectOneOf('presence.localWatchers', map.localWatchers ?? 'allow', WATCHER_ACTIONS));
  // Another organisation's users wait until the presentity approves them.
  const foreignWatchers = problems.check(() => expectOneOf('presence.foreignWatchers', map.foreignWatchers ?? 'confirm', WATCHER_ACTIONS));
  const perDomain = readMapList('presence.domains', map.domains, '{ domain: example.com, foreignWatchers: block }', PRESENCE_DOMAIN_KEYS, problems, (key, entry) => {
    const domain = problems.check(() => expectServedDomain(`${key}.domain`, entry.domain, domains));
    const local = problems.check(() => expectOneOf(`${key}.localWatchers`, entry.localWatchers ?? localWatchers ?? 'allow', WATCHER_ACTIONS));
    const foreign = problems.check(() => expectOneOf(`${key}.foreignWatchers`, entry.foreignWatchers ?? foreignWatchers ?? 'confirm', WATCHER_ACTIONS));
    return domain === undefined || local === undefined || foreign === undefined ? undefined : { domain, localWatchers: local, foreignWatchers: foreign };
  });
  if (intervals === undefined || notifyWindow === undefined || fromRegistration === undefined || localWatchers === undefined || foreignWatchers === undefined || perDomain === undefined) {
    return undefined;
  }
  return { ...intervals, notifyWindow, fromRegistration, localWatchers, foreignWatchers, domains: perDomain };
}
