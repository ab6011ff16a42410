import { networkInterfaces } from 'node:os';
import type { AdvertisedAddress } from '@herald/proxy';
import type { ListenerInfo } from '@herald/stack';

/** The address to write in Via and Record-Route for each listener; a wildcard listener advertises an interface address. */
export function advertisedAddresses(listeners: readonly ListenerInfo[]): AdvertisedAddress[] {
  const fallback = primaryAddress();
  return listeners.map((l) => {
    const wildcard = l.address === '0.0.0.0' || l.address === '::';
    return { transport: l.transport, host: wildcard ? fallback : l.address, port: l.port };
  });
}

/** Every address of this machine: a Request-URI or Route naming one of them names Herald. */
export function interfaceAddresses(): string[] {
  const out = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

function primaryAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

/**
 * The addresses of the network interface `name` that other hosts can reach it at: IPv6
 * link-local ones (fe80::/10, RFC 4291 §2.5.6) are left out; none when it is down or absent.
 */
export function addressesOfInterface(name: string): string[] {
  return (networkInterfaces()[name] ?? []).filter((a) => !(a.family === 'IPv6' && /^fe[89ab]/i.test(a.address))).map((a) => a.address.toLowerCase());
}
