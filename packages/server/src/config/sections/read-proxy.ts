import { DEFAULT_INVITE_TIMEOUT_MS } from '@herald/proxy';
import type { ProxyConfig } from '../herald-config.js';
import { MAX_TIMER_MS, type Problems, allRead, readSection, readWholeNumbers } from '../validation-kit.js';

const PROXY_KEYS = ['inviteTimeout'] as const;

const TIMER_C = { inviteTimeoutMs: { key: 'inviteTimeout', unit: 'seconds', max: Math.floor(MAX_TIMER_MS / 1000), inMs: true } };

/** `proxy:`, into @herald/proxy's Timer C. @see RFC 3261 §16.6 step 11 */
export function readProxy(value: unknown, problems: Problems): ProxyConfig | undefined {
  const map = readSection('proxy', value, PROXY_KEYS, problems);
  if (map === undefined) return undefined;
  return allRead(readWholeNumbers('proxy', map, TIMER_C, { inviteTimeoutMs: DEFAULT_INVITE_TIMEOUT_MS }, problems));
}
