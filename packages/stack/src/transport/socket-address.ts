import { isIP } from 'node:net';

/**
 * An IP address as the connection table and `received` use it: no brackets, IPv4-mapped
 * IPv6 (what a dual-stack socket reports for an IPv4 peer) as plain IPv4, IPv6 lower case
 * and compressed.
 */
export function socketAddress(address: string): string {
  // IPv4 and host names: nothing to normalise (every IPv6 form has a colon).
  if (address.indexOf(':') < 0) return address;
  let a = address.charCodeAt(0) === 0x5b && address.endsWith(']') ? address.slice(1, -1) : address;
  if (a.length > 7 && a.slice(0, 7).toLowerCase() === '::ffff:' && isIP(a.slice(7)) === 4) return a.slice(7);
  if (isIP(a) === 6) {
    // The WHATWG URL parser writes IPv6 in the RFC 5952 canonical form.
    try {
      a = new URL(`http://[${a}]/`).hostname.slice(1, -1);
    } catch {
      return a.toLowerCase();
    }
  }
  return a;
}

/** `host:port`, with the IPv6 reference in brackets (RFC 3261 §25.1 hostport). */
export function hostPort(address: string, port: number): string {
  return isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}
