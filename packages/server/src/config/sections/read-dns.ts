import { DEFAULT_FAILED_TARGET_MS, DNS_CLIENT_DEFAULTS } from '@herald/stack';
import type { DnsConfig } from '../herald-config.js';
import { ConfigError } from '../config-error.js';
import { expectDnsServer } from '../host-port.js';
import { type Problems, type WholeNumberKey, allRead, expectList, readSection, readWholeNumbers } from '../validation-kit.js';

const DNS_KEYS = ['servers', 'timeout', 'attempts', 'cacheMaxTtl', 'negativeTtlMax', 'cacheSize', 'failedTargetTime'] as const;

/** RFC 2181 §8: a TTL is at most 2^31 - 1 seconds. */
const TTL: WholeNumberKey = { unit: 'seconds', min: 0, max: 2 ** 31 - 1 };
const NUMBER_KEYS = {
  attempts: { unit: 'rounds over the server list', max: 10 },
  cacheMaxTtl: TTL,
  negativeTtlMax: TTL,
  cacheSize: { unit: 'questions', max: 10_000_000 },
} satisfies Record<string, WholeNumberKey>;

/** RFC 3263 §4.3: how long a destination that failed is tried last; 0 never puts it last. */
const FAILED_TARGET = { failedTargetMs: { key: 'failedTargetTime', unit: 'seconds', min: 0, max: 86_400, inMs: true } } satisfies Record<string, WholeNumberKey>;

/** Longest wait for one try, seconds: beyond this a SIP transaction (Timer B/F, 32 s) is long over. */
const MAX_TIMEOUT_S = 30;

/** `dns:`, into @herald/stack's DnsClient and SipResolver options. @see RFC 1035 §7, RFC 2308 §5, RFC 3263 §4.3 */
export function readDns(value: unknown, problems: Problems): DnsConfig | undefined {
  const map = readSection('dns', value, DNS_KEYS, problems);
  if (map === undefined) return undefined;
  const servers = problems.check(() => expectServers(map.servers ?? []));
  const timeoutMs = problems.check(() => expectTimeout(map.timeout ?? DNS_CLIENT_DEFAULTS.timeoutMs / 1000));
  const numbers = readWholeNumbers('dns', map, NUMBER_KEYS, DNS_CLIENT_DEFAULTS, problems);
  const { failedTargetMs } = readWholeNumbers('dns', map, FAILED_TARGET, { failedTargetMs: DEFAULT_FAILED_TARGET_MS }, problems);
  return allRead({ servers, timeoutMs, ...numbers, failedTargetMs });
}

/** The servers as written: the DNS client takes them as text. */
function expectServers(value: unknown): string[] {
  return expectList('dns.servers', value, '"127.0.0.1:53", "[2001:db8::53]:53"').map((entry, i) => {
    expectDnsServer(`dns.servers[${i}]`, entry);
    return entry as string;
  });
}

/** Seconds, fractions allowed (`0.5`), held in ms. */
function expectTimeout(value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0.01 && value <= MAX_TIMEOUT_S)) {
    const got = typeof value === 'number' ? String(value) : JSON.stringify(value);
    throw new ConfigError('dns.timeout', `expected seconds from 0.01 to ${MAX_TIMEOUT_S}, got ${got}; dns.timeout is in seconds per try, e.g. timeout: 2 (or 0.5)`);
  }
  return Math.round(value * 1000);
}
