import { isIPv4, isIPv6 } from 'node:net';
import { type DnsServer, parseDnsServer } from '@herald/stack';
import { ConfigError } from './config-error.js';
import { expectString } from './validation-kit.js';

/** `HOST:PORT` or `[IPV6]:PORT`. */
export function parseHostPortKey(key: string, value: unknown): { host: string; port: number } {
  const text = expectString(key, value);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || !(port <= 65535) || (m[1] !== undefined && !isIPv6(host)) || (m[2] !== undefined && !isIPv4(host) && !isHostname(host))) {
    throw new ConfigError(key, `"${text}" is not HOST:PORT; write e.g. 127.0.0.1:8088, or [::1]:8088 for IPv6`);
  }
  return { host, port };
}

/** A DNS host name (RFC 1123 §2.1 labels), not an address. */
export function isHostname(text: string): boolean {
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  return (
    text.length <= 253 &&
    new RegExp(`^${label}(?:\\.${label})*$`, 'i').test(text) &&
    // RFC 3696 §2: a top-level label is never all digits, so 10.0.0.256 is a bad address, not a name.
    !/(?:^|\.)\d+$/.test(text)
  );
}

/** A DNS server: `ADDRESS:PORT`, `[IPV6]:PORT`, or an address alone for port 53; never a name. */
export function expectDnsServer(key: string, value: unknown): DnsServer {
  const text = expectString(key, value);
  try {
    return parseDnsServer(text);
  } catch (error) {
    throw new ConfigError(key, `${(error as Error).message}; write an IP address and port, e.g. "192.0.2.53:53" or "[2001:db8::53]:53" (a name would need DNS to find DNS)`);
  }
}
