import { isIP } from 'node:net';
import { DEFAULT_MAX_TRANSACTIONS, DEFAULT_REQUEST_BUDGET, DEFAULT_TIMERS, DEFAULT_TRANSPORT_LIMITS, type RequestBudget, type TransportLimits } from '@herald/stack';
import type { SipConfig } from '../herald-config.js';
import { ConfigError } from '../config-error.js';
import { MAX_TIMER_MS, type Problems, type WholeNumberKey, allRead, expectLine, expectList, readSection, readWholeNumbers } from '../validation-kit.js';

const SIP_KEYS = [
  't1',
  't2',
  't4',
  'maxMessageSize',
  'maxHeaderSize',
  'maxBodySize',
  'maxConnectionsPerSource',
  'maxConnections',
  'idleConnectionTimeout',
  'messageTimeout',
  'maxTransactions',
  'rateLimit',
  'userAgent',
] as const;

const RATE_LIMIT_KEYS = ['requestsPerSecond', 'burst', 'exempt'] as const;

const TIMER: WholeNumberKey = { unit: 'milliseconds', max: MAX_TIMER_MS };
const TIMER_KEYS = { t1: TIMER, t2: TIMER, t4: TIMER } satisfies Record<keyof typeof DEFAULT_TIMERS, WholeNumberKey>;

const BYTES: WholeNumberKey = { unit: 'bytes', max: Number.MAX_SAFE_INTEGER };
const LIMIT_KEYS = {
  maxMessageSize: BYTES,
  maxHeaderSize: BYTES,
  maxBodySize: BYTES,
  maxConnectionsPerSource: { unit: 'connections', max: Number.MAX_SAFE_INTEGER },
  maxConnections: { unit: 'connections', max: Number.MAX_SAFE_INTEGER },
  idleTimeoutMs: { key: 'idleConnectionTimeout', unit: 'seconds', max: Math.floor(MAX_TIMER_MS / 1000), inMs: true },
  messageTimeoutMs: { key: 'messageTimeout', unit: 'seconds', max: Math.floor(MAX_TIMER_MS / 1000), inMs: true },
} satisfies Record<keyof TransportLimits, WholeNumberKey>;

const TRANSACTION_KEYS = { maxTransactions: { unit: 'transactions', max: Number.MAX_SAFE_INTEGER } } satisfies Record<string, WholeNumberKey>;

const BUDGET_KEYS = {
  requestsPerSecond: { unit: 'requests a second', min: 0, max: 1_000_000 },
  burst: { unit: 'requests', max: 1_000_000 },
} satisfies Record<Exclude<keyof RequestBudget, 'exempt'>, WholeNumberKey>;

/** `sip:`, into @herald/stack's timers and transport limits. @see RFC 3261 §17.1.1.1, §17.1.2.2 */
export function readSip(value: unknown, problems: Problems): SipConfig | undefined {
  const map = readSection('sip', value, SIP_KEYS, problems);
  if (map === undefined) return undefined;
  const timers = readWholeNumbers('sip', map, TIMER_KEYS, DEFAULT_TIMERS, problems);
  const limits = readWholeNumbers('sip', map, LIMIT_KEYS, DEFAULT_TRANSPORT_LIMITS, problems);
  // As in resolveLimits: the body may fill whatever message size is set.
  if (map.maxBodySize == null) limits.maxBodySize = limits.maxMessageSize;
  const userAgent = problems.check(() => expectLine('sip.userAgent', map.userAgent ?? 'Herald'));
  const { maxTransactions } = readWholeNumbers('sip', map, TRANSACTION_KEYS, { maxTransactions: DEFAULT_MAX_TRANSACTIONS }, problems);
  const requestBudget = readRateLimit(map.rateLimit, problems);

  const { t1, t2 } = timers;
  // resolveTimers' rule: T2 equal to T1 retransmits at a steady interval, below it would shorten Timers E and G.
  if (t1 !== undefined && t2 !== undefined && t2 < t1) {
    problems.add('sip.t2', `${t2} is less than sip.t1 (${t1}): retransmit intervals start at T1 and double up to T2 (RFC 3261 §17.1.2.2); raise sip.t2 or lower sip.t1`);
  }
  const { maxMessageSize } = limits;
  if (maxMessageSize !== undefined) {
    for (const name of ['maxHeaderSize', 'maxBodySize'] as const) {
      const size = limits[name];
      if (size !== undefined && size > maxMessageSize) {
        problems.add(`sip.${name}`, `${size} is larger than sip.maxMessageSize (${maxMessageSize}), which bounds the whole message; lower it or raise sip.maxMessageSize`);
      }
    }
  }
  return allRead({ timers: allRead(timers), limits: allRead(limits), maxTransactions, requestBudget, userAgent });
}

/** `sip.rateLimit`: the per-source request budget (Kamailio's pike, in effect). */
function readRateLimit(value: unknown, problems: Problems): RequestBudget | undefined {
  const map = readSection('sip.rateLimit', value, RATE_LIMIT_KEYS, problems);
  if (map === undefined) return undefined;
  const numbers = readWholeNumbers('sip.rateLimit', map, BUDGET_KEYS, DEFAULT_REQUEST_BUDGET, problems);
  const exempt = problems.check(() => expectAddresses('sip.rateLimit.exempt', map.exempt ?? []));
  return allRead({ ...numbers, exempt });
}

function expectAddresses(key: string, value: unknown): string[] {
  const list = expectList(key, value, '["192.0.2.10", "2001:db8::5"]');
  return list.map((entry, i) => {
    if (typeof entry !== 'string' || isIP(entry) === 0) {
      throw new ConfigError(`${key}[${i}]`, `expected an IP address, got ${JSON.stringify(entry)}; list the addresses of peer proxies and gateways, e.g. "192.0.2.10"`);
    }
    return entry;
  });
}
