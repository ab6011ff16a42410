import type { SipConfig } from '../herald-config.js';
import { MAX_TIMER_MS, type Problems, checkKeys, expectInteger, expectLine, expectMap } from '../validation-kit.js';

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

export function readSip(value: unknown, problems: Problems): SipConfig | undefined {
  const map = problems.check(() => expectMap('sip', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('sip', map, SIP_KEYS, problems);
  const integer = (name: (typeof SIP_KEYS)[number], fallback: number, unit: string, max = Number.MAX_SAFE_INTEGER) =>
    problems.check(() => expectInteger(`sip.${name}`, map[name] ?? fallback, unit, max));

  const t1 = integer('t1', 500, 'milliseconds', MAX_TIMER_MS);
  const t2 = integer('t2', 4000, 'milliseconds', MAX_TIMER_MS);
  const t4 = integer('t4', 5000, 'milliseconds', MAX_TIMER_MS);
  const maxMessageSize = integer('maxMessageSize', 65535, 'bytes');
  const maxHeaderSize = integer('maxHeaderSize', 16384, 'bytes');
  const maxBodySize = map.maxBodySize == null ? maxMessageSize : integer('maxBodySize', 0, 'bytes');
  const maxConnectionsPerSource = integer('maxConnectionsPerSource', 64, 'connections');
  const idleConnectionTimeout = integer('idleConnectionTimeout', 600, 'seconds', Math.floor(MAX_TIMER_MS / 1000));
  const userAgent = problems.check(() => expectLine('sip.userAgent', map.userAgent ?? 'Herald'));

  if (t1 !== undefined && t2 !== undefined && t2 <= t1) {
    problems.add('sip.t2', `${t2} is not greater than sip.t1 (${t1}): retransmit intervals start at T1 and double up to T2 (RFC 3261 §17.1.2.2); raise sip.t2 or lower sip.t1`);
  }
  if (maxMessageSize !== undefined) {
    for (const [name, size] of [['maxHeaderSize', maxHeaderSize], ['maxBodySize', maxBodySize]] as const) {
      if (size !== undefined && size > maxMessageSize) {
        problems.add(`sip.${name}`, `${size} is larger than sip.maxMessageSize (${maxMessageSize}), which bounds the whole message; lower it or raise sip.maxMessageSize`);
      }
    }
  }
  if (
    t1 === undefined ||
    t2 === undefined ||
    t4 === undefined ||
    maxMessageSize === undefined ||
    maxHeaderSize === undefined ||
    maxBodySize === undefined ||
    maxConnectionsPerSource === undefined ||
    idleConnectionTimeout === undefined ||
    userAgent === undefined
  ) {
    return undefined;
  }
  return { t1, t2, t4, maxMessageSize, maxHeaderSize, maxBodySize, maxConnectionsPerSource, idleConnectionTimeout, userAgent };
}
