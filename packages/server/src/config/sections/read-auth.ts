import { DEFAULT_DIGEST_POLICY, type DigestLimits } from '@herald/auth';
import type { DigestAlgorithm } from '@herald/sip';
import { ConfigError } from '../config-error.js';
import { expectServedDomain } from './read-domains.js';
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

const AUTH_KEYS = [
  'enabled',
  'secret',
  'nonceLifetime',
  'algorithms',
  'checkDigestUri',
  'sha256UserAgents',
  'sha256Domains',
  'md5OnlyUserAgents',
  'maxFailuresPerSource',
  'maxFailuresPerUser',
  'failureWindow',
] as const;

const AUTH_ALGORITHMS: readonly DigestAlgorithm[] = ['SHA-256', 'MD5'];

const NONCE_KEYS = {
  nonceLifetimeMs: { key: 'nonceLifetime', unit: 'seconds', max: Number.MAX_SAFE_INTEGER, inMs: true },
} satisfies Record<string, WholeNumberKey>;

const LIMIT_KEYS = {
  maxFailuresPerSource: { unit: 'failures', max: Number.MAX_SAFE_INTEGER },
  maxFailuresPerUser: { unit: 'failures', max: Number.MAX_SAFE_INTEGER },
  windowMs: { key: 'failureWindow', unit: 'seconds', max: Number.MAX_SAFE_INTEGER, inMs: true },
} satisfies Partial<Record<keyof DigestLimits, WholeNumberKey>>;

/** `auth:`, into @herald/auth's digest policy; `sha256Domains` are among the served `domains`. @see RFC 3261 §22, RFC 7616, RFC 8760 */
export function readAuth(value: unknown, domains: readonly string[], problems: Problems): AuthConfig | undefined {
  const map = readSection('auth', value, AUTH_KEYS, problems);
  if (map === undefined) return undefined;
  const defaults = DEFAULT_DIGEST_POLICY;
  const enabled = problems.check(() => expectBoolean('auth.enabled', map.enabled ?? true));
  const secret = map.secret == null ? undefined : problems.check(() => expectSecret('auth.secret', map.secret));
  const { nonceLifetimeMs } = readWholeNumbers('auth', map, NONCE_KEYS, defaults, problems);
  const algorithms = problems.check(() => readAlgorithms(map.algorithms ?? defaults.algorithms));
  const checkDigestUri = problems.check(() => expectBoolean('auth.checkDigestUri', map.checkDigestUri ?? defaults.checkDigestUri));
  const sha256UserAgents = problems.check(() => readUserAgents('auth.sha256UserAgents', map.sha256UserAgents ?? defaults.sha256UserAgents, 'Linphone, "MyPhone/2."'));
  const sha256Domains = problems.check(() => expectList('auth.sha256Domains', map.sha256Domains ?? defaults.sha256Domains, domains[0] ?? 'example.com').map((v, i) => expectServedDomain(`auth.sha256Domains[${i}]`, v, domains)));
  const md5OnlyUserAgents = problems.check(() => readUserAgents('auth.md5OnlyUserAgents', map.md5OnlyUserAgents ?? defaults.md5OnlyUserAgents, '"Linphone/3."'));
  const limits = allRead(readWholeNumbers('auth', map, LIMIT_KEYS, defaults.limits, problems));
  const read = allRead({ enabled, nonceLifetimeMs, algorithms, checkDigestUri, sha256UserAgents, sha256Domains, md5OnlyUserAgents, limits });
  if (read === undefined || (map.secret != null && secret === undefined)) return undefined;
  return { ...read, ...(secret !== undefined && { secret }), limits: { ...defaults.limits, ...read.limits } };
}

function readUserAgents(key: string, value: unknown, example: string): string[] {
  return expectList(key, value, example).map((v, i) => expectLine(`${key}[${i}]`, v));
}

function readAlgorithms(value: unknown): DigestAlgorithm[] {
  const list = expectList('auth.algorithms', value, 'SHA-256, MD5');
  if (list.length === 0) throw new ConfigError('auth.algorithms', 'is empty; list SHA-256, MD5 or both');
  const out = list.map((a, i) => expectOneOf(`auth.algorithms[${i}]`, typeof a === 'string' ? a.toUpperCase() : a, AUTH_ALGORITHMS));
  return [...new Set(out)];
}
