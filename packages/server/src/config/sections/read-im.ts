import type { ImConfig, SipConfig } from '../herald-config.js';
import { MAX_TIMER_MS, type Problems, checkKeys, expectInteger, expectMap } from '../validation-kit.js';

const IM_KEYS = ['maxBodySize', 'udpMessageLimit', 'storeFor', 'maxStoredPerUser'] as const;

export function readIm(value: unknown, sip: SipConfig | undefined, problems: Problems): ImConfig | undefined {
  const map = problems.check(() => expectMap('im', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('im', map, IM_KEYS, problems);
  const integer = (name: (typeof IM_KEYS)[number], fallback: number, unit: string, max = 4294967295) => problems.check(() => expectInteger(`im.${name}`, map[name] ?? fallback, unit, max));
  const transportLimit = sip?.maxBodySize ?? 65535;
  const maxBodySize = integer('maxBodySize', Math.min(65535, transportLimit), 'bytes');
  const udpMessageLimit = integer('udpMessageLimit', 1300, 'bytes', 65535);
  const storeFor = integer('storeFor', 7 * 86400, 'seconds', Math.floor(MAX_TIMER_MS / 1000) * 1000);
  const maxStoredPerUser = integer('maxStoredPerUser', 1000, 'messages');
  if (maxBodySize === undefined || udpMessageLimit === undefined || storeFor === undefined || maxStoredPerUser === undefined) return undefined;
  if (maxBodySize > transportLimit) {
    problems.add('im.maxBodySize', `${maxBodySize} is larger than sip.maxBodySize (${transportLimit}), which drops larger bodies first; lower it or raise sip.maxBodySize`);
    return undefined;
  }
  return { maxBodySize, udpMessageLimit, storeFor, maxStoredPerUser };
}
