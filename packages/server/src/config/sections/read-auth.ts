import { DEFAULT_MD5_ONLY_USER_AGENTS } from '@herald/auth';
import { ConfigError } from '../config-error.js';
import type { AuthAlgorithm, AuthConfig } from '../herald-config.js';
import { type Problems, checkKeys, expectBoolean, expectInteger, expectLine, expectList, expectMap, expectOneOf, expectSecret } from '../validation-kit.js';

const AUTH_KEYS = ['enabled', 'secret', 'nonceLifetime', 'algorithms', 'checkDigestUri', 'md5OnlyUserAgents', 'maxFailuresPerSource', 'maxFailuresPerUser', 'failureWindow'] as const;

const AUTH_ALGORITHMS: readonly AuthAlgorithm[] = ['SHA-256', 'MD5'];

export function readAuth(value: unknown, problems: Problems): AuthConfig | undefined {
  const map = problems.check(() => expectMap('auth', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('auth', map, AUTH_KEYS, problems);
  const integer = (name: (typeof AUTH_KEYS)[number], fallback: number, unit: string) =>
    problems.check(() => expectInteger(`auth.${name}`, map[name] ?? fallback, unit, Number.MAX_SAFE_INTEGER));
  const enabled = problems.check(() => expectBoolean('auth.enabled', map.enabled ?? true));
  const secret = map.secret == null ? undefined : problems.check(() => expectSecret('auth.secret', map.secret));
  const nonceLifetime = integer('nonceLifetime', 300, 'seconds');
  const algorithms = problems.check(() => readAlgorithms(map.algorithms ?? ['SHA-256', 'MD5']));
  const checkDigestUri = problems.check(() => expectBoolean('auth.checkDigestUri', map.checkDigestUri ?? true));
  const md5OnlyUserAgents = problems.check(() => expectList('auth.md5OnlyUserAgents', map.md5OnlyUserAgents ?? [...DEFAULT_MD5_ONLY_USER_AGENTS], '"SIP.js", "JsSIP"').map((v, i) => expectLine(`auth.md5OnlyUserAgents[${i}]`, v)));
  const maxFailuresPerSource = integer('maxFailuresPerSource', 50, 'failures');
  const maxFailuresPerUser = integer('maxFailuresPerUser', 10, 'failures');
  const failureWindow = integer('failureWindow', 300, 'seconds');
  if (
    enabled === undefined ||
    (map.secret != null && secret === undefined) ||
    nonceLifetime === undefined ||
    algorithms === undefined ||
    checkDigestUri === undefined ||
    md5OnlyUserAgents === undefined ||
    maxFailuresPerSource === undefined ||
    maxFailuresPerUser === undefined ||
    failureWindow === undefined
  ) {
    return undefined;
  }
  return { enabled, ...(secret !== undefined && { secret }), nonceLifetime, algorithms, checkDigestUri, md5OnlyUserAgents, maxFailuresPerSource, maxFailuresPerUser, failureWindow };
}

function readAlgorithms(value: unknown): AuthAlgorithm[] {
  const list = expectList('auth.algorithms', value, 'SHA-256, MD5');
  if (list.length === 0) throw new ConfigError('auth.algorithms', 'is empty; list SHA-256, MD5 or both');
  const out = list.map((a, i) => expectOneOf(`auth.algorithms[${i}]`, typeof a === 'string' ? a.toUpperCase() : a, AUTH_ALGORITHMS));
  return [...new Set(out)];
}
