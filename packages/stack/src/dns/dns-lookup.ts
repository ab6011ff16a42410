/**
 * What the rest of Herald asks of DNS: records by name and type, from a cache that honours
 * their TTLs. A name that does not exist, or has no records of the type, answers `[]`; a
 * question no server could answer (timeout, SERVFAIL, REFUSED) rejects with a `DnsError`,
 * so that "nothing there" and "could not ask" stay apart (RFC 3263 §4.3 treats them alike,
 * the caller may not).
 */
export interface DnsLookup {
  /** A, then AAAA: every address of `name`, IPv4 first. @see RFC 1035 §3.4.1, RFC 3596 */
  addresses(name: string): Promise<string[]>;
  /**
   * The addresses of `name` known without asking DNS (the hosts file, when the system's
   * resolver is the model), else `null`: such a name is a host, not a domain with services.
   */
  fromHostsFile?(name: string): string[] | null;
  /** SRV records of `name` (`_sip._udp.example.com`), as served (not yet sorted). @see RFC 2782 */
  srv(name: string): Promise<SrvRecord[]>;
  /** NAPTR records of `name`, as served (not yet sorted). @see RFC 3403 §4.1 */
  naptr(name: string): Promise<NaptrRecord[]>;
}

/** @see RFC 2782 */
export interface SrvRecord {
  priority: number;
  weight: number;
  port: number;
  /** Lower case, no trailing dot; `.` itself means "no service here". */
  target: string;
}

/** @see RFC 3403 §4.1 */
export interface NaptrRecord {
  order: number;
  preference: number;
  /** Upper case: `S`, `A`, `U`, `P` or empty. */
  flags: string;
  /** As served: `SIP+D2U`, `E2U+sip`, `E2U+im:sip`… */
  service: string;
  /** A substitution expression `!regex!replacement!flags`, or empty. */
  regexp: string;
  /** Lower case, no trailing dot; empty when `.`. */
  replacement: string;
}

/** Why a question could not be answered. */
export type DnsErrorCode =
  | 'SIP_ERR_DNS_TIMEOUT'
  /** Nothing listens at the server's address (ICMP port unreachable, TCP connection refused). */
  | 'SIP_ERR_DNS_UNREACHABLE'
  | 'SIP_ERR_DNS_SERVFAIL'
  | 'SIP_ERR_DNS_REFUSED'
  | 'SIP_ERR_DNS_MALFORMED';

export class DnsError extends Error {
  constructor(
    message: string,
    readonly code: DnsErrorCode,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'DnsError';
  }
}
