import { BlockList, isIP } from 'node:net';
import { socketAddress } from '@herald/stack';
import { canonicalHost } from '../routing/local-identity.js';

/**
 * An allow or block list of `federation:`: exact domains (`peer.example`), their
 * subdomains (`*.spam.example`, which does not take `spam.example` itself, as in
 * `routes:`), IP addresses and CIDR ranges (`198.51.100.0/24`, `2001:db8::/32`).
 */
export class DomainAddressList {
  private readonly domains = new Set<string>();
  private readonly suffixes: string[] = [];
  private readonly addresses = new BlockList();
  private hasAddresses = false;

  /** Throws an `Error` whose message says what is wrong with the first bad entry (see `listEntryProblem`). */
  constructor(readonly entries: readonly string[]) {
    for (const entry of entries) {
      const problem = listEntryProblem(entry);
      if (problem !== null) throw new Error(problem);
      const text = entry.toLowerCase();
      const [address, bits] = text.split('/');
      const family = isIP(address ?? '');
      if (family === 0) {
        if (text.startsWith('*.')) this.suffixes.push(text.slice(1));
        else this.domains.add(text);
      } else {
        if (bits === undefined) this.addresses.addAddress(address, family === 4 ? 'ipv4' : 'ipv6');
        else this.addresses.addSubnet(address, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
        this.hasAddresses = true;
      }
    }
  }

  get isEmpty(): boolean {
    return this.entries.length === 0;
  }

  /** `domain` (in any spelling: case, a trailing dot) is listed, or is a subdomain of a `*.` entry. */
  hasDomain(domain: string): boolean {
    if (this.domains.size === 0 && this.suffixes.length === 0) return false;
    const name = canonicalHost(domain);
    if (this.domains.has(name)) return true;
    for (const suffix of this.suffixes) if (name.endsWith(suffix)) return true;
    return false;
  }

  /** `address` (IPv4, IPv6 in any spelling, or IPv4-mapped IPv6 as Node reports a dual-stack socket's peer) is listed or in a listed range. */
  hasAddress(address: string): boolean {
    if (!this.hasAddresses) return false;
    const plain = socketAddress(address);
    const family = isIP(plain);
    return family !== 0 && this.addresses.check(plain, family === 4 ? 'ipv4' : 'ipv6');
  }
}

const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/** Why `entry` is not a list entry, with the fix; `null` when it is one. */
export function listEntryProblem(entry: string): string | null {
  const text = entry.toLowerCase();
  const example = 'write a domain (peer.example), its subdomains ("*.peer.example"), an IP address (192.0.2.10) or a CIDR range (198.51.100.0/24)';
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const address = text.slice(0, slash);
    const bits = text.slice(slash + 1);
    const family = isIP(address);
    const most = family === 4 ? 32 : 128;
    if (family === 0 || !/^\d{1,3}$/.test(bits) || Number(bits) > most) return `"${entry}" is not a CIDR range; ${example}`;
    return null;
  }
  if (isIP(text) !== 0) return null;
  const name = text.startsWith('*.') ? text.slice(2) : text;
  if (name.length > 253 || !name.split('.').every((label) => LABEL.test(label))) return `"${entry}" is not a domain or address; ${example}`;
  return null;
}
