import { isIP } from 'node:net';
import { SipError, type SipUri, type Via, hostAddress } from '@herald/sip';
import { type Destination, type TransportProtocol, destinationKey } from '../flow/flow.js';
import { defaultPort, viaTransport } from '../transport/response-destination.js';
import { DnsCache } from './dns-cache.js';
import { DnsError, type DnsLookup, type NaptrRecord, type SrvRecord } from './dns-lookup.js';

/** How long a target that timed out or failed at the transport is tried last, when nothing configures it. @see RFC 3263 §4.3 */
export const DEFAULT_FAILED_TARGET_MS = 60_000;

/** Targets remembered as failed at most; the oldest are forgotten first. */
const MAX_FAILED_TARGETS = 4096;

const URI_TRANSPORTS: Record<string, TransportProtocol> = { udp: 'udp', tcp: 'tcp', tls: 'tls', ws: 'ws', wss: 'wss' };

/** NAPTR services of RFC 3263 §4.1 (and RFC 7118 §7 for WebSocket), and the transport each names. */
export const NAPTR_SERVICES: Record<string, { transport: TransportProtocol; secure: boolean }> = {
  'SIPS+D2T': { transport: 'tls', secure: true },
  'SIP+D2T': { transport: 'tcp', secure: false },
  'SIP+D2U': { transport: 'udp', secure: false },
};

/** The SRV owner prefix of each transport Herald resolves by SRV. @see RFC 3263 §4.1, RFC 2782 */
const SRV_PREFIXES: Partial<Record<TransportProtocol, string>> = { tls: '_sips._tcp', tcp: '_sip._tcp', udp: '_sip._udp' };

/**
 * When a URI names no transport and there is no NAPTR: the SRV queries, in Herald's order of preference.
 * DEVIATION(RFC 3263 §4.1): `_sips._tcp` is asked for a SIP URI too (the RFC asks `_sip` services
 * for SIP URIs), as NAPTR may offer `SIPS+D2T` for one: a domain that publishes TLS is reached
 * over TLS, its certificate checked against the domain.
 * @see RFC 3263 §4.1
 */
const SRV_ORDER: readonly TransportProtocol[] = ['tls', 'tcp', 'udp'];

export interface SipResolverOptions {
  dns: DnsLookup;
  /** The transports Herald can send on; records naming others are skipped. Default UDP, TCP and TLS. */
  transports?: readonly TransportProtocol[];
  /** How long a failed target is tried last, ms. @see RFC 3263 §4.3 */
  failedTargetMs?: number;
  clock?: { now(): number };
  /** A number in [0, 1), for the weighted order of SRV targets. @see RFC 2782 */
  random?: () => number;
}

/** Where `resolveUri` looks: `maddr` counts for a Route or Request-URI Herald sends to. */
export interface ResolveUriOptions {
  /** Use the `maddr` parameter in place of the host. @see RFC 3263 §4 */
  maddr?: boolean;
  /**
   * TLS only, as for a SIPS URI: NAPTR `SIPS+D2T`, SRV `_sips._tcp`, then A/AAAA at 5061 (a
   * peer domain whose federation level requires TLS). @see RFC 3263 §4.1, RFC 5922 §4
   */
  secure?: boolean;
  /**
   * The port where RFC 3263 falls back to A/AAAA at the default port (no NAPTR or SRV, or a
   * host that needs no DNS) when the URI names none: a gateway community's `port`.
   * @see RFC 3263 §4.2
   */
  defaultPort?: number;
}

/**
 * Locating SIP servers: a SIP or SIPS URI to the ordered list of destinations to try
 * (NAPTR, then SRV, then A/AAAA), a Via sent-by to where its responses go, and a short
 * memory of targets that failed, which are then tried last.
 * @see RFC 3263 §4, §5, RFC 2782, RFC 3403
 */
export class SipResolver {
  private readonly transports: ReadonlySet<TransportProtocol>;
  private readonly failedTargetMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  /** Targets that failed, by `destinationKey`, and until when they are tried last. */
  private readonly failedUntil = new DnsCache<true>(MAX_FAILED_TARGETS);

  constructor(private readonly options: SipResolverOptions) {
    this.transports = new Set(options.transports ?? ['udp', 'tcp', 'tls']);
    this.failedTargetMs = options.failedTargetMs ?? DEFAULT_FAILED_TARGET_MS;
    const clock = options.clock;
    this.now = clock ? () => clock.now() : Date.now;
    this.random = options.random ?? Math.random;
  }

  /**
   * The destinations of `uri`, in the order to try them; `[]` when DNS says there is no
   * such server. Rejects with a `DnsError` when DNS could not be asked, and with a 503
   * `SipError` for a `transport` parameter Herald does not speak.
   * @see RFC 3263 §4.1–§4.3
   */
  async resolveUri(uri: SipUri, options: ResolveUriOptions = {}): Promise<Destination[]> {
    const host = uriHost(uri, options);
    const secure = isSecure(uri, options);
    const found = await this.locate(host, uri.port, secureTransport(uriTransport(uri), secure), secure, options.defaultPort);
    return this.failedLast(withServerName(found, host));
  }

  /**
   * The destination of `uri` when it needs no DNS (an IP address, or `localhost`), else
   * `null`: what `resolveUri` would answer, without waiting for it.
   * @see RFC 3263 §4.1
   */
  resolveWithoutDns(uri: SipUri, options: ResolveUriOptions = {}): Destination[] | null {
    const host = uriHost(uri, options);
    const secure = isSecure(uri, options);
    const known = this.knownDestinations(host, uri.port, secureTransport(uriTransport(uri), secure), secure, options.defaultPort);
    return known === null ? null : this.failedLast(known);
  }

  /**
   * Where the responses to a request go when the connection it came on is gone and its
   * Via sent-by is a host name: SRV for the Via's transport, else A/AAAA at the default
   * port; with an explicit port, A/AAAA at that port.
   * @see RFC 3263 §5, RFC 3261 §18.2.2
   */
  async resolveSentBy(via: Via): Promise<Destination[]> {
    const transport = viaTransport(via);
    const found = await this.locate(hostAddress(via.host).toLowerCase(), via.port, transport, transport === 'tls');
    return this.failedLast(found);
  }

  /**
   * `destination` timed out or failed at the transport: it is tried after the others for
   * a while, `forMs` when given (a 503's Retry-After), else the configured time.
   * @see RFC 3263 §4.3, RFC 3261 §21.5.4
   */
  failed(destination: Destination, forMs = this.failedTargetMs): void {
    this.failedUntil.set(destinationKey(destination), true, this.now() + forMs);
  }

  /** `destination` answered: it is no longer tried last. */
  succeeded(destination: Destination): void {
    // Every answered branch comes here: nothing to build while no destination has failed.
    if (this.failedUntil.size > 0) this.failedUntil.delete(destinationKey(destination));
  }

  // RFC 3263 §4.1 (transport) and §4.2 (port and address).
  private async locate(host: string, port: number | null, transport: TransportProtocol | null, secure: boolean, fallbackPort?: number): Promise<Destination[]> {
    const known = this.knownDestinations(host, port, transport, secure, fallbackPort);
    if (known !== null) return known;
    // RFC 3263 §4.2: an explicit port: A/AAAA of the host.
    if (port !== null) return this.atAddresses(host, transport ?? (secure ? 'tls' : 'udp'), port);
    // RFC 3263 §4.2: a transport named by the URI: SRV for that transport alone.
    if (transport !== null) {
      const prefix = SRV_PREFIXES[transport];
      if (prefix !== undefined) {
        const srv = await this.srvDestinations(`${prefix}.${host}`, transport);
        if (srv !== null) return srv;
      }
      return this.atAddresses(host, transport, fallbackPort ?? defaultPort(transport));
    }
    const viaNaptr = await this.naptrDestinations(host, secure);
    if (viaNaptr !== null) return viaNaptr;
    // RFC 3263 §4.1: no NAPTR: SRV for each transport Herald supports (only TLS for SIPS).
    const candidates = SRV_ORDER.filter((t) => this.transports.has(t) && (!secure || t === 'tls'));
    const answers = await Promise.allSettled(candidates.map((t) => this.srvDestinations(`${SRV_PREFIXES[t]}.${host}`, t)));
    let anySrv = false;
    const destinations: Destination[] = [];
    for (const answer of answers) {
      if (answer.status === 'rejected') continue;
      if (answer.value === null) continue;
      anySrv = true;
      destinations.push(...answer.value);
    }
    if (anySrv) return destinations;
    const failure = answers.find((a) => a.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
    // RFC 3263 §4.2: no SRV: A/AAAA of the host at the default port (TLS for SIPS, else UDP).
    const t = secure ? 'tls' : 'udp';
    return this.atAddresses(host, t, fallbackPort ?? defaultPort(t));
  }

  /**
   * RFC 3263 §4.1: the NAPTR records of `host` for SIP transports Herald supports, by order
   * then preference, each followed through its SRV replacement; `null` when there is none.
   */
  private async naptrDestinations(host: string, secure: boolean): Promise<Destination[] | null> {
    // A server that cannot answer NAPTR (some answer SERVFAIL or NOTIMP) leaves SRV to ask;
    // if DNS is down altogether, those questions fail too.
    const served = await this.options.dns.naptr(host).catch((error: unknown) => {
      if (error instanceof DnsError) return [];
      throw error;
    });
    const records = usableNaptr(served, secure, this.transports);
    if (records.length === 0) return null;
    const answers = await Promise.allSettled(records.map((r) => this.srvDestinations(r.replacement, NAPTR_SERVICES[r.service.toUpperCase()].transport)));
    const destinations: Destination[] = [];
    let failure: unknown = null;
    for (const answer of answers) {
      if (answer.status === 'fulfilled') destinations.push(...(answer.value ?? []));
      else failure ??= answer.reason;
    }
    if (destinations.length === 0 && failure !== null) throw failure;
    return destinations;
  }

  /**
   * RFC 3263 §4.2: the targets of SRV `name`, ordered by RFC 2782, each at its addresses;
   * `null` when `name` has no SRV records, `[]` when they say the service is not there (`.`).
   */
  private async srvDestinations(name: string, transport: TransportProtocol): Promise<Destination[] | null> {
    const records = await this.options.dns.srv(name);
    if (records.length === 0) return null;
    const ordered = orderSrv(records, this.random);
    const answers = await Promise.allSettled(ordered.map((r) => this.options.dns.addresses(r.target)));
    const destinations: Destination[] = [];
    let failure: unknown = null;
    answers.forEach((answer, i) => {
      if (answer.status === 'rejected') failure ??= answer.reason;
      else for (const address of answer.value) destinations.push({ transport, address, port: ordered[i].port });
    });
    if (destinations.length === 0 && failure !== null) throw failure;
    return destinations;
  }

  private async atAddresses(host: string, transport: TransportProtocol, port: number): Promise<Destination[]> {
    return (await this.options.dns.addresses(host)).map((address) => ({ transport, address, port }));
  }

  /**
   * An IP address or `localhost` as it is; a name the hosts file knows at its addresses, as
   * a host (no NAPTR or SRV asked, so a lab without DNS works); `null` for DNS to answer.
   */
  private knownDestinations(host: string, port: number | null, transport: TransportProtocol | null, secure: boolean, fallbackPort?: number): Destination[] | null {
    const at = port ?? fallbackPort ?? null;
    if (needsNoDns(host)) return [literalDestination(host, at, transport, secure)];
    const addresses = this.options.dns.fromHostsFile?.(host) ?? null;
    if (addresses === null) return null;
    return withServerName(
      addresses.map((address) => literalDestination(address, at, transport, secure)),
      host,
    );
  }

  /**
   * RFC 3263 §4.3: targets that failed lately go last, in the order they had; `destinations`
   * itself when none did. For a list gathered from several next hops (a community's proxies).
   */
  failedLast(destinations: Destination[]): Destination[] {
    if (this.failedUntil.size === 0) return destinations;
    const now = this.now();
    const fresh: Destination[] = [];
    const avoided: Destination[] = [];
    for (const d of destinations) (this.failedUntil.get(destinationKey(d), now) ? avoided : fresh).push(d);
    return avoided.length === 0 ? destinations : [...fresh, ...avoided];
  }
}

function isSecure(uri: SipUri, options: ResolveUriOptions): boolean {
  return uri.scheme === 'sips' || options.secure === true;
}

/** For TLS only, a URI's `transport=tcp` means TLS, as it does in a SIPS URI. @see RFC 3261 §26.2 */
function secureTransport(transport: TransportProtocol | null, secure: boolean): TransportProtocol | null {
  return secure && transport === 'tcp' ? 'tls' : transport;
}

function uriHost(uri: SipUri, options: ResolveUriOptions): string {
  return hostAddress((options.maddr ? uri.params.get('maddr') : undefined) ?? uri.host).toLowerCase();
}

/** RFC 3263 §4.1: an IP address needs no look-up; nor does RFC 6761 §6.3's `localhost`, which is never asked of DNS. */
function needsNoDns(host: string): boolean {
  return isIP(host) !== 0 || host === 'localhost';
}

/** RFC 5922 §4: a TLS server is checked against the domain looked up, whatever SRV or the hosts file pointed to. */
function withServerName(destinations: Destination[], host: string): Destination[] {
  if (!needsNoDns(host)) for (const d of destinations) if (d.transport === 'tls') d.serverName = host;
  return destinations;
}

function literalDestination(host: string, port: number | null, transport: TransportProtocol | null, secure: boolean): Destination {
  const t = transport ?? (secure ? 'tls' : 'udp');
  return { transport: t, address: host, port: port ?? defaultPort(t) };
}

/**
 * The transport a URI names: its `transport` parameter (TCP becomes TLS for SIPS), `null`
 * when it names none. Throws a 503 `SipError` for a transport Herald does not speak.
 * @see RFC 3261 §19.1.4, §26.2.2, RFC 3263 §4.1
 */
export function uriTransport(uri: SipUri): TransportProtocol | null {
  const param = uri.params.get('transport')?.toLowerCase();
  if (!param) return null;
  const named = URI_TRANSPORTS[param];
  if (!named) throw new SipError(503, `Unsupported Transport ${param}`, 'SIP_ERR_DNS_TRANSPORT');
  return uri.scheme === 'sips' && named === 'tcp' ? 'tls' : named;
}

/**
 * The transport a request to `uri` would most likely leave on, without asking DNS: the one
 * it names, TLS for SIPS, else UDP (what a Contact written before resolution can use).
 */
export function likelyTransport(uri: SipUri): TransportProtocol {
  return uriTransport(uri) ?? (uri.scheme === 'sips' ? 'tls' : 'udp');
}

/**
 * RFC 3263 §4.1: NAPTR records that lead to SRV (flag `S`) for a SIP service Herald can
 * use (only `SIPS+D2T` for a SIPS URI), by order, then preference.
 * @see RFC 3403 §4.1
 */
export function usableNaptr(records: readonly NaptrRecord[], secure: boolean, transports: ReadonlySet<TransportProtocol>): NaptrRecord[] {
  return records
    .filter((r) => {
      const service = NAPTR_SERVICES[r.service.toUpperCase()];
      return service !== undefined && r.flags.toUpperCase() === 'S' && r.replacement !== '' && transports.has(service.transport) && (!secure || service.secure);
    })
    .sort((a, b) => a.order - b.order || a.preference - b.preference);
}

/** The weight a record of weight 0 counts for in the draw: RFC 2782's "very small chance". */
const ZERO_WEIGHT = 0.01;

/**
 * RFC 2782's order of SRV targets: by priority, lowest first; within a priority, each next
 * target drawn at random in proportion to its weight (weight 0 counts as a hundredth, so
 * it is chosen rarely but can be). Records whose target is `.` (no service) are dropped.
 * DEVIATION(RFC 2782): the draw is in [0, sum) rather than [0, sum]; the RFC's inclusive
 * draw gives the first record one unit of weight more than it has.
 * @see RFC 2782 ("Usage rules")
 */
export function orderSrv(records: readonly SrvRecord[], random: () => number = Math.random): SrvRecord[] {
  const byPriority = new Map<number, SrvRecord[]>();
  for (const r of records) {
    if (r.target === '.' || r.target === '') continue;
    let same = byPriority.get(r.priority);
    if (same === undefined) byPriority.set(r.priority, (same = []));
    same.push(r);
  }
  const ordered: SrvRecord[] = [];
  for (const priority of [...byPriority.keys()].sort((a, b) => a - b)) {
    // In target order, whatever order the server rotated them into: the same draw, the same order.
    const left = [...(byPriority.get(priority) ?? [])].sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : a.port - b.port));
    while (left.length > 0) {
      const weights = left.map((r) => (r.weight === 0 ? ZERO_WEIGHT : r.weight));
      let pick = random() * weights.reduce((sum, w) => sum + w, 0);
      let index = 0;
      while (index < left.length - 1 && pick >= weights[index]) pick -= weights[index++];
      ordered.push(left.splice(index, 1)[0]);
    }
  }
  return ordered;
}
