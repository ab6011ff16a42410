import type { StaticRoute } from '@herald/proxy';

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
}

/** Certificate for `tls://` and `wss://` listeners; paths are absolute and were readable at load. */
export interface TlsConfig {
  cert: string;
  key: string;
  ca?: string;
  /** Ask clients for a certificate (mutual TLS between federated domains). */
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
  format: LogFormat;
}

/** SIP timers and limits. */
export interface SipConfig {
  /** @see RFC 3261 §17.1.1.1 T1, RTT estimate, in ms. */
  t1: number;
  /** @see RFC 3261 §17.1.2.2 T2, the cap on non-INVITE request and INVITE response retransmit intervals, in ms. */
  t2: number;
  /** @see RFC 3261 §17.1.2.2 T4, how long a message may remain in the network, in ms. */
  t4: number;
  /** Largest message accepted, start line to end of body, in bytes. */
  maxMessageSize: number;
  /** Largest header block (start line and headers), in bytes. */
  maxHeaderSize: number;
  /** Largest body, in bytes; defaults to `maxMessageSize`. */
  maxBodySize: number;
  /** Open TCP, TLS and WebSocket connections allowed from one source IP address. */
  maxConnectionsPerSource: number;
  /** Seconds a connection may stay idle before Herald closes it. */
  idleConnectionTimeout: number;
  /** Value of the Server (and User-Agent) header. */
  userAgent: string;
}

/** An account created (or its password reset) at start-up. */
export interface UserSeed {
  user: string;
  /** A served domain; also the digest realm. */
  domain: string;
  password: string;
}

/** Digest hash algorithms, in the order challenges offer them. @see RFC 8760 §2.4 */
export type AuthAlgorithm = 'SHA-256' | 'MD5';

/** Digest authentication of local users. @see RFC 3261 §22, RFC 7616 */
export interface AuthConfig {
  /** When false, anyone may register any AoR of a served domain (a lab or benchmark setting). */
  enabled: boolean;
  /** Nonce signing secret; when absent, one is generated and shared through the store. */
  secret?: string;
  /** Seconds a nonce stays valid; an older one gets `stale=true`. */
  nonceLifetime: number;
  algorithms: AuthAlgorithm[];
  /** Check that the digest `uri` is the Request-URI (RFC 2617 §3.2.2.5 SHOULD). */
  checkDigestUri: boolean;
  /** User-Agent prefixes offered MD5 alone: clients that know only MD5 and give up on a list that holds SHA-256 (SIP.js, JsSIP, SIPp, baresip 1.x). */
  md5OnlyUserAgents: string[];
  /** Failed authentications from one IP address within `failureWindow` before it is refused. */
  maxFailuresPerSource: number;
  /** Failed authentications for one user within `failureWindow` before it is refused. */
  maxFailuresPerUser: number;
  /** Seconds. */
  failureWindow: number;
}

/** How long a registration, subscription or publication may last. */
export interface Intervals {
  /** Seconds, when the request asks for no interval. */
  defaultExpires: number;
  /** Seconds; a shorter non-zero interval gets 423 with Min-Expires. */
  minExpires: number;
  /** Seconds; a longer interval is shortened. */
  maxExpires: number;
}

/** @see RFC 3261 §10.3 */
export interface RegistrarConfig extends Intervals {
  /** Bindings one AoR may hold. */
  maxContacts: number;
}

/** The presence agent (`presence:`): intervals for SUBSCRIBE and PUBLISH. @see RFC 3856, RFC 3903 */
export interface PresenceConfig extends Intervals {
  /** Seconds after a NOTIFY during which further changes to the presentity are merged into one NOTIFY; 0 sends each. */
  notifyWindow: number;
  /** A presentity that publishes nothing is `open` while it has a registered contact. */
  fromRegistration: boolean;
  /** What happens to a watcher of a served domain that no rule of the presentity names. */
  localWatchers: WatcherAction;
  /** The same, for a watcher of any other domain. */
  foreignWatchers: WatcherAction;
  /** Other defaults for the presentities of one served domain. */
  domains: PresenceDomainConfig[];
}

/** allow, block (403), polite-block (told `closed`), confirm (pending until the presentity decides). @see RFC 5025 §3.2.1 */
export type WatcherAction = 'allow' | 'block' | 'polite-block' | 'confirm';

/** `presence.domains` entry: watcher defaults for the presentities of `domain`. */
export interface PresenceDomainConfig {
  domain: string;
  localWatchers: WatcherAction;
  foreignWatchers: WatcherAction;
}

/** One `routes:` entry: requests for `domain` (`peer.test`, or `*.acme.com` for its subdomains) go to `to`. */
export type RouteConfig = StaticRoute;

/** Instant messages (`im:`). */
export interface ImConfig {
  /** Largest MESSAGE body accepted, bytes (413 above). */
  maxBodySize: number;
  /** Largest MESSAGE accepted over UDP, bytes (513 above, RFC 3428 §5). */
  udpMessageLimit: number;
  /** Seconds a stored message waits for its recipient. */
  storeFor: number;
  /** Messages one recipient may have waiting. */
  maxStoredPerUser: number;
}

/** The proxy (`proxy:`). */
export interface ProxyConfig {
  /** Seconds an INVITE branch may ring without a final response before it is cancelled (Timer C, RFC 3261 §16.6 step 11). */
  inviteTimeout: number;
}

/** The admin HTTP API, `/metrics` and `/healthz`. */
export interface AdminConfig {
  /** Address to listen on, e.g. 127.0.0.1; keep it on loopback or a management network. */
  host: string;
  port: number;
  /** Bearer token the `/api/` endpoints require. */
  token: string;
}

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
  registrar: RegistrarConfig;
  proxy: ProxyConfig;
  im: ImConfig;
  presence: PresenceConfig;
  /** Next hops for other domains, in order. */
  routes: RouteConfig[];
  /** Worker processes sharing the listeners: 1 on the embedded store, one per core (or as set) on Redis. */
  workers: number;
  /** Absent when the admin API is off. */
  admin?: AdminConfig;
}
