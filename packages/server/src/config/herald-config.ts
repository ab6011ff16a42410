import type { LdapDirectorySettings } from '../directory/ldap-directory.js';
import type { DigestPolicy } from '@herald/auth';
import type { ImPolicy } from '@herald/im';
import type { PresencePolicy } from '@herald/presence';
import type { CommunitiesSettings, FederationSettings, ProxyCoreOptions, StaticRoute } from '@herald/proxy';
import type { RegistrarPolicy } from '@herald/registrar';
import type { DnsClientOptions, RequestBudget, SipResolverOptions, TransactionTimers, TransportLimits } from '@herald/stack';

/** A transport Herald listens on (RFC 3261 §18, RFC 7118 for WebSocket). */
export type TransportName = 'udp' | 'tcp' | 'tls' | 'ws' | 'wss';

/** One `listen` entry, parsed. */
export interface ListenAddress {
  transport: TransportName;
  /** Address or hostname to bind; an IPv6 address without brackets (`::1`). */
  host: string;
  /** 0 asks the system for a free port. */
  port: number;
  /** HTTP path of the WebSocket upgrade; present on `ws` and `wss` only. */
  path?: string;
  /** Normalised form for logs and error messages: `udp://[::1]:5060`, `ws://0.0.0.0:8080/sip`. */
  uri: string;
  /**
   * TLS/WSS: ask clients for a certificate (never required; the SIP layer decides). Absent:
   * `request` on tls://, `none` on wss:// (unless `tls.requestCert`). @see RFC 5922 §7.1
   */
  clientCert?: 'request' | 'none';
}

/** Certificate for `tls://` and `wss://` listeners; paths are absolute and were readable at load. */
export interface TlsConfig {
  cert: string;
  key: string;
  /** Further trusted CAs, added to the system store (or alone, with `systemCa: false`). */
  ca?: string;
  /** Trust Node's bundled root store as well as `ca` (default true). */
  systemCa: boolean;
  /** Ask for a client certificate on every tls:// and wss:// listener without its own `clientCert`; never required. */
  requestCert: boolean;
}

/** Where shared state lives: the embedded store (memory and SQLite in `dataDir`) or Redis. */
export type StoreConfig = { kind: 'embedded' } | ({ kind: 'redis'; url: string } & RedisConfig);

/** How to reach Redis besides its URL: a key prefix, Sentinel or Cluster (passed to ioredis). */
export interface RedisConfig {
  keyPrefix?: string;
  /** Sentinels asked for the master `name`; the URL then gives credentials, TLS and database. */
  sentinels?: Array<{ host: string; port: number }>;
  name?: string;
  /** Cluster seed nodes; the URL then gives credentials and TLS. */
  cluster?: Array<{ host: string; port: number }>;
}

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'pretty';

export interface LogConfig {
  level: LogLevel;
  /** `auto`: `pretty` when the log goes to a terminal, `json` otherwise. */
  format: LogFormat | 'auto';
}

/**
 * `sip:`: @herald/stack's transaction timer bases (ms) and transport limits (bytes,
 * connections, ms), and the Server header.
 */
export interface SipConfig {
  timers: Pick<TransactionTimers, 't1' | 't2' | 't4'>;
  limits: TransportLimits;
  /** Transactions one worker holds at most. */
  maxTransactions: number;
  requestBudget: RequestBudget;
  /** Value of the Server (and User-Agent) header. */
  userAgent: string;
}

/**
 * `dns:`: @herald/stack's DnsClient: servers (`host:port`, the system's when empty), the
 * wait per try (ms), rounds over the servers, and the cache's caps (seconds, questions).
 */
export type DnsConfig = Required<Pick<DnsClientOptions, 'timeoutMs' | 'attempts' | 'cacheMaxTtl' | 'negativeTtlMax' | 'cacheSize'>> & { servers: string[] } & Required<Pick<SipResolverOptions, 'failedTargetMs'>>;

/** An account created (or its password reset) at start-up. */
export interface UserSeed {
  user: string;
  /** A served domain; also the digest realm. */
  domain: string;
  password: string;
}

/** `auth:`: @herald/auth's digest policy, and what only the server decides. */
export interface AuthConfig extends DigestPolicy {
  /** When false, anyone may register any AoR of a served domain (a lab or benchmark setting). */
  enabled: boolean;
  /** Nonce signing secret; when absent, one is generated and shared through the store. */
  secret?: string;
}

/** `proxy:`: @herald/proxy's Timer C. */
export type ProxyConfig = Pick<ProxyCoreOptions, 'inviteTimeoutMs'>;

/** The admin HTTP API, `/metrics` and `/healthz`. */
export interface AdminConfig {
  /** Address to listen on, e.g. 127.0.0.1; keep it on loopback or a management network. */
  host: string;
  port: number;
  /** Bearer token the `/api/` endpoints require. */
  token: string;
}

/** One SRV record this node publishes for itself (RFC 2782), its target being the node's host name. */
export interface DdnsSrv {
  /** Owner name relative to the zone: `_sip._udp`, `_sips._tcp`, `_im._sip`. */
  service: string;
  port: number;
  priority: number;
  weight: number;
}

/** Where the node's own addresses come from. */
export type DdnsAddressSource = { kind: 'static'; addresses: string[] } | { kind: 'interface'; name: string };

/**
 * `ddns:`: this node keeps its records in its zone current with RFC 2136 UPDATEs signed with
 * TSIG (RFC 8945). Defaults are `DDNS_DEFAULTS` of ddns/ddns-service.ts.
 */
export interface DdnsConfig {
  /** The zone's apex, lower case, no trailing dot. */
  zone: string;
  /** The primary server that takes the updates. */
  server: { host: string; port: number };
  /** The TSIG key; `secret` in base64, as in a BIND `key` statement. */
  key: { name: string; algorithm: 'hmac-sha256'; secret: string };
  /** This node's name, fully qualified inside the zone: `sip1.example.com`. */
  host: string;
  /** Absent when `records.address` is false (the operator keeps the node's address records). */
  address?: DdnsAddressSource;
  /** TTL of the published records, seconds. */
  ttl: number;
  records: { address: boolean; srv: DdnsSrv[]; naptr: boolean };
  checkIntervalMs: number;
  withdrawOnShutdown: boolean;
}

/** ENUM (RFC 6116): where telephone numbers are looked up. */
export interface EnumConfig {
  /** Domains under which numbers are published (`e164.arpa`, private trees), tried in order; empty turns ENUM off. */
  suffixes: string[];
}

/** `federation:` as read: @herald/proxy's federation settings (the admin API adds run-time allow and block entries on top). */
export type FederationConfig = FederationSettings;

/** The validated configuration of a Herald daemon. */
export interface HeraldConfig {
  /** Absolute path of the file read, or undefined when running on defaults. */
  source?: string;
  /** SIP domains served, lower case; IPv6 literals in brackets as in a SIP URI. */
  domains: string[];
  listen: ListenAddress[];
  tls?: TlsConfig;
  store: StoreConfig;
  /** Absolute path of the embedded store's directory. */
  dataDir: string;
  log: LogConfig;
  sip: SipConfig;
  users: UserSeed[];
  auth: AuthConfig;
  registrar: RegistrarPolicy;
  proxy: ProxyConfig;
  im: ImPolicy;
  presence: PresencePolicy;
  dns: DnsConfig;
  /** Next hops for other domains (`peer.test`, or `*.acme.com` for its subdomains), in order. */
  routes: StaticRoute[];
  enum: EnumConfig;
  /** Trust and policy towards other domains: levels, allow and block lists, peers. @see docs/federation.md */
  federation: FederationSettings;
  /** Gateway communities: named peer policies over several domains, reached through their connectors. @see docs/gateways.md */
  communities: CommunitiesSettings;
  /** Worker processes sharing the listeners: 1 on the embedded store, one per core (or as set) on Redis. */
  workers: number;
  /** Absent when the admin API is off. */
  admin?: AdminConfig;
  /** Absent when the node does not publish its own DNS records. */
  ddns?: DdnsConfig;
  /** Absent when ID conversion reads its mapping from the store alone. @see docs/gateways.md */
  directory?: DirectoryConfig;
}

/** `directory:`: an LDAP directory as the second source of ID conversion's mapping, after the store. */
export interface DirectoryConfig {
  ldap: LdapDirectorySettings;
}
