import { isIP } from 'node:net';
import type { SipUri } from '@herald/sip';
import type { MailboxServers } from './mailbox-servers.js';
import type { SipResolver } from './sip-resolver.js';

/**
 * The addresses allowed to speak for a SIP domain: every address RFC 3263 gives for
 * `sip:<domain>` (all NAPTR, SRV and A/AAAA destinations, not only the first), the servers
 * of its `_im._sip` / `_pres._sip` SRV records, and the next hops configured for it. Each
 * question goes through the caching DNS client, so a busy peer costs no query per request.
 * @see RFC 3263 §4, RFC 3861 §4
 */
export class DomainAddresses {
  constructor(
    private readonly resolver: Pick<SipResolver, 'resolveUri'>,
    private readonly mailboxServers: Pick<MailboxServers, 'locate'>,
  ) {}

  /**
   * Whether `address` (unmapped IPv4 or IPv6) is one of `domain`'s, counting `hops` (a route's
   * next hops) as its own. Rejects with the DNS failure when no answer found the address and
   * some question could not be asked: the caller cannot tell "no" from "don't know".
   */
  async speaksFor(domain: string, address: string, hops: readonly SipUri[] = []): Promise<boolean> {
    const wanted = normal(address);
    const asked = [...hops.map((hop) => this.ofUri(hop)), this.ofUri(sipUri(domain)), this.ofMailbox('im', domain), this.ofMailbox('pres', domain)];
    const answers = await Promise.allSettled(asked);
    let failure: unknown = null;
    for (const answer of answers) {
      if (answer.status === 'rejected') failure ??= answer.reason;
      else if (answer.value.some((a) => normal(a) === wanted)) return true;
    }
    if (failure !== null) throw failure;
    return false;
  }

  private async ofUri(uri: SipUri): Promise<string[]> {
    return (await this.resolver.resolveUri(uri, { maddr: true })).map((d) => d.address);
  }

  private async ofMailbox(scheme: 'im' | 'pres', domain: string): Promise<string[]> {
    const servers = await this.mailboxServers.locate(scheme, domain);
    if (servers === null || servers.length === 0) return [];
    return (await Promise.all(servers.map((s) => this.ofUri(s)))).flat();
  }
}

function sipUri(host: string): SipUri {
  return { scheme: 'sip', user: null, password: null, host, port: null, params: new Map(), headers: [] };
}

/** `::ffff:192.0.2.1` → `192.0.2.1`; IPv6 in lower case, brackets dropped. */
function normal(address: string): string {
  const bare = address.replace(/^\[|\]$/g, '').toLowerCase();
  return bare.startsWith('::ffff:') && isIP(bare.slice(7)) === 4 ? bare.slice(7) : bare;
}
