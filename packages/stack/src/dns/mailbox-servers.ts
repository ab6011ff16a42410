import type { Destination } from '../flow/flow.js';
import type { DnsLookup, SrvRecord } from './dns-lookup.js';

/**
 * Where a domain's SIP service for `im:` or `pres:` URIs is: its `_im._sip` / `_pres._sip` SRV
 * records, in RFC 2782 order, each target then resolved as RFC 3263 resolves `sip:target:port`
 * (an explicit port: A/AAAA, UDP).
 * @see RFC 3861 §4, RFC 5509 §3, RFC 3263 §4.1–§4.2
 */
export class MailboxServers {
  constructor(private readonly dns: DnsLookup) {}

  /**
   * The next hops for `im:`/`pres:` URIs of `domain`; `null` when the domain publishes no such
   * SRV record (the caller falls back to RFC 3263 on the SIP URI), `[]` when it says the
   * service is not there (a single target `.`, RFC 2782) or no target has an address.
   * Rejects with a `DnsError` when DNS could not be asked.
   */
  async locate(scheme: 'im' | 'pres', domain: string): Promise<Destination[] | null> {
    const records = await this.dns.srv(mailboxServiceName(scheme, domain));
    if (records.length === 0) return null;
    const destinations: Destination[] = [];
    for (const record of srvOrder(records)) {
      if (record.target === '.') continue;
      for (const address of await this.dns.addresses(record.target)) destinations.push({ transport: 'udp', address, port: record.port });
    }
    return destinations;
  }
}

/** `_im._sip.example.com` or `_pres._sip.example.com`. @see RFC 3861 §4, RFC 5509 §5 */
export function mailboxServiceName(scheme: 'im' | 'pres', domain: string): string {
  return `_${scheme}._sip.${domain.toLowerCase().replace(/\.$/, '')}`;
}

function srvOrder(records: readonly SrvRecord[]): SrvRecord[] {
  return [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight);
}
