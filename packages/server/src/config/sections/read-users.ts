import { userNameProblem } from '../../account-name.js';
import { ConfigError } from '../config-error.js';
import type { UserSeed } from '../herald-config.js';
import { type Problems, expectString, readMapList } from '../validation-kit.js';
import { expectServedDomain } from './read-domains.js';

const USER_KEYS = ['user', 'domain', 'password'] as const;

/** `users:`, accounts to create or reset at start-up, each in a served domain (the first by default). */
export function readUsers(value: unknown, domains: readonly string[], problems: Problems): UserSeed[] | undefined {
  return readMapList('users', value, '{ user: alice, domain: example.com, password: secret }', USER_KEYS, problems, (key, map) => {
    const user = problems.check(() => expectUserName(`${key}.user`, map.user));
    // Without a readable domains (reported by itself) an entry has no default domain.
    if (map.domain === undefined && domains.length === 0) return undefined;
    const domain = problems.check(() => expectServedDomain(`${key}.domain`, map.domain ?? domains[0], domains));
    const password = problems.check(() => expectPassword(`${key}.password`, map.password));
    if (user === undefined || domain === undefined || password === undefined) return undefined;
    return { user, domain, password };
  });
}

/** A digest username and SIP user part: no "@", ":", whitespace or control characters. */
function expectUserName(key: string, value: unknown): string {
  if (value === undefined || value === null) throw new ConfigError(key, 'is required; give the user part of the address, e.g. user: alice', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = typeof value === 'number' ? String(value) : expectString(key, value);
  const problem = userNameProblem(text);
  if (problem !== null) throw new ConfigError(key, `"${text}" is not a user name: it ${problem}; give the part before the "@" only`);
  return text;
}

function expectPassword(key: string, value: unknown): string {
  if (value === undefined || value === null) throw new ConfigError(key, 'is required; give the password (it is stored only as digest hashes)', 'HERALD_ERR_CONFIG_REQUIRED');
  if (typeof value === 'number') throw new ConfigError(key, 'is a number; put the password in quotes so that YAML keeps it as written');
  return expectString(key, value);
}
