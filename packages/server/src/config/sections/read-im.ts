import { DEFAULT_IM_POLICY, type ImPolicy } from '@herald/im';
import { DEFAULT_TRANSPORT_LIMITS, type TransportLimits } from '@herald/stack';
import { MAX_TIMER_MS, type Problems, UINT32_MAX, type WholeNumberKey, allRead, readSection, readWholeNumbers } from '../validation-kit.js';

const IM_KEYS = ['maxBodySize', 'udpMessageLimit', 'storeFor', 'maxStoredPerUser', 'maxStoredPerSender', 'maxStoredPerForeignDomain'] as const;

const IM_NUMBER_KEYS = {
  maxBodySize: { unit: 'bytes', max: UINT32_MAX },
  udpMessageLimit: { unit: 'bytes', max: 65535 },
  storeForMs: { key: 'storeFor', unit: 'seconds', max: Math.floor(MAX_TIMER_MS / 1000) * 1000, inMs: true },
  maxStoredPerUser: { unit: 'messages', max: UINT32_MAX },
  maxStoredPerSender: { unit: 'messages', max: UINT32_MAX },
  maxStoredPerForeignDomain: { unit: 'messages', max: UINT32_MAX },
} satisfies Record<keyof ImPolicy, WholeNumberKey>;

/** `im:`, into @herald/im's policy; the body limit stays within what the transport takes. @see RFC 3428 */
export function readIm(value: unknown, transport: TransportLimits | undefined, problems: Problems): ImPolicy | undefined {
  const map = readSection('im', value, IM_KEYS, problems);
  if (map === undefined) return undefined;
  const transportLimit = transport?.maxBodySize ?? DEFAULT_TRANSPORT_LIMITS.maxBodySize;
  const defaults = { ...DEFAULT_IM_POLICY, maxBodySize: Math.min(DEFAULT_IM_POLICY.maxBodySize, transportLimit) };
  const policy = allRead(readWholeNumbers('im', map, IM_NUMBER_KEYS, defaults, problems));
  if (policy === undefined) return undefined;
  if (policy.maxBodySize > transportLimit) {
    problems.add('im.maxBodySize', `${policy.maxBodySize} is larger than sip.maxBodySize (${transportLimit}), which drops larger bodies first; lower it or raise sip.maxBodySize`);
    return undefined;
  }
  return policy;
}
