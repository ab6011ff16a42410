import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../config-error.js';
import { isHostname } from '../host-port.js';
import { type Problems, allDefined, expectList, expectString } from '../validation-kit.js';

/** `domains:`, the SIP domains served: lower case, IPv6 literals in brackets, repeats dropped; `localhost` when absent. */
export function readDomains(value: unknown, problems: Problems): string[] | undefined {
  const list = problems.check(() => expectList('domains', value ?? ['localhost'], 'example.com'));
  if (list === undefined) return undefined;
  if (list.length === 0) {
    problems.add('domains', 'is empty; list the SIP domains Herald serves, e.g. domains: [example.com]');
    return undefined;
  }
  const domains = list.map((entry, i) => problems.check(() => parseDomain(`domains[${i}]`, entry)));
  return allDefined(domains) ? [...new Set(domains)] : undefined;
}

function parseDomain(key: string, value: unknown): string {
  const text = expectString(key, value).toLowerCase();
  if (isIPv4(text) || isHostname(text)) return text;
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv6(bare)) return `[${bare}]`;

  const withoutScheme = text.replace(/^sips?:/, '');
  const withoutPort = withoutScheme.replace(/:\d*$/, '');
  const fix =
    withoutPort !== text && (isHostname(withoutPort) || isIPv4(withoutPort))
      ? `a domain is a bare host name, without scheme or port; write ${withoutPort}`
      : /^[\d.]+$/.test(text)
        ? 'write a valid IPv4 address, or a host name such as example.com'
        : 'write a host name such as example.com, or an IP address';
  throw new ConfigError(key, `"${value}" is not a domain name or IP address; ${fix}`);
}

/**
 * One of the served `domains`, lower case. An empty list stands for a `domains` that was
 * refused (with its own message): then there is nothing to compare with.
 */
export function expectServedDomain(key: string, value: unknown, domains: readonly string[]): string {
  const domain = expectString(key, value).toLowerCase();
  if (domains.length > 0 && !domains.includes(domain)) {
    throw new ConfigError(key, `"${domain}" is not a served domain; use one of ${domains.join(', ')}, or add it to domains`);
  }
  return domain;
}
