import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { FilterParser } from 'ldapts';
import { LDAP_DIRECTORY_DEFAULTS, type LdapDirectorySettings } from '../../directory/ldap-directory.js';
import { ConfigError } from '../config-error.js';
import type { DirectoryConfig } from '../herald-config.js';
import { MAX_TIMER_MS, type Problems, type WholeNumberKey, allRead, expectString, fileError, readSection, readWholeNumbers } from '../validation-kit.js';

const DIRECTORY_KEYS = ['ldap'] as const;
const LDAP_KEYS = ['url', 'bindDn', 'bindPassword', 'bindPasswordFile', 'baseDn', 'accountAttribute', 'accountDomain', 'externalAttribute', 'filter', 'cacheTime', 'timeout'] as const;
const NUMBER_KEYS = {
  cacheTimeMs: { key: 'cacheTime', unit: 'seconds', min: 0, max: Math.floor(MAX_TIMER_MS / 1000), inMs: true },
  timeoutMs: { key: 'timeout', unit: 'seconds', max: 600, inMs: true },
} satisfies Record<string, WholeNumberKey>;

/** `directory:`, where ID conversion's mapping comes from besides the store; undefined when absent. The bind password file is read here. */
export function readDirectory(value: unknown, domains: readonly string[], baseDir: string, problems: Problems): DirectoryConfig | undefined {
  if (value == null) return undefined;
  const map = readSection('directory', value, DIRECTORY_KEYS, problems);
  if (map === undefined) return undefined;
  if (map.ldap == null) {
    problems.add('directory.ldap', 'is required with directory; give the LDAP server, e.g. ldap: { url: "ldap://127.0.0.1:389", baseDn: "ou=people,dc=acme,dc=test" }, or remove directory', 'HERALD_ERR_CONFIG_REQUIRED');
    return undefined;
  }
  const ldap = readLdap(map.ldap, domains, baseDir, problems);
  return ldap && { ldap };
}

function readLdap(value: unknown, domains: readonly string[], baseDir: string, problems: Problems): LdapDirectorySettings | undefined {
  const map = readSection('directory.ldap', value, LDAP_KEYS, problems);
  if (map === undefined) return undefined;
  const required = (name: string, fix: string): boolean => {
    if (map[name] != null) return true;
    problems.add(`directory.ldap.${name}`, `is required; ${fix}`, 'HERALD_ERR_CONFIG_REQUIRED');
    return false;
  };
  const url = required('url', 'give the LDAP server, e.g. url: "ldap://127.0.0.1:389" (or ldaps://)') ? problems.check(() => expectLdapUrl('directory.ldap.url', map.url)) : undefined;
  const baseDn = required('baseDn', 'give where the search starts, e.g. baseDn: "ou=people,dc=acme,dc=test"') ? problems.check(() => expectString('directory.ldap.baseDn', map.baseDn)) : undefined;
  const accountAttribute = problems.check(() => expectAttribute('directory.ldap.accountAttribute', map.accountAttribute ?? LDAP_DIRECTORY_DEFAULTS.accountAttribute));
  const externalAttribute = problems.check(() => expectAttribute('directory.ldap.externalAttribute', map.externalAttribute ?? LDAP_DIRECTORY_DEFAULTS.externalAttribute));
  const accountDomain = map.accountDomain == null ? null : problems.check(() => expectServedDomain('directory.ldap.accountDomain', map.accountDomain, domains));
  const filter = map.filter == null ? null : problems.check(() => expectFilter('directory.ldap.filter', map.filter));
  const bind = readBind(map, baseDir, problems);
  const numbers = readWholeNumbers('directory.ldap', map, NUMBER_KEYS, LDAP_DIRECTORY_DEFAULTS, problems);
  const read = allRead({ url, baseDn, accountAttribute, externalAttribute, accountDomain, filter, bind, ...numbers });
  if (read === undefined) return undefined;
  const { accountDomain: domain, filter: extra, bind: credentials, ...rest } = read;
  return { ...rest, ...credentials, ...(domain !== null && { accountDomain: domain }), ...(extra !== null && { filter: extra }) };
}

/** The bind DN and its password (given, or read from a file); empty for anonymous access. */
function readBind(map: Record<string, unknown>, baseDir: string, problems: Problems): { bindDn?: string; bindPassword?: string } | undefined {
  if (map.bindPassword != null && map.bindPasswordFile != null) {
    problems.add('directory.ldap.bindPasswordFile', 'cannot be given with bindPassword; keep one of them (bindPasswordFile keeps the secret out of this file)');
    return undefined;
  }
  if (map.bindDn == null) {
    if (map.bindPassword == null && map.bindPasswordFile == null) return {};
    problems.add('directory.ldap.bindDn', 'is required with a bind password; give the DN Herald binds as, e.g. bindDn: "cn=herald,dc=acme,dc=test", or remove the password for anonymous access', 'HERALD_ERR_CONFIG_REQUIRED');
    return undefined;
  }
  const bindDn = problems.check(() => expectString('directory.ldap.bindDn', map.bindDn));
  if (map.bindPassword == null && map.bindPasswordFile == null) {
    problems.add('directory.ldap.bindPassword', 'is required with bindDn; give bindPasswordFile: PATH (a file holding the password) or bindPassword: TEXT', 'HERALD_ERR_CONFIG_REQUIRED');
    return undefined;
  }
  const bindPassword =
    map.bindPassword != null
      ? problems.check(() => expectString('directory.ldap.bindPassword', typeof map.bindPassword === 'number' ? String(map.bindPassword) : map.bindPassword))
      : problems.check(() => readPasswordFile('directory.ldap.bindPasswordFile', map.bindPasswordFile, baseDir));
  return bindDn === undefined || bindPassword === undefined ? undefined : { bindDn, bindPassword };
}

function readPasswordFile(key: string, value: unknown, baseDir: string): string {
  const path = resolve(baseDir, expectString(key, value));
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path} (${fileError(error)}); give the path of a file holding the bind password, absolute or relative to ${baseDir}`, 'HERALD_ERR_CONFIG_FILE');
  }
  const password = text.replace(/\r?\n$/, '');
  if (password === '') throw new ConfigError(key, `${path} is empty; write the bind password in it (one line)`, 'HERALD_ERR_CONFIG_FILE');
  return password;
}

function expectLdapUrl(key: string, value: unknown): string {
  const text = expectString(key, value);
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'ldap:' && url.protocol !== 'ldaps:') || url.hostname === '' || (url.pathname !== '' && url.pathname !== '/') || url.search !== '') {
    throw new ConfigError(key, `"${text}" is not an LDAP server URL; write ldap://HOST:PORT or ldaps://HOST:PORT, e.g. url: "ldap://127.0.0.1:389" (the base DN goes in baseDn)`);
  }
  return text;
}

/** An attribute description: a name (RFC 4512 §1.4 `descr`) or an OID. */
function expectAttribute(key: string, value: unknown): string {
  const text = expectString(key, value);
  if (!/^([A-Za-z][A-Za-z0-9-]*|\d+(\.\d+)+)$/.test(text)) throw new ConfigError(key, `"${text}" is not an LDAP attribute name; write e.g. ${key.split('.').pop()}: uid`);
  return text;
}

function expectServedDomain(key: string, value: unknown, domains: readonly string[]): string {
  const text = expectString(key, value).toLowerCase();
  if (!domains.includes(text)) throw new ConfigError(key, `"${text}" is not one of domains (${domains.join(', ')}); give the served domain of the accounts the directory names by user part, or remove it if ${key.replace('accountDomain', 'accountAttribute')} holds user@domain`);
  return text;
}

/** RFC 4515 string filter, parsed here so that a typo fails at start-up and not at the first request. */
function expectFilter(key: string, value: unknown): string {
  const text = expectString(key, value).trim();
  try {
    if (!text.startsWith('(')) throw new Error('no parenthesis');
    // RFC 4515 §3: a parenthesis within a value is escaped (\28, \29), so the bare ones pair up.
    if (text.split('(').length !== text.split(')').length) throw new Error('unbalanced parentheses');
    FilterParser.parseString(text);
  } catch (error) {
    throw new ConfigError(key, `"${text}" is not an LDAP filter (${(error as Error).message}); write it in parentheses as RFC 4515 does, e.g. filter: "(objectClass=inetOrgPerson)"`);
  }
  return text;
}
