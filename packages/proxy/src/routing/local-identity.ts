import { type MailboxUri, type SipRequest, type Uri, isSipUri } from '@herald/sip';

/** A socket address Herald listens on. */
export interface LocalAddress {
  address: string;
  port: number;
}

/**
 * Answers "is this URI for us?": a served domain, or one of Herald's own addresses
 * (RFC 3261 §16.4: the proxy recognises its own URIs). A wildcard listener (0.0.0.0, ::)
 * counts every address of this host's interfaces.
 */
export class LocalIdentity {
  private readonly domains: Set<string>;
  private readonly hosts = new Set<string>();
  private readonly ports = new Set<number>();

  constructor(domains: readonly string[], listening: readonly LocalAddress[], interfaceAddresses: readonly string[]) {
    this.domains = new Set(domains.map((d) => d.toLowerCase()));
    for (const l of listening) {
      this.ports.add(l.port);
      if (l.address === '0.0.0.0' || l.address === '::') for (const a of interfaceAddresses) this.hosts.add(bracket(a));
      else this.hosts.add(bracket(l.address));
    }
  }

  isServedDomain(host: string): boolean {
    return this.servedDomain(host) !== null;
  }

  /**
   * The served domain `host` names in any spelling (case, the DNS root's trailing dot), as
   * configured; `null` when it names none.
   */
  servedDomain(host: string): string | null {
    const name = canonicalHost(host);
    return this.domains.has(name) ? name : null;
  }

  /**
   * The served domain a sender's URI (From) claims: a served domain in any spelling, or
   * Herald's own address at any port, which stands for the primary domain. Either way the
   * sender is one of ours and must authenticate; `null` for another domain.
   */
  senderDomain(uri: Uri): string | null {
    // RFC 3861: im:alice@example.com is the same user as sip:alice@example.com.
    if (uri.scheme === 'im' || uri.scheme === 'pres') return this.servedDomain((uri as MailboxUri).host);
    if (!isSipUri(uri)) return null;
    return this.servedDomain(uri.host) ?? (this.isSelf(uri.host, null) ? this.primaryDomain : null);
  }

  /** True when `host[:port]` names this server itself. */
  isSelf(host: string, port: number | null): boolean {
    return this.hosts.has(host.toLowerCase()) && (port === null || this.ports.has(port));
  }

  /** A served domain or Herald itself, for SIP, SIPS, im: and pres: URIs. */
  isLocal(uri: Uri): boolean {
    if (isSipUri(uri)) return this.isServedDomain(uri.host) || this.isSelf(uri.host, uri.port);
    if (uri.scheme === 'im' || uri.scheme === 'pres') return this.isServedDomain((uri as { host: string }).host);
    return false;
  }

  /**
   * The served domain a REGISTER is for: its Request-URI's (RFC 3261 §10.3 step 1), or,
   * when the Request-URI names Herald by address (softphones configured with an IP as
   * their registrar), the domain of To. `null` when it is none of ours.
   */
  registrationDomain(req: SipRequest): string | null {
    const uri = req.uri;
    if (!isSipUri(uri)) return null;
    const domain = this.servedDomain(uri.host);
    if (domain !== null) return domain;
    if (!this.isSelf(uri.host, uri.port)) return null;
    const to = req.to.uri;
    return isSipUri(to) ? this.servedDomain(to.host) : null;
  }

  get primaryDomain(): string {
    return this.domains.values().next().value ?? 'localhost';
  }
}

/** A host name lower case, without the trailing dot of a fully qualified name (`example.com.`). @see RFC 1034 §3.1 */
export function canonicalHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.endsWith('.') ? lower.slice(0, -1) : lower;
}

function bracket(address: string): string {
  return address.includes(':') && !address.startsWith('[') ? `[${address.toLowerCase()}]` : address.toLowerCase();
}
