import type { SipUri } from '@herald/sip';
import { canonicalName } from './canonical-name.js';
import type { DnsLookup } from './dns-lookup.js';
import { orderSrv } from './sip-resolver.js';

/**
 * Where a domain's SIP service for `im:` or `pres:` URIs is: its `_im._sip` / `_pres._sip` SRV
 * records in RFC 2782 order, each as the SIP URI `sip:target:port` for RFC 3263 to locate
 * (an explicit port: A/AAAA, UDP).
 * @see RFC 3861 §4, RFC 5509 §3, RFC 3263 §4.2
 */
export class MailboxServers {
  constructor(private readonly dns: Pick<DnsLookup, 'srv'>) {}

  /**
   * The next hops for `im:`/`pres:` URIs of `domain`, in the order to try them; `null` when the
   * domain publishes no such SRV record (the caller falls back to RFC 3263 on the SIP URI),
   * `[]` when it says the service is not there (target `.`, RFC 2782). Rejects with a
   * `DnsError` when DNS could not be asked.
   */
  async locate(scheme: 'im' | 'pres', domain: string): Promise<SipUri[] | null> {
    const records = await this.dns.srv(mailboxServiceName(scheme, domain));
    if (records.length === 0) return null;
    return orderSrv(records).map((r) => ({ scheme: 'sip', user: null, password: null, host: r.target, port: r.port, params: new Map(), headers: [] }));
  }
}

/** `_im._sip.example.com` or `_pres._sip.example.com`. @see RFC 3861 §4, RFC 5509 §5 */
export function mailboxServiceName(scheme: 'im' | 'pres', domain: string): string {
  return `_${scheme}._sip.${canonicalName(domain)}`;
}
