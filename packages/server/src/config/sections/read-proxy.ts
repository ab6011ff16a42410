import type { ProxyConfig } from '../herald-config.js';
import { MAX_TIMER_MS, type Problems, checkKeys, expectInteger, expectMap } from '../validation-kit.js';

const PROXY_KEYS = ['inviteTimeout'] as const;

export function readProxy(value: unknown, problems: Problems): ProxyConfig | undefined {
  const map = problems.check(() => expectMap('proxy', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('proxy', map, PROXY_KEYS, problems);
  // RFC 3261 §16.6 step 11: Timer C is more than 3 minutes unless an operator chooses otherwise.
  const inviteTimeout = problems.check(() => expectInteger('proxy.inviteTimeout', map.inviteTimeout ?? 181, 'seconds', Math.floor(MAX_TIMER_MS / 1000)));
  return inviteTimeout === undefined ? undefined : { inviteTimeout };
}
