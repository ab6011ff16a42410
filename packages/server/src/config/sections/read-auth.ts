import { DEFAULT_DIGEST_POLICY, type DigestLimits } from '@herald/auth';
import type { DigestAlgorithm } from '@herald/sip';
import { ConfigError } from '../config-error.js';
import type { AuthConfig } from '../herald-config.js';
import {
  type Problems,
  type WholeNumberKey,
  allRead,
  expectBoolean,
  expectLine,
  expectList,
  expectOneOf,
  expectSecret,
  readSection,
  readWholeNumbers,
} from '../validation-kit.js';

const AUTH_KEYS = ['enabled', 'secret', 'nonceLifetime', 'algorithms', 'checkDigestUri', 'md5OnlyUserAgents', 'maxFailuresPerSource', 'maxFailuresPerUser', 'failureWindow'] as const;

const AUTH_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

const NONCE_KEYS = {
  nonceLifetimeMs: { key: 'nonceLifetime', unit: 'seconds', max: Number.MAX_SAFE_INTEGER, inMs: true },
} satisfies Record<string, WholeNumberKey>;

const LIMIT_KEYS = {
  maxFailuresPerSource: { unit: 'failures', max: Number.MAX_SAFE_INTEGER },
  maxFailuresPerUser: { unit: 'failures', max: Number.MAX_SAFE_INTEGER },
  windowMs: { key: 'failureWindow', unit: 'seconds', max: Number.MAX_SAFE_INTEGER, inMs: true },
} satisfies Partial<Record<keyof DigestLimits, WholeNumberKey>>;

/** `auth:`, into @herald/auth's digest policy. @see RFC 3261 §22, RFC 7616 */
export function readAuth(value: unknown, problems: Problems): AuthConfig | undefined {
  const map = readSection('auth', value, AUTH_KEYS, problems);
  if (map === undefined) return undefined;
  const defaults = DEFAULT_DIGEST_POLICY;
  const enabled = problems.check(() => expectBoolean('auth.enabled', map.enabled ?? true));
  const secret = map.secret == null ? undefined : problems.check(() => expectSecret('auth.secret', map.secret));
  const { nonceLifetimeMs } = readWholeNumbers('auth', map, NONCE_KEYS, defaults, problems);
  const algorithms = problems.check(() => readAlgorithms(map.algorithms ?? defaults.algorithms));
  const checkDigestUri = problems.check(() => expectBoolean('auth.checkDigestUri', map.checkDigestUri ?? defaults.checkDigestUri));
  const md5OnlyUserAgents = problems.check(() => expectList('auth.md5OnlyUserAgents', map.md5OnlyUserAgents ?? defaults.md5OnlyUserAgents, '"SIP.js", "JsSIP"').map((v, i) => expectLine(`auth.md5OnlyUserAgents[${i}]`, v)));
  const limits = allRead(readWholeNumbers('auth', map, LIMIT_KEYS, defaults.limits, problems));
  const read = allRead({ enabled, nonceLifetimeMs, algorithms, checkDigestUri, md5OnlyUserAgents, limits });
  if (read === undefined || (map.secret != null && secret === undefined)) return undefined;
  return { ...read, ...(secret !== undefined && { secret }), limits: { ...defaults.limits, ...read.limits } };
}

function readAlgorithms(value: unknown): DigestAlgorithm[] {
  const list = expectList('auth.algorithms', value, 'SHA-256, MD5');
  if (list.length === 0) throw new ConfigError('auth.algorithms', 'is empty; list SHA-256, MD5 or both');
  const out = list.map((a, i) => expectOneOf(`auth.algorithms[${i}]`, typeof a === 'string' ? a.toUpperCase() : a, AUTH_ALGORITHMS));
  return [...new Set(out)];
}
