import type { SipUri } from '@herald/sip';
import { socketAddress } from '../transport/socket-address.js';
import type { MailboxServers } from './mailbox-servers.js';
import type { SipResolver } from './sip-resolver.js';

/** How long a verdict holds: a peer whose DNS changed is judged by the new records within this. */
const VERDICT_TTL_MS = 30_000;
/** Domain and address pairs remembered at most; the oldest goes first. */
const MAX_VERDICTS = 10_000;

/**
 * The addresses allowed to speak for a SIP domain: every address RFC 3263 gives for
 * `sip:<domain>` (all NAPTR, SRV and A/AAAA destinations, not only the first), the servers
 * of its `_im._sip` / `_pres._sip` SRV records, and the next hops configured for it. Each
 * question goes through the caching DNS client, so a busy peer costs no query per request.
 * @see RFC 3263 §4, RFC 3861 §4
 */
export class DomainAddresses {
  /** Verdicts of the last `VERDICT_TTL_MS`, so that a busy peer's requests ask nothing, not even the DNS cache. */
  private readonly verdicts = new Map<string, Verdict>();
  /**
   * The question a verdict answered last, and that verdict: a busy peer asks the same one
   * request after request, and this answers it without building the map's key.
   */
  private last: { domain: string; address: string; hopsOnly: boolean; verdict: Verdict } | null = null;

  constructor(
    private readonly resolver: Pick<SipResolver, 'resolveUri' | 'resolveWithoutDns'>,
    private readonly mailboxServers: Pick<MailboxServers, 'locate'>,
    private readonly clock: { now(): number } = Date,
  ) {}

  /**
   * Whether `address` (IPv4, IPv6 in any spelling, or IPv4-mapped IPv6) is one of `domain`'s
   * (at once when a verdict of the last 30 s or an address hop says so),
   * counting `hops` (a route's next hops) as its own: true as soon as one answer holds it.
   * `hopsOnly` (a gateway community that names its connectors): the hops' addresses alone,
   * not the domain's own DNS.
   * Rejects with the DNS failure when no answer found the address and some question could not
   * be asked: the caller cannot tell "no" from "don't know".
   */
  speaksFor(domain: string, address: string, hops: readonly SipUri[] = [], hopsOnly = false): boolean | Promise<boolean> {
    const now = this.clock.now();
    const last = this.last;
    if (last !== null && last.domain === domain && last.address === address && last.hopsOnly === hopsOnly && last.verdict.until > now) return last.verdict.speaks;
    // Keyed by the address as the socket reports it (one spelling per address): no parsing on a hit.
    const key = hopsOnly ? `${domain} ${address} hops` : `${domain} ${address}`;
    const known = this.verdicts.get(key);
    if (known !== undefined && known.until > now) {
      this.last = { domain, address, hopsOnly, verdict: known };
      return known.speaks;
    }
    const wanted = socketAddress(address);
    // A next hop written as an address needs no DNS.
    if (hops.some((hop) => this.resolver.resolveWithoutDns(hop, { maddr: true })?.some((d) => socketAddress(d.address) === wanted))) return this.remember(key, true, now);
    return this.ask(domain, wanted, hops, hopsOnly).then((speaks) => this.remember(key, speaks, now));
  }

  private remember(key: string, speaks: boolean, now: number): boolean {
    this.last = null;
    // Oldest first: a full map drops the verdict set longest ago (not touched on a hit, which costs nothing).
    this.verdicts.delete(key);
    if (this.verdicts.size >= MAX_VERDICTS) this.verdicts.delete(this.verdicts.keys().next().value!);
    this.verdicts.set(key, { speaks, until: now + VERDICT_TTL_MS });
    return speaks;
  }

  private ask(domain: string, wanted: string, hops: readonly SipUri[], hopsOnly: boolean): Promise<boolean> {
    const ofHops = hops.map((hop) => this.ofUri(hop));
    const asked = hopsOnly ? ofHops : [...ofHops, this.ofUri(sipUri(domain)), this.ofMailbox('im', domain), this.ofMailbox('pres', domain)];
    if (asked.length === 0) return Promise.resolve(false);
    // The first answer holding the address settles it: a slow or unreachable DNS server does not hold up a hop that matched.
    return new Promise((resolve, reject) => {
      let left = asked.length;
      let failure: unknown = null;
      const settled = () => {
        if (--left > 0) return;
        if (failure !== null) reject(failure);
        else resolve(false);
      };
      for (const question of asked) {
        question.then(
          (found) => {
            if (found.some((a) => socketAddress(a) === wanted)) resolve(true);
            settled();
          },
          (error: unknown) => {
            failure ??= error;
            settled();
          },
        );
      }
    });
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

/** Whether an address speaks for a domain, and until when that holds. */
interface Verdict {
  speaks: boolean;
  until: number;
}

function sipUri(host: string): SipUri {
  return { scheme: 'sip', user: null, password: null, host, port: null, params: new Map(), headers: [] };
}
