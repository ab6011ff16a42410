import { getServers } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { type Clock, systemClock } from '../clock.js';
import { DnsCache } from './dns-cache.js';
import { type DnsServer, parseDnsServer, randomDnsId, tcpExchange, udpExchange } from './dns-exchange.js';
import { DnsError, type DnsLookup, type NaptrRecord, type SrvRecord } from './dns-lookup.js';
import { type DecodedMessage, decodeDnsMessage, decodeHeader, type DnsRecord, encodeDnsMessage, RCODE, type RecordTypeName } from './dns-wire.js';

/** How a question sent to the servers ended, as counted in `herald_dns_queries_total{result}`. */
export type DnsQueryOutcome = 'answer' | 'nxdomain' | 'nodata' | 'timeout' | 'unreachable' | 'servfail' | 'refused' | 'malformed';

export interface DnsClientOptions {
  /** `host:port` (`[IPv6]:port`), asked in order; the system's (`/etc/resolv.conf`) when absent or empty. */
  servers?: readonly string[];
  /** Milliseconds one try waits for an answer. */
  timeoutMs?: number;
  /** How many times the whole server list is tried. */
  attempts?: number;
  /** Seconds an answer is kept at most, whatever its TTL. */
  cacheMaxTtl?: number;
  /** Seconds a "no such name" or "no such record" answer is kept at most (RFC 2308 §5). */
  negativeTtlMax?: number;
  /** Questions kept in the cache; the least recently used go first. */
  cacheSize?: number;
  /**
   * Names answered without asking DNS, before it, as the system's resolver does with
   * `/etc/hosts` ("files dns" in nsswitch.conf): see `readHostsFile`.
   */
  hosts?: ReadonlyMap<string, readonly string[]>;
  /**
   * Asked for the addresses of a name DNS gives none for (or cannot be asked about): the
   * system's own look-up (`getaddrinfo`: the search list of resolv.conf, nsswitch, mDNS),
   * so that a short name such as a Kubernetes service keeps working. See `systemLookup`.
   */
  systemLookup?: (name: string) => Promise<string[]>;
  /** EDNS0 UDP payload size advertised (RFC 6891 §6.2.5); 0 sends no OPT record (512 octets). */
  udpPayloadSize?: number;
  clock?: Clock;
  /** Each question that went to the network, with how it ended. */
  onQuery?: (type: string, outcome: DnsQueryOutcome) => void;
  /** Each question answered from the cache. */
  onCacheHit?: (type: string) => void;
}

/** The defaults of `DnsClientOptions`, owned here and documented in docs/configuration.md. */
export const DNS_CLIENT_DEFAULTS = {
  timeoutMs: 2000,
  attempts: 2,
  cacheMaxTtl: 3600,
  negativeTtlMax: 300,
  cacheSize: 10_000,
  udpPayloadSize: 1232,
} as const;

/**
 * How long a question no server could answer fails at once when asked again, so that while
 * DNS is down each request does not wait out every server's timeout. RFC 2308 §7 allows up
 * to five minutes; a few seconds is enough to spare the waits and short enough to notice
 * DNS coming back.
 */
const FAILURE_CACHE_MS = 5_000;

/** CNAMEs followed for one question, across queries. @see RFC 1034 §3.6.2 */
const MAX_CNAME_CHAIN = 8;

/** The question types `DnsClient.query` takes. */
export type QuestionType = Extract<RecordTypeName, 'A' | 'AAAA' | 'SRV' | 'NAPTR'>;
type Answer = { records: DnsRecord[]; ttl: number };

/**
 * A stub resolver with our own codec, so that every answer comes with its TTL: asks the
 * configured servers in order over UDP (TCP when the answer is truncated), follows CNAMEs,
 * and caches positive answers for their TTL and negative ones as RFC 2308 §5 says, both
 * capped, in a bounded LRU cache. Identical questions asked together share one query.
 * @see RFC 1035 §7, RFC 2308 §5, RFC 5452
 */
export class DnsClient implements DnsLookup {
  readonly servers: readonly DnsServer[];
  private readonly options: Required<Omit<DnsClientOptions, 'servers' | 'hosts' | 'systemLookup' | 'onQuery' | 'onCacheHit'>> & DnsClientOptions;
  private readonly cache: DnsCache<DnsRecord[]>;
  private readonly inFlight = new Map<string, Promise<DnsRecord[]>>();
  private readonly failures: DnsCache<DnsError>;

  constructor(options: DnsClientOptions = {}) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as DnsClientOptions;
    this.options = { ...DNS_CLIENT_DEFAULTS, clock: systemClock, ...defined };
    const servers = options.servers?.length ? options.servers : getServers();
    this.servers = servers.map(parseDnsServer);
    this.cache = new DnsCache(this.options.cacheSize);
    this.failures = new DnsCache(this.options.cacheSize);
  }

  /** Questions in the cache (expired ones included until touched). */
  get cacheEntries(): number {
    return this.cache.size;
  }

  async addresses(name: string): Promise<string[]> {
    if (isIP(name)) return [name];
    const bare = name.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bare)) return [bare];
    if (name.toLowerCase().replace(/\.$/, '') === 'localhost') return ['127.0.0.1']; // RFC 6761 §6.3
    const fromHosts = this.fromHostsFile(name);
    if (fromHosts !== null) return fromHosts;
    // RFC 3263 §4.2 asks for A or AAAA; both are asked together, IPv4 first in the result.
    const [v4, v6] = await Promise.allSettled([this.query(name, 'A'), this.query(name, 'AAAA')]);
    const found = [v4, v6].flatMap((r) => (r.status === 'fulfilled' ? r.value : [])).flatMap((r) => (r.type === 'A' || r.type === 'AAAA' ? [r.address] : []));
    if (found.length > 0) return found;
    const fromSystem = (await this.options.systemLookup?.(name).catch(() => [])) ?? [];
    if (fromSystem.length > 0) return fromSystem;
    for (const r of [v4, v6]) if (r.status === 'rejected') throw r.reason;
    return [];
  }

  fromHostsFile(name: string): string[] | null {
    const known = this.options.hosts?.get(name.toLowerCase().replace(/\.$/, ''));
    return known === undefined ? null : [...known];
  }

  async srv(name: string): Promise<SrvRecord[]> {
    const records = await this.query(name, 'SRV');
    return records.flatMap((r) => (r.type === 'SRV' ? [{ priority: r.priority, weight: r.weight, port: r.port, target: r.target.toLowerCase() }] : []));
  }

  async naptr(name: string): Promise<NaptrRecord[]> {
    const records = await this.query(name, 'NAPTR');
    return records.flatMap((r) =>
      r.type === 'NAPTR'
        ? [{ order: r.order, preference: r.preference, flags: r.flags.toUpperCase(), service: r.service, regexp: r.regexp, replacement: r.replacement.toLowerCase() }]
        : [],
    );
  }

  /**
   * The records of `type` at `name`, CNAMEs followed: from the cache when there, else from
   * the servers (sharing a query already in flight). `[]` for NXDOMAIN and NODATA. Each
   * caller gets an array of its own; the records in it are shared, and not to be changed.
   */
  query(name: string, type: QuestionType): Promise<DnsRecord[]> {
    const key = `${type} ${name.toLowerCase().replace(/\.$/, '')}`;
    const cached = this.cache.get(key, this.options.clock.now());
    if (cached) {
      this.options.onCacheHit?.(type);
      return Promise.resolve(cached.slice()); // the caller may sort its copy
    }
    const failed = this.failures.get(key, this.options.clock.now());
    if (failed) return Promise.reject(failed);
    const pending = this.inFlight.get(key);
    if (pending) return pending.then((records) => records.slice());
    const asked = this.resolve(name.replace(/\.$/, ''), type).then(
      ({ records, ttl }) => {
        if (ttl > 0) this.cache.set(key, records, this.options.clock.now() + ttl * 1000);
        return records;
      },
      (error: unknown) => {
        // RFC 2308 §7.1: a server failure may be remembered, briefly.
        if (error instanceof DnsError) this.failures.set(key, error, this.options.clock.now() + FAILURE_CACHE_MS);
        throw error;
      },
    );
    const shared = asked.finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, shared);
    return shared.then((records) => records.slice());
  }

  /**
   * Asks for `type` at `name` and follows a CNAME chain, within the answer and then with
   * one more query per link that leaves it. The TTL is the least of every record used,
   * capped; a negative answer's TTL comes from the SOA (RFC 2308 §5).
   * @see RFC 1034 §5.3.3 step 3, RFC 2308 §2.1
   */
  private async resolve(name: string, type: QuestionType): Promise<Answer> {
    let current = name;
    let ttl = this.options.cacheMaxTtl;
    let links = 0;
    for (;;) {
      const asked = current;
      const response = await this.ask(asked, type);
      for (;;) {
        const owned = response.answers.filter((r) => sameName(r.name, current));
        const records = owned.filter((r) => r.type === type);
        if (records.length > 0) {
          this.options.onQuery?.(type, 'answer');
          return { records, ttl: Math.min(ttl, ...records.map((r) => r.ttl)) };
        }
        const cname = owned.find((r) => r.type === 'CNAME');
        if (!cname || cname.type !== 'CNAME') {
          // RFC 2308 §2.1–§2.2: after a CNAME, NXDOMAIN or a SOA speaks of the last name; a bare
          // NOERROR means the server knows nothing more of it, so it is asked for next.
          const leftAnswer = !sameName(current, asked) && response.rcode === RCODE.NOERROR && !response.authorities.some((r) => r.type === 'SOA');
          if (leftAnswer) break;
          return this.negative(response, type, ttl);
        }
        if (++links > MAX_CNAME_CHAIN) throw new DnsError(`the CNAME chain of ${name} is longer than ${MAX_CNAME_CHAIN}`, 'SIP_ERR_DNS_MALFORMED');
        ttl = Math.min(ttl, cname.ttl);
        current = cname.target;
      }
    }
  }

  /** NXDOMAIN or NODATA: kept for min(SOA TTL, SOA MINIMUM), capped; not kept without a SOA. @see RFC 2308 §5 */
  private negative(response: DecodedMessage, type: QuestionType, ttl: number): Answer {
    this.options.onQuery?.(type, response.rcode === RCODE.NXDOMAIN ? 'nxdomain' : 'nodata');
    const soa = response.authorities.find((r) => r.type === 'SOA');
    if (!soa || soa.type !== 'SOA') return { records: [], ttl: 0 };
    return { records: [], ttl: Math.min(ttl, soa.ttl, soa.minimum, this.options.negativeTtlMax) };
  }

  /**
   * One question to the servers: each in order, `attempts` times round, a new random ID per
   * try; a truncated UDP answer is asked again over TCP (RFC 1035 §4.2.1); a server that
   * answers SERVFAIL, REFUSED or nonsense is passed over for the next.
   * @see RFC 1035 §7.2, RFC 5452 §9.2
   */
  private async ask(name: string, type: QuestionType): Promise<DecodedMessage> {
    let failure: DnsError = new DnsError('no DNS servers configured and none in /etc/resolv.conf', 'SIP_ERR_DNS_UNREACHABLE');
    for (let attempt = 0; attempt < this.options.attempts; attempt++) {
      for (const server of this.servers) {
        try {
          const response = await this.exchange(server, name, type);
          if (response.rcode === RCODE.NOERROR || response.rcode === RCODE.NXDOMAIN) return response;
          failure = rcodeError(server, name, type, response.rcode);
        } catch (error) {
          if (!(error instanceof DnsError)) throw error;
          failure = error;
        }
      }
    }
    this.options.onQuery?.(type, outcomeOf(failure));
    throw failure;
  }

  private async exchange(server: DnsServer, name: string, type: QuestionType, edns = this.options.udpPayloadSize > 0): Promise<DecodedMessage> {
    const query = encodeDnsMessage({
      id: randomDnsId(),
      flags: { rd: true },
      questions: [{ name, type }],
      edns: edns ? { udpPayloadSize: this.options.udpPayloadSize } : undefined,
    });
    const opts = { timeout: this.options.timeoutMs, clock: this.options.clock };
    let raw = await udpExchange(server, query, opts);
    if (decodeHeader(raw).flags.tc) raw = await tcpExchange(server, query, opts);
    const response = decodeDnsMessage(raw);
    // RFC 6891 §7: a server that does not know EDNS answers FORMERR; ask it again without.
    if (edns && response.rcode === RCODE.FORMERR && !response.edns) return this.exchange(server, name, type, false);
    return response;
  }
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase(); // RFC 4343
}

function rcodeError(server: DnsServer, name: string, type: string, rcode: number): DnsError {
  const what = `DNS server ${server.host}:${server.port} answered ${name} ${type} with RCODE ${rcode}`;
  return new DnsError(what, rcode === RCODE.REFUSED ? 'SIP_ERR_DNS_REFUSED' : 'SIP_ERR_DNS_SERVFAIL');
}

function outcomeOf(error: DnsError): DnsQueryOutcome {
  switch (error.code) {
    case 'SIP_ERR_DNS_TIMEOUT':
      return 'timeout';
    case 'SIP_ERR_DNS_UNREACHABLE':
      return 'unreachable';
    case 'SIP_ERR_DNS_REFUSED':
      return 'refused';
    case 'SIP_ERR_DNS_MALFORMED':
      return 'malformed';
    default:
      return 'servfail';
  }
}

/** The system's own address look-up (`getaddrinfo`), for `DnsClientOptions.systemLookup`. */
export async function systemLookup(name: string): Promise<string[]> {
  return (await lookup(name, { all: true })).map((a) => a.address);
}
