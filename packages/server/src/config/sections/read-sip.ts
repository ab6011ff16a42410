import { DEFAULT_TIMERS, DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from '@herald/stack';
import type { SipConfig } from '../herald-config.js';
import { MAX_TIMER_MS, type Problems, type WholeNumberKey, allRead, expectLine, readSection, readWholeNumbers } from '../validation-kit.js';

const SIP_KEYS = [
  't1',
  't2',
  't4',
  'maxMessageSize',
  'maxHeaderSize',
  'maxBodySize',
  'maxConnectionsPerSource',
  'idleConnectionTimeout',
  'userAgent',
] as const;

const TIMER: WholeNumberKey = { unit: 'milliseconds', max: MAX_TIMER_MS };
const TIMER_KEYS = { t1: TIMER, t2: TIMER, t4: TIMER } satisfies Record<keyof typeof DEFAULT_TIMERS, WholeNumberKey>;

const BYTES: WholeNumberKey = { unit: 'bytes', max: Number.MAX_SAFE_INTEGER };
const LIMIT_KEYS = {
  maxMessageSize: BYTES,
  maxHeaderSize: BYTES,
  maxBodySize: BYTES,
  maxConnectionsPerSource: { unit: 'connections', max: Number.MAX_SAFE_INTEGER },
  idleTimeoutMs: { key: 'idleConnectionTimeout', unit: 'seconds', max: Math.floor(MAX_TIMER_MS / 1000), inMs: true },
} satisfies Record<keyof TransportLimits, WholeNumberKey>;

/** `sip:`, into @herald/stack's timers and transport limits. @see RFC 3261 §17.1.1.1, §17.1.2.2 */
export function readSip(value: unknown, problems: Problems): SipConfig | undefined {
  const map = readSection('sip', value, SIP_KEYS, problems);
  if (map === undefined) return undefined;
  const timers = readWholeNumbers('sip', map, TIMER_KEYS, DEFAULT_TIMERS, problems);
  const limits = readWholeNumbers('sip', map, LIMIT_KEYS, DEFAULT_TRANSPORT_LIMITS, problems);
  // As in resolveLimits: the body may fill whatever message size is set.
  if (map.maxBodySize == null) limits.maxBodySize = limits.maxMessageSize;
  const userAgent = problems.check(() => expectLine('sip.userAgent', map.userAgent ?? 'Herald'));

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
  return allRead({ timers: allRead(timers), limits: allRead(limits), userAgent });
}
