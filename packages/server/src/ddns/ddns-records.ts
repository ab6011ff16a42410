import { isIPv4 } from 'node:net';
import { type DnsUpdate, NAPTR_SERVICES, type RecordData, type UpdateOperation } from '@herald/stack';
import type { DdnsConfig } from '../config/herald-config.js';

/** The address record types. */
export type Family = 'A' | 'AAAA';
export const FAMILIES: readonly Family[] = ['A', 'AAAA'];

/**
 * The node's address RRsets as it last published them, per family; undefined while it does
 * not know what the zone holds (before its first update, or after a prerequisite failed).
 */
export type PublishedAddresses = Record<Family, readonly string[] | undefined>;

/**
 * The updates of one family's RRset at the node's host name, tried in order until one is
 * applied. Each is guarded so that a node replaces only what it published itself:
 *
 * - known last content P: "the RRset is exactly P" (RFC 2136 §2.4.2; "does not exist",
 *   §2.4.3, when P is empty), then delete the RRset and add the new addresses;
 * - unknown (first update): "the RRset does not exist" then add (a fresh name), else "the
 *   RRset is exactly the new addresses" (the node published them before a restart), which
 *   only refreshes their TTL.
 *
 * Anything else in the RRset fails both (YXRRSET, then NXRRSET): another node or the operator
 * holds the name, and it is left alone. Empty when there is nothing to change.
 * @see RFC 2136 §2.4, §3.2
 */
export function addressUpdates(config: DdnsConfig, family: Family, desired: readonly string[], published: readonly string[] | undefined): DnsUpdate[] {
  const { zone, host: name, ttl } = config;
  const add: UpdateOperation[] = desired.map((address) => ({ kind: 'add', record: { name, ttl, type: family, address } }));
  if (published === undefined) {
    if (desired.length === 0) return [];
    return [
      { zone, prerequisites: [{ kind: 'rrset-absent', name, type: family }], updates: add },
      { zone, prerequisites: [{ kind: 'rrset-equals', name, type: family, records: addressData(family, desired) }], updates: add },
    ];
  }
  if (sameAddresses(published, desired)) return [];
  const guard = published.length === 0 ? { kind: 'rrset-absent' as const, name, type: family } : { kind: 'rrset-equals' as const, name, type: family, records: addressData(family, published) };
  const clear: UpdateOperation[] = published.length === 0 ? [] : [{ kind: 'delete-rrset', name, type: family }];
  return [{ zone, prerequisites: [guard], updates: [...clear, ...add] }];
}

/**
 * The node's own SRV RRs (target: its host name) and, with `records.naptr`, the domain's NAPTR
 * RRs that lead to them. Adding an RR never removes another node's (RFC 2136 §3.4.2.2: an RR
 * already there only has its TTL replaced), so this needs no prerequisite; nodes configured
 * alike add identical NAPTRs. Undefined when the node publishes none.
 * @see RFC 2782, RFC 3263 §4.1
 */
export function serviceUpdate(config: DdnsConfig): DnsUpdate | undefined {
  const updates: UpdateOperation[] = [...srvRecords(config), ...naptrRecords(config)].map((record) => ({ kind: 'add', record: { ...record, ttl: config.ttl } }));
  return updates.length === 0 ? undefined : { zone: config.zone, updates };
}

/**
 * What the node takes back at shutdown: its address RRsets, each only while it is exactly
 * what the node published (RFC 2136 §2.4.2), and its own SRV RRs one by one (§2.5.4), so the
 * other nodes' SRV RRs and the shared NAPTRs stay.
 */
export function withdrawUpdates(config: DdnsConfig, published: PublishedAddresses, servicesPublished: boolean): DnsUpdate[] {
  const { zone, host: name } = config;
  const out: DnsUpdate[] = [];
  for (const family of FAMILIES) {
    const addresses = published[family];
    if (addresses === undefined || addresses.length === 0) continue;
    out.push({ zone, prerequisites: [{ kind: 'rrset-equals', name, type: family, records: addressData(family, addresses) }], updates: [{ kind: 'delete-rrset', name, type: family }] });
  }
  const srv = srvRecords(config);
  if (servicesPublished && srv.length > 0) out.push({ zone, updates: srv.map((record) => ({ kind: 'delete-rr', record })) });
  return out;
}

/** The addresses of one family, in a stable order. */
export function addressesOf(family: Family, addresses: readonly string[]): string[] {
  return addresses.filter((a) => isIPv4(a) === (family === 'A')).sort();
}

export function sameAddresses(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(a);
  return a.length === b.length && b.every((address) => set.has(address));
}

function addressData(family: Family, addresses: readonly string[]): RecordData[] {
  return addresses.map((address) => ({ type: family, address }));
}

type OwnedRecord = { name: string } & RecordData;

function srvRecords(config: DdnsConfig): OwnedRecord[] {
  return config.records.srv.map((s) => ({ name: `${s.service}.${config.zone}`, type: 'SRV', priority: s.priority, weight: s.weight, port: s.port, target: config.host }));
}

/**
 * The NAPTR service that leads to each SRV name, for the services Herald resolves: `SIPS+D2T`
 * to `_sips._tcp` (TLS runs over TCP), `SIP+D2T` to `_sip._tcp`, `SIP+D2U` to `_sip._udp`.
 * @see RFC 3263 §4.1, RFC 3261 §26.5
 */
const NAPTR_SERVICE_OF_SRV: Record<string, string> = Object.fromEntries(
  Object.entries(NAPTR_SERVICES).map(([service, { transport, secure }]) => [`_${secure ? 'sips' : 'sip'}._${transport === 'tls' ? 'tcp' : transport}`, service]),
);

function naptrRecords(config: DdnsConfig): OwnedRecord[] {
  if (!config.records.naptr) return [];
  const services = [...new Set(config.records.srv.map((s) => s.service))].filter((s) => s in NAPTR_SERVICE_OF_SRV);
  // RFC 3263 §4.1: equal order, the preference in the order the operator listed the services.
  return services.map((service, i) => ({
    name: config.zone,
    type: 'NAPTR',
    order: 10,
    preference: 10 * (i + 1),
    flags: 'S',
    service: NAPTR_SERVICE_OF_SRV[service],
    regexp: '',
    replacement: `${service}.${config.zone}`,
  }));
}
