import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { DEFAULT_MD5_ONLY_USER_AGENTS } from '@herald/auth';
import type { StaticRoute } from '@herald/proxy';
import { isSipUri, parseUri } from '@herald/sip';
import { userNameProblem } from '../account-name.js';
import { LineCounter, parseDocument } from 'yaml';
import { ConfigError, type ConfigErrorCode } from './config-error.js';

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

/** File looked for in the working directory when no path is given. */
export const DEFAULT_CONFIG_FILE = 'herald.yaml';

const TRANSPORTS: readonly TransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];
const DEFAULT_PORTS: Record<TransportName, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 8080, wss: 8443 };
const LOG_LEVELS: readonly LogLevel[] = ['error', 'warn', 'info', 'debug'];
const LOG_FORMATS: readonly LogFormat[] = ['json', 'pretty'];

const TOP_KEYS = ['domains', 'listen', 'tls', 'store', 'dataDir', 'log', 'sip', 'users', 'auth', 'registrar', 'proxy', 'routes', 'im', 'presence', 'workers', 'admin', 'redis'] as const;
const PROXY_KEYS = ['inviteTimeout'] as const;
const IM_KEYS = ['maxBodySize', 'udpMessageLimit', 'storeFor', 'maxStoredPerUser'] as const;
const PRESENCE_KEYS = ['defaultExpires', 'minExpires', 'maxExpires', 'notifyWindow', 'fromRegistration', 'localWatchers', 'foreignWatchers', 'domains'] as const;
const PRESENCE_DOMAIN_KEYS = ['domain', 'localWatchers', 'foreignWatchers'] as const;
const WATCHER_ACTIONS: readonly WatcherAction[] = ['allow', 'block', 'polite-block', 'confirm'];
const ROUTE_KEYS = ['domain', 'to'] as const;
const ADMIN_KEYS = ['listen', 'token'] as const;
const REDIS_KEYS = ['keyPrefix', 'sentinels', 'name', 'cluster'] as const;
const USER_KEYS = ['user', 'domain', 'password'] as const;
const AUTH_KEYS = ['enabled', 'secret', 'nonceLifetime', 'algorithms', 'checkDigestUri', 'md5OnlyUserAgents', 'maxFailuresPerSource', 'maxFailuresPerUser', 'failureWindow'] as const;
const AUTH_ALGORITHMS: readonly AuthAlgorithm[] = ['SHA-256', 'MD5'];
const REGISTRAR_KEYS = ['defaultExpires', 'minExpires', 'maxExpires', 'maxContacts'] as const;
const TLS_KEYS = ['cert', 'key', 'ca', 'requestCert'] as const;
const LOG_KEYS = ['level', 'format'] as const;
const SIP_KEYS = [
  't1',
  't2',
  't4',
  'maxMessageSize',
  'maxHeaderSize',
  'maxBodySize',
  'maxConnectionsPerSource',
  'idleConnectionTimeout',
  'userAgent',
] as const;

// setTimeout fires at once for delays above 2^31 - 1 ms.
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The configuration used when no file is given, with `dataDir` under `baseDir`. */
export function defaultConfig(baseDir: string = process.cwd()): HeraldConfig {
  return validate({}, undefined, baseDir);
}

/**
 * Reads and validates the configuration file.
 *
 * The file is `path`, else `env.HERALD_CONFIG`, else `herald.yaml` in the working
 * directory if present; with none of them Herald runs on {@link defaultConfig}.
 *
 * @throws ConfigError listing every problem found, or naming the file that cannot be read.
 */
export function loadConfig(path?: string, env: NodeJS.ProcessEnv = process.env): HeraldConfig {
  const fromEnv = path === undefined && env.HERALD_CONFIG !== undefined && env.HERALD_CONFIG !== '';
  const given = path ?? (fromEnv ? env.HERALD_CONFIG : undefined);
  if (given === undefined && !existsSync(DEFAULT_CONFIG_FILE)) return defaultConfig();

  const file = resolve(given ?? DEFAULT_CONFIG_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const fix = fromEnv
      ? 'check the path in HERALD_CONFIG, or unset it to start on the defaults'
      : 'check the path, or give none to start on the defaults';
    throw ConfigError.collect(file, [
      new ConfigError('', `cannot read the configuration file (${fileError(error)}); ${fix}`, 'HERALD_ERR_CONFIG_FILE'),
    ]);
  }
  return parseConfig(text, file);
}

/**
 * Parses and validates configuration text. Relative paths in it (`tls.cert`, `dataDir`)
 * are resolved against the directory of `source`, the file the text came from.
 *
 * @throws ConfigError listing every problem found.
 */
export function parseConfig(text: string, source: string): HeraldConfig {
  const file = resolve(source);
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  // Only the first: the errors after a syntax error mostly follow from it.
  const [syntax] = doc.errors;
  if (syntax !== undefined) {
    const { line, col } = lines.linePos(syntax.pos[0]);
    const detail = `line ${line}, column ${col}: ${syntax.message}; fix the YAML there (indent with spaces, quote values that contain ": " or " #")`;
    throw ConfigError.collect(file, [new ConfigError('', detail, 'HERALD_ERR_CONFIG_SYNTAX')]);
  }

  let raw: unknown;
  try {
    raw = doc.toJS();
  } catch (error) {
    const detail = `${(error as Error).message}; fix the YAML aliases (*name)`;
    throw ConfigError.collect(file, [new ConfigError('', detail, 'HERALD_ERR_CONFIG_SYNTAX')]);
  }
  return validate(raw, file, dirname(file));
}

function validate(raw: unknown, source: string | undefined, baseDir: string): HeraldConfig {
  const problems = new Problems();
  const top = problems.check(() => expectMap('', raw ?? {})) ?? {};
  checkKeys('', top, TOP_KEYS, problems);

  const domains = readDomains(top.domains, problems);
  const listen = readListen(top.listen, problems);
  const tls = readTls(top.tls, listen ?? [], baseDir, problems);
  const store = withRedis(problems.check(() => readStore(top.store ?? 'embedded')), top.redis, problems);
  const dataDir = problems.check(() => resolve(baseDir, expectString('dataDir', top.dataDir ?? './data')));
  const log = readLog(top.log, problems);
  const sip = readSip(top.sip, problems);
  const users = readUsers(top.users, domains ?? [], problems);
  const auth = readAuth(top.auth, problems);
  const registrar = readRegistrar(top.registrar, problems);
  const proxy = readProxy(top.proxy, problems);
  const im = readIm(top.im, sip, problems);
  const presence = readPresence(top.presence, domains ?? [], problems);
  const routes = readRoutes(top.routes, domains ?? [], problems);
  const workers = store === undefined ? undefined : problems.check(() => readWorkers(top.workers ?? 'auto', store));
  const admin = readAdmin(top.admin, problems);

  if (
    problems.list.length > 0 ||
    domains === undefined ||
    listen === undefined ||
    store === undefined ||
    dataDir === undefined ||
    log === undefined ||
    sip === undefined ||
    users === undefined ||
    auth === undefined ||
    registrar === undefined ||
    proxy === undefined ||
    im === undefined ||
    presence === undefined ||
    routes === undefined ||
    workers === undefined ||
    (top.admin != null && admin === undefined)
  ) {
    throw ConfigError.collect(source ?? 'configuration', problems.list);
  }
  return { source, domains, listen, ...(tls && { tls }), store, dataDir, log, sip, users, auth, registrar, proxy, im, presence, routes, workers, ...(admin && { admin }) };
}

function readDomains(value: unknown, problems: Problems): string[] | undefined {
  const list = problems.check(() => expectList('domains', value ?? ['localhost'], 'example.com'));
  if (list === undefined) return undefined;
  if (list.length === 0) {
    problems.add('domains', 'is empty; list the SIP domains Herald serves, e.g. domains: [example.com]');
    return undefined;
  }
  const domains = list.map((entry, i) => problems.check(() => parseDomain(`domains[${i}]`, entry)));
  return allDefined(domains) ? [...new Set(domains)] : undefined;
}

function parseDomain(key: string, value: unknown): string {
  const text = expectString(key, value).toLowerCase();
  if (isIPv4(text) || isHostname(text)) return text;
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (isIPv6(bare)) return `[${bare}]`;

  const withoutScheme = text.replace(/^sips?:/, '');
  const withoutPort = withoutScheme.replace(/:\d*$/, '');
  const fix =
    withoutPort !== text && (isHostname(withoutPort) || isIPv4(withoutPort))
      ? `a domain is a bare host name, without scheme or port; write ${withoutPort}`
      : /^[\d.]+$/.test(text)
        ? 'write a valid IPv4 address, or a host name such as example.com'
        : 'write a host name such as example.com, or an IP address';
  throw new ConfigError(key, `"${value}" is not a domain name or IP address; ${fix}`);
}

function readListen(value: unknown, problems: Problems): ListenAddress[] | undefined {
  const fallback = ['udp://127.0.0.1:5060', 'tcp://127.0.0.1:5060'];
  const list = problems.check(() => expectList('listen', value ?? fallback, '"udp://0.0.0.0:5060"'));
  if (list === undefined) return undefined;
  if (list.length === 0) {
    problems.add('listen', 'is empty; list at least one address, e.g. listen: ["udp://0.0.0.0:5060"]');
    return undefined;
  }
  const taken = new Map<string, string>();
  const addresses: ListenAddress[] = [];
  list.forEach((entry, i) => {
    const key = `listen[${i}]`;
    const address = problems.check(() => parseListenUri(key, entry));
    if (address === undefined) return;
    addresses.push(address);
    if (address.port === 0) return;
    // TCP, TLS, WS and WSS listeners all take a TCP port; UDP ports are separate.
    const socket = address.transport === 'udp' ? 'UDP' : 'TCP';
    const slot = `${socket} ${address.host} ${address.port}`;
    const owner = taken.get(slot);
    if (owner === undefined) {
      taken.set(slot, `${key} ("${address.uri}")`);
    } else {
      problems.add(key, `"${address.uri}" takes the same ${socket} port as ${owner}; remove one, or give each its own port`);
    }
  });
  return addresses;
}

/**
 * Parses `transport://host[:port][/path]`.
 */
function parseListenUri(key: string, value: unknown): ListenAddress {
  const text = expectString(key, value);
  const match = /^([a-z][a-z0-9+.-]*):\/\/([^/]*)(.*)$/i.exec(text);
  if (match === null) {
    const guess = ['wss', 'ws', 'udp', 'tcp', 'tls'].find((t) => text.toLowerCase().startsWith(t)) as TransportName | undefined;
    const fix =
      guess === undefined
        ? `write it as TRANSPORT://HOST:PORT with TRANSPORT one of ${TRANSPORTS.join(', ')}, e.g. udp://0.0.0.0:5060`
        : `write it as ${guess}://HOST:PORT, e.g. ${guess}://0.0.0.0:${DEFAULT_PORTS[guess]}`;
    throw new ConfigError(key, `"${text}" is not a listen URI; ${fix}`);
  }
  const [, scheme = '', authority = '', path] = match;
  const transport = scheme.toLowerCase() as TransportName;
  if (!TRANSPORTS.includes(transport)) {
    throw new ConfigError(key, `"${text}": Herald has no "${scheme}" transport; use one of ${TRANSPORTS.join(', ')}`);
  }
  const defaultPort = DEFAULT_PORTS[transport];

  let host: string;
  let portText: string | undefined;
  const bracketed = authority.startsWith('[');
  if (bracketed) {
    const close = authority.indexOf(']');
    host = authority.slice(1, close).toLowerCase();
    const rest = authority.slice(close + 1);
    if (close < 0 || !isIPv6(host) || (rest !== '' && !rest.startsWith(':'))) {
      throw new ConfigError(key, `"${text}" has a malformed IPv6 host; write it as ${transport}://[ADDRESS]:PORT, e.g. ${transport}://[::]:${defaultPort}`);
    }
    portText = rest === '' ? undefined : rest.slice(1);
  } else {
    const parts = authority.split(':');
    if (parts.length > 2) {
      throw new ConfigError(key, `"${text}": an IPv6 address must be in brackets; write it as ${transport}://[ADDRESS]:PORT, e.g. ${transport}://[::1]:${defaultPort}`);
    }
    host = (parts[0] ?? '').toLowerCase();
    portText = parts[1];
    if (host === '') {
      throw new ConfigError(key, `"${text}" has no host; write ${transport}://0.0.0.0:${defaultPort} for every IPv4 address, ${transport}://[::]:${defaultPort} for every IPv6 address, or name one address`);
    }
    if (!isIPv4(host) && !isHostname(host)) {
      throw new ConfigError(key, `"${text}": "${host}" is not an IP address or host name; write e.g. ${transport}://0.0.0.0:${defaultPort}`);
    }
  }

  let port = defaultPort;
  if (portText !== undefined) {
    port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
    if (!(port <= 65535)) {
      throw new ConfigError(key, `"${text}": "${portText}" is not a port number; use 1 to 65535, or 0 for a free port chosen at start`);
    }
  }

  const hostPort = `${bracketed ? `[${host}]` : host}:${port}`;
  const webSocket = transport === 'ws' || transport === 'wss';
  if (!webSocket) {
    if (path !== '') {
      throw new ConfigError(key, `"${text}": only ws:// and wss:// listeners take a path; write ${transport}://${hostPort}`);
    }
    return { transport, host, port, uri: `${transport}://${hostPort}` };
  }
  const wsPath = path || '/';
  if (!/^\/[^\s?#]*$/.test(wsPath)) {
    throw new ConfigError(key, `"${text}": a WebSocket path has no query, fragment or spaces; write e.g. ${transport}://${hostPort}/sip`);
  }
  return { transport, host, port, path: wsPath, uri: `${transport}://${hostPort}${wsPath}` };
}

function readTls(value: unknown, listen: readonly ListenAddress[], baseDir: string, problems: Problems): TlsConfig | undefined {
  if (value === undefined || value === null) {
    const secure = listen.find((address) => address.transport === 'tls' || address.transport === 'wss');
    if (secure !== undefined) {
      problems.add(
        'tls.cert',
        `is required by the listener "${secure.uri}"; add tls: { cert: cert.pem, key: key.pem } with the paths of the PEM certificate chain and private key`,
        'HERALD_ERR_CONFIG_REQUIRED',
      );
    }
    return undefined;
  }
  const map = problems.check(() => expectMap('tls', value));
  if (map === undefined) return undefined;
  checkKeys('tls', map, TLS_KEYS, problems);

  const file = (name: 'cert' | 'key' | 'ca', what: string): string | undefined => {
    const key = `tls.${name}`;
    if (map[name] === undefined || map[name] === null) {
      if (name !== 'ca') problems.add(key, `is required; set it to the path of ${what}`, 'HERALD_ERR_CONFIG_REQUIRED');
      return undefined;
    }
    return problems.check(() => readablePath(key, map[name], baseDir, what));
  };
  const cert = file('cert', 'the PEM certificate (chain)');
  const key = file('key', 'the PEM private key');
  const ca = file('ca', 'the PEM file of trusted CA certificates');
  const requestCert = problems.check(() => expectBoolean('tls.requestCert', map.requestCert ?? false));
  if (cert === undefined || key === undefined || requestCert === undefined) return undefined;
  return { cert, key, ...(ca !== undefined && { ca }), requestCert };
}

function readablePath(key: string, value: unknown, baseDir: string, what: string): string {
  const path = resolve(baseDir, expectString(key, value));
  const fix = `give the path of ${what}, absolute or relative to ${baseDir}`;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
    accessSync(path, constants.R_OK);
  } catch (error) {
    throw new ConfigError(key, `cannot read ${path} (${fileError(error)}); ${fix}`, 'HERALD_ERR_CONFIG_FILE');
  }
  if (isDirectory) throw new ConfigError(key, `${path} is a directory; ${fix}`, 'HERALD_ERR_CONFIG_FILE');
  return path;
}

function readStore(value: unknown): StoreConfig {
  const text = expectString('store', value);
  if (text === 'embedded') return { kind: 'embedded' };
  const shown = `"${redactPassword(text)}"`;
  const fix = 'write embedded, or a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError('store', `${shown} is not "embedded" or a Redis URL; ${fix}`);
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    throw new ConfigError('store', `${shown} is not "embedded" or a Redis URL; ${fix}`);
  }
  if (url.hostname === '') {
    throw new ConfigError('store', `${shown} names no Redis host; ${fix}`);
  }
  if (!/^\/?\d*$/.test(url.pathname)) {
    throw new ConfigError('store', `${shown}: the path of a Redis URL is a database number; write e.g. redis://127.0.0.1:6379/0`);
  }
  return { kind: 'redis', url: text };
}

function redactPassword(url: string): string {
  return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, '$1***@');
}

function readLog(value: unknown, problems: Problems): LogConfig | undefined {
  const map = problems.check(() => expectMap('log', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('log', map, LOG_KEYS, problems);
  const level = problems.check(() => expectOneOf('log.level', map.level ?? 'info', LOG_LEVELS));
  const format = problems.check(() => expectOneOf('log.format', map.format ?? 'json', LOG_FORMATS));
  if (level === undefined || format === undefined) return undefined;
  return { level, format };
}

function readSip(value: unknown, problems: Problems): SipConfig | undefined {
  const map = problems.check(() => expectMap('sip', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('sip', map, SIP_KEYS, problems);
  const integer = (name: (typeof SIP_KEYS)[number], fallback: number, unit: string, max = Number.MAX_SAFE_INTEGER) =>
    problems.check(() => expectInteger(`sip.${name}`, map[name] ?? fallback, unit, max));

  const t1 = integer('t1', 500, 'milliseconds', MAX_TIMER_MS);
  const t2 = integer('t2', 4000, 'milliseconds', MAX_TIMER_MS);
  const t4 = integer('t4', 5000, 'milliseconds', MAX_TIMER_MS);
  const maxMessageSize = integer('maxMessageSize', 65535, 'bytes');
  const maxHeaderSize = integer('maxHeaderSize', 16384, 'bytes');
  const maxBodySize = map.maxBodySize == null ? maxMessageSize : integer('maxBodySize', 0, 'bytes');
  const maxConnectionsPerSource = integer('maxConnectionsPerSource', 64, 'connections');
  const idleConnectionTimeout = integer('idleConnectionTimeout', 600, 'seconds', Math.floor(MAX_TIMER_MS / 1000));
  const userAgent = problems.check(() => expectLine('sip.userAgent', map.userAgent ?? 'Herald'));

  if (t1 !== undefined && t2 !== undefined && t2 <= t1) {
    problems.add('sip.t2', `${t2} is not greater than sip.t1 (${t1}): retransmit intervals start at T1 and double up to T2 (RFC 3261 §17.1.2.2); raise sip.t2 or lower sip.t1`);
  }
  if (maxMessageSize !== undefined) {
    for (const [name, size] of [['maxHeaderSize', maxHeaderSize], ['maxBodySize', maxBodySize]] as const) {
      if (size !== undefined && size > maxMessageSize) {
        problems.add(`sip.${name}`, `${size} is larger than sip.maxMessageSize (${maxMessageSize}), which bounds the whole message; lower it or raise sip.maxMessageSize`);
      }
    }
  }
  if (
    t1 === undefined ||
    t2 === undefined ||
    t4 === undefined ||
    maxMessageSize === undefined ||
    maxHeaderSize === undefined ||
    maxBodySize === undefined ||
    maxConnectionsPerSource === undefined ||
    idleConnectionTimeout === undefined ||
    userAgent === undefined
  ) {
    return undefined;
  }
  return { t1, t2, t4, maxMessageSize, maxHeaderSize, maxBodySize, maxConnectionsPerSource, idleConnectionTimeout, userAgent };
}

function readUsers(value: unknown, domains: readonly string[], problems: Problems): UserSeed[] | undefined {
  return readMapList('users', value, '{ user: alice, domain: example.com, password: secret }', USER_KEYS, problems, (key, map) => {
    const user = problems.check(() => expectUserName(`${key}.user`, map.user));
    const domain = problems.check(() => expectServedDomain(`${key}.domain`, map.domain ?? domains[0], domains));
    const password = problems.check(() => expectPassword(`${key}.password`, map.password));
    if (user === undefined || domain === undefined || password === undefined) return undefined;
    return { user, domain, password };
  });
}

/**
 * A list of mappings under `name` (`[]` when absent), each checked for unknown keys and read
 * by `read` with its key (`name[i]`); undefined when any entry had a problem.
 */
function readMapList<T>(
  name: string,
  value: unknown,
  example: string,
  keys: readonly string[],
  problems: Problems,
  read: (key: string, map: Record<string, unknown>) => T | undefined,
): T[] | undefined {
  const list = problems.check(() => expectList(name, value ?? [], example));
  if (list === undefined) return undefined;
  const entries = list.map((entry, i) => {
    const key = `${name}[${i}]`;
    const map = problems.check(() => expectMap(key, entry));
    if (map === undefined) return undefined;
    checkKeys(key, map, keys, problems);
    return read(key, map);
  });
  return allDefined(entries) ? entries : undefined;
}

/** A digest username and SIP user part: no "@", ":", whitespace or control characters. */
function expectUserName(key: string, value: unknown): string {
  if (value === undefined || value === null) throw new ConfigError(key, 'is required; give the user part of the address, e.g. user: alice', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = typeof value === 'number' ? String(value) : expectString(key, value);
  const problem = userNameProblem(text);
  if (problem !== null) throw new ConfigError(key, `"${text}" is not a user name: it ${problem}; give the part before the "@" only`);
  return text;
}

function expectServedDomain(key: string, value: unknown, domains: readonly string[]): string {
  const domain = expectString(key, value).toLowerCase();
  if (!domains.includes(domain)) {
    throw new ConfigError(key, `"${domain}" is not a served domain; use one of ${domains.join(', ')}, or add it to domains`);
  }
  return domain;
}

function expectPassword(key: string, value: unknown): string {
  if (value === undefined || value === null) throw new ConfigError(key, 'is required; give the password (it is stored only as digest hashes)', 'HERALD_ERR_CONFIG_REQUIRED');
  if (typeof value === 'number') throw new ConfigError(key, 'is a number; put the password in quotes so that YAML keeps it as written');
  return expectString(key, value);
}

function readAuth(value: unknown, problems: Problems): AuthConfig | undefined {
  const map = problems.check(() => expectMap('auth', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('auth', map, AUTH_KEYS, problems);
  const integer = (name: (typeof AUTH_KEYS)[number], fallback: number, unit: string) =>
    problems.check(() => expectInteger(`auth.${name}`, map[name] ?? fallback, unit, Number.MAX_SAFE_INTEGER));
  const enabled = problems.check(() => expectBoolean('auth.enabled', map.enabled ?? true));
  const secret = map.secret == null ? undefined : problems.check(() => expectSecret('auth.secret', map.secret));
  const nonceLifetime = integer('nonceLifetime', 300, 'seconds');
  const algorithms = problems.check(() => readAlgorithms(map.algorithms ?? ['SHA-256', 'MD5']));
  const checkDigestUri = problems.check(() => expectBoolean('auth.checkDigestUri', map.checkDigestUri ?? true));
  const md5OnlyUserAgents = problems.check(() => expectList('auth.md5OnlyUserAgents', map.md5OnlyUserAgents ?? [...DEFAULT_MD5_ONLY_USER_AGENTS], '"SIP.js", "JsSIP"').map((v, i) => expectLine(`auth.md5OnlyUserAgents[${i}]`, v)));
  const maxFailuresPerSource = integer('maxFailuresPerSource', 50, 'failures');
  const maxFailuresPerUser = integer('maxFailuresPerUser', 10, 'failures');
  const failureWindow = integer('failureWindow', 300, 'seconds');
  if (
    enabled === undefined ||
    (map.secret != null && secret === undefined) ||
    nonceLifetime === undefined ||
    algorithms === undefined ||
    checkDigestUri === undefined ||
    md5OnlyUserAgents === undefined ||
    maxFailuresPerSource === undefined ||
    maxFailuresPerUser === undefined ||
    failureWindow === undefined
  ) {
    return undefined;
  }
  return { enabled, ...(secret !== undefined && { secret }), nonceLifetime, algorithms, checkDigestUri, md5OnlyUserAgents, maxFailuresPerSource, maxFailuresPerUser, failureWindow };
}

function expectSecret(key: string, value: unknown): string {
  const text = expectString(key, value);
  if (text.length < 16) throw new ConfigError(key, 'is shorter than 16 characters; use a long random string, e.g. the output of `openssl rand -hex 32`');
  return text;
}

function readAlgorithms(value: unknown): AuthAlgorithm[] {
  const list = expectList('auth.algorithms', value, 'SHA-256, MD5');
  if (list.length === 0) throw new ConfigError('auth.algorithms', 'is empty; list SHA-256, MD5 or both');
  const out = list.map((a, i) => expectOneOf(`auth.algorithms[${i}]`, typeof a === 'string' ? a.toUpperCase() : a, AUTH_ALGORITHMS));
  return [...new Set(out)];
}

function readRegistrar(value: unknown, problems: Problems): RegistrarConfig | undefined {
  const map = problems.check(() => expectMap('registrar', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('registrar', map, REGISTRAR_KEYS, problems);
  const intervals = readIntervals('registrar', map, { defaultExpires: 3600, minExpires: 60, maxExpires: 86400 }, problems);
  const maxContacts = problems.check(() => expectInteger('registrar.maxContacts', map.maxContacts ?? 10, 'contacts', 4294967295));
  if (intervals === undefined || maxContacts === undefined) return undefined;
  return { ...intervals, maxContacts };
}

function readPresence(value: unknown, domains: readonly string[], problems: Problems): PresenceConfig | undefined {
  const map = problems.check(() => expectMap('presence', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('presence', map, PRESENCE_KEYS, problems);
  // RFC 3856 §6.4: an hour when the SUBSCRIBE asks for nothing.
  const intervals = readIntervals('presence', map, { defaultExpires: 3600, minExpires: 60, maxExpires: 7200 }, problems);
  // RFC 3856 §6.10 recommends at most one notification per presentity every 5 seconds.
  const notifyWindow = problems.check(() => expectInteger('presence.notifyWindow', map.notifyWindow ?? 5, 'seconds', 3600, 0));
  const fromRegistration = problems.check(() => expectBoolean('presence.fromRegistration', map.fromRegistration ?? true));
  const localWatchers = problems.check(() => expectOneOf('presence.localWatchers', map.localWatchers ?? 'allow', WATCHER_ACTIONS));
  // Another organisation's users wait until the presentity approves them.
  const foreignWatchers = problems.check(() => expectOneOf('presence.foreignWatchers', map.foreignWatchers ?? 'confirm', WATCHER_ACTIONS));
  const perDomain = readMapList('presence.domains', map.domains, '{ domain: example.com, foreignWatchers: block }', PRESENCE_DOMAIN_KEYS, problems, (key, entry) => {
    const domain = problems.check(() => expectServedDomain(`${key}.domain`, entry.domain, domains));
    const local = problems.check(() => expectOneOf(`${key}.localWatchers`, entry.localWatchers ?? localWatchers ?? 'allow', WATCHER_ACTIONS));
    const foreign = problems.check(() => expectOneOf(`${key}.foreignWatchers`, entry.foreignWatchers ?? foreignWatchers ?? 'confirm', WATCHER_ACTIONS));
    return domain === undefined || local === undefined || foreign === undefined ? undefined : { domain, localWatchers: local, foreignWatchers: foreign };
  });
  if (intervals === undefined || notifyWindow === undefined || fromRegistration === undefined || localWatchers === undefined || foreignWatchers === undefined || perDomain === undefined) {
    return undefined;
  }
  return { ...intervals, notifyWindow, fromRegistration, localWatchers, foreignWatchers, domains: perDomain };
}

/** `defaultExpires`, `minExpires` and `maxExpires` of a section, the default between the other two. */
function readIntervals(section: string, map: Record<string, unknown>, fallback: Intervals, problems: Problems): Intervals | undefined {
  const integer = (name: keyof Intervals) => problems.check(() => expectInteger(`${section}.${name}`, map[name] ?? fallback[name], 'seconds', 4294967295));
  const defaultExpires = integer('defaultExpires');
  const minExpires = integer('minExpires');
  const maxExpires = integer('maxExpires');
  if (defaultExpires === undefined || minExpires === undefined || maxExpires === undefined) return undefined;
  if (minExpires > maxExpires) {
    problems.add(`${section}.minExpires`, `${minExpires} is larger than ${section}.maxExpires (${maxExpires}); lower it or raise ${section}.maxExpires`);
    return undefined;
  }
  if (defaultExpires < minExpires || defaultExpires > maxExpires) {
    problems.add(`${section}.defaultExpires`, `${defaultExpires} is outside ${section}.minExpires..maxExpires (${minExpires}..${maxExpires}); choose a value in that range`);
    return undefined;
  }
  return { defaultExpires, minExpires, maxExpires };
}

function readProxy(value: unknown, problems: Problems): ProxyConfig | undefined {
  const map = problems.check(() => expectMap('proxy', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('proxy', map, PROXY_KEYS, problems);
  // RFC 3261 §16.6 step 11: Timer C is more than 3 minutes unless an operator chooses otherwise.
  const inviteTimeout = problems.check(() => expectInteger('proxy.inviteTimeout', map.inviteTimeout ?? 181, 'seconds', Math.floor(MAX_TIMER_MS / 1000)));
  return inviteTimeout === undefined ? undefined : { inviteTimeout };
}

function readIm(value: unknown, sip: SipConfig | undefined, problems: Problems): ImConfig | undefined {
  const map = problems.check(() => expectMap('im', value ?? {}));
  if (map === undefined) return undefined;
  checkKeys('im', map, IM_KEYS, problems);
  const integer = (name: (typeof IM_KEYS)[number], fallback: number, unit: string, max = 4294967295) => problems.check(() => expectInteger(`im.${name}`, map[name] ?? fallback, unit, max));
  const transportLimit = sip?.maxBodySize ?? 65535;
  const maxBodySize = integer('maxBodySize', Math.min(65535, transportLimit), 'bytes');
  const udpMessageLimit = integer('udpMessageLimit', 1300, 'bytes', 65535);
  const storeFor = integer('storeFor', 7 * 86400, 'seconds', Math.floor(MAX_TIMER_MS / 1000) * 1000);
  const maxStoredPerUser = integer('maxStoredPerUser', 1000, 'messages');
  if (maxBodySize === undefined || udpMessageLimit === undefined || storeFor === undefined || maxStoredPerUser === undefined) return undefined;
  if (maxBodySize > transportLimit) {
    problems.add('im.maxBodySize', `${maxBodySize} is larger than sip.maxBodySize (${transportLimit}), which drops larger bodies first; lower it or raise sip.maxBodySize`);
    return undefined;
  }
  return { maxBodySize, udpMessageLimit, storeFor, maxStoredPerUser };
}

function readRoutes(value: unknown, domains: readonly string[], problems: Problems): RouteConfig[] | undefined {
  return readMapList('routes', value, '{ domain: peer.example, to: "sip:192.0.2.10:5060;transport=tcp" }', ROUTE_KEYS, problems, (key, map) => {
    const domain = problems.check(() => expectRouteDomain(`${key}.domain`, map.domain, domains));
    const to = problems.check(() => expectRouteUri(`${key}.to`, map.to));
    return domain === undefined || to === undefined ? undefined : { domain, to };
  });
}

function expectRouteDomain(key: string, value: unknown, domains: readonly string[]): string {
  if (value == null) throw new ConfigError(key, 'is required; give the domain whose requests take this route, e.g. domain: peer.example or domain: "*.acme.com"', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = expectString(key, value).toLowerCase();
  const bare = text.startsWith('*.') ? text.slice(2) : text;
  if (!isHostname(bare) && !isIPv4(bare)) throw new ConfigError(key, `"${text}" is not a domain; write a host name such as peer.example, or "*.acme.com" for its subdomains`);
  if (domains.includes(text)) throw new ConfigError(key, `"${text}" is one of Herald's own domains; its requests go to the location service, so remove this route`);
  return text;
}

function expectRouteUri(key: string, value: unknown): string {
  if (value == null) throw new ConfigError(key, 'is required; give the next hop as a SIP URI, e.g. to: "sip:192.0.2.10:5060;transport=tcp"', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = expectString(key, value);
  let uri;
  try {
    uri = parseUri(text);
  } catch (error) {
    throw new ConfigError(key, `"${text}" is not a SIP URI (${(error as Error).message}); write it like "sip:192.0.2.10:5060;transport=tcp"`);
  }
  if (!isSipUri(uri)) throw new ConfigError(key, `"${text}" is not a SIP URI; write it like "sip:192.0.2.10:5060;transport=tcp"`);
  const transport = uri.params.get('transport')?.toLowerCase();
  if (transport !== undefined && !TRANSPORTS.includes(transport as TransportName)) {
    throw new ConfigError(key, `transport=${transport} is not one Herald speaks; use one of ${TRANSPORTS.join(', ')}`);
  }
  if (transport === 'ws' || transport === 'wss') throw new ConfigError(key, 'Herald cannot open WebSocket connections (RFC 7118 §5); route over udp, tcp or tls');
  return text;
}

function withRedis(store: StoreConfig | undefined, value: unknown, problems: Problems): StoreConfig | undefined {
  if (value == null || store === undefined) return store;
  const map = problems.check(() => expectMap('redis', value));
  if (map === undefined) return undefined;
  if (store.kind !== 'redis') {
    problems.add('redis', 'applies to a Redis store only; set store: redis://HOST:6379, or remove redis:');
    return undefined;
  }
  checkKeys('redis', map, REDIS_KEYS, problems);
  const keyPrefix = map.keyPrefix == null ? undefined : problems.check(() => expectKeyPrefix(map.keyPrefix));
  const nodes = (key: 'sentinels' | 'cluster') =>
    map[key] == null ? undefined : problems.check(() => expectList(`redis.${key}`, map[key], '"10.0.0.5:26379"').map((v, i) => parseHostPortKey(`redis.${key}[${i}]`, v)));
  const sentinels = nodes('sentinels');
  const cluster = nodes('cluster');
  const name = map.name == null ? undefined : problems.check(() => expectLine('redis.name', map.name));
  if (sentinels !== undefined && name === undefined) {
    problems.add('redis.name', 'is required with redis.sentinels; give the name of the master the sentinels watch (e.g. mymaster)', 'HERALD_ERR_CONFIG_REQUIRED');
    return undefined;
  }
  if (sentinels !== undefined && cluster !== undefined) {
    problems.add('redis.cluster', 'cannot be combined with redis.sentinels; use one of them');
    return undefined;
  }
  return { ...store, ...(keyPrefix && { keyPrefix }), ...(sentinels && { sentinels }), ...(name && { name }), ...(cluster && { cluster }) };
}

function expectKeyPrefix(value: unknown): string {
  const text = expectLine('redis.keyPrefix', value);
  if (/[{}\s]/.test(text)) throw new ConfigError('redis.keyPrefix', `"${text}" holds braces or spaces; braces would put every key in one Cluster slot, so write e.g. herald:`);
  return text;
}

/** `auto`: one worker per core on Redis; the embedded store lives in one process. */
function readWorkers(value: unknown, store: StoreConfig): number {
  if (value === 'auto') return store.kind === 'redis' ? Math.max(1, availableParallelism()) : 1;
  const n = expectInteger('workers', value, 'processes', 256);
  if (n > 1 && store.kind === 'embedded') {
    throw new ConfigError('workers', `${n} workers need a shared store; the embedded store lives in one process, so set store: redis://HOST:6379 or workers: 1`);
  }
  return n;
}

function readAdmin(value: unknown, problems: Problems): AdminConfig | undefined {
  if (value == null) return undefined;
  const map = problems.check(() => expectMap('admin', value));
  if (map === undefined) return undefined;
  checkKeys('admin', map, ADMIN_KEYS, problems);
  const address = problems.check(() => parseHostPortKey('admin.listen', map.listen ?? '127.0.0.1:8088'));
  let token: string | undefined;
  if (map.token == null) {
    problems.add('admin.token', 'is required with admin; give a long random string (e.g. the output of `openssl rand -hex 32`) that API clients send as "Authorization: Bearer TOKEN"', 'HERALD_ERR_CONFIG_REQUIRED');
  } else {
    token = problems.check(() => expectSecret('admin.token', map.token));
  }
  if (address === undefined || token === undefined) return undefined;
  return { ...address, token };
}

/** `HOST:PORT` or `[IPV6]:PORT`. */
function parseHostPortKey(key: string, value: unknown): { host: string; port: number } {
  const text = expectString(key, value);
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  if (!m || host === undefined || !(port <= 65535) || (m[1] !== undefined && !isIPv6(host)) || (m[2] !== undefined && !isIPv4(host) && !isHostname(host))) {
    throw new ConfigError(key, `"${text}" is not HOST:PORT; write e.g. 127.0.0.1:8088, or [::1]:8088 for IPv6`);
  }
  return { host, port };
}

/** Gathers problems so that one run reports all of them. */
class Problems {
  readonly list: ConfigError[] = [];

  add(key: string, detail: string, code?: ConfigErrorCode): void {
    this.list.push(new ConfigError(key, detail, code));
  }

  /** Runs a check that throws at its first problem; records it and yields undefined then. */
  check<T>(read: () => T): T | undefined {
    try {
      return read();
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      this.list.push(error);
      return undefined;
    }
  }
}

function expectMap(key: string, value: unknown): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  if (key === '') {
    throw new ConfigError('', `the configuration must be a YAML mapping of keys (domains, listen, ...), got ${describe(value)}; start from the example in docs/configuration.md`);
  }
  throw new ConfigError(key, `expected a mapping of keys, got ${describe(value)}; write it as ${key}: { KEY: VALUE, ... }, or as indented KEY: VALUE lines under ${key}:`);
}

function checkKeys(prefix: string, map: Record<string, unknown>, known: readonly string[], problems: Problems): void {
  for (const name of Object.keys(map)) {
    if (known.includes(name)) continue;
    const near = closest(name, known);
    const fix =
      near.length > 0
        ? `did you mean ${near.map((k) => `\`${k}\``).join(' or ')}?`
        : `remove it; the known keys are ${known.join(', ')}`;
    const what = prefix === '' ? 'a configuration key' : `a key of ${prefix}`;
    problems.add(prefix === '' ? name : `${prefix}.${name}`, `is not ${what}; ${fix}`, 'HERALD_ERR_CONFIG_UNKNOWN_KEY');
  }
}

function expectList(key: string, value: unknown, example: string): unknown[] {
  if (Array.isArray(value)) return value;
  throw new ConfigError(key, `expected a list, got ${describe(value)}; write it as a YAML list, e.g. ${key}: [${example}]`);
}

function expectString(key: string, value: unknown): string {
  if (typeof value === 'string') {
    if (value.trim() === '') throw new ConfigError(key, 'is empty; give a value, or remove the key to use the default');
    return value;
  }
  const fix = typeof value === 'object' && value !== null ? 'give a single value' : 'put the value in quotes';
  throw new ConfigError(key, `expected text, got ${describe(value)}; ${fix}`);
}

function expectLine(key: string, value: unknown): string {
  const text = expectString(key, value);
  if (/\p{Cc}/u.test(text)) {
    throw new ConfigError(key, `contains a line break or control character; write it on one line of printable characters`);
  }
  return text;
}

function expectOneOf<T extends string>(key: string, value: unknown, options: readonly T[]): T {
  if (options.includes(value as T)) return value as T;
  throw new ConfigError(key, `expected one of ${options.join(', ')}, got ${describe(value)}; write e.g. ${key.split('.').pop()}: ${options[0]}`);
}

function expectBoolean(key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw new ConfigError(key, `expected true or false, got ${describe(value)}; write ${key.split('.').pop()}: true or false, without quotes`);
}

function expectInteger(key: string, value: unknown, unit: string, max: number, min = 1): number {
  const name = key.split('.').pop();
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new ConfigError(key, `expected a whole number of ${unit}, got ${describe(value)}; write the number alone, e.g. ${name}: 1000`);
  }
  if (value < min || value > max) {
    throw new ConfigError(key, `${value} is out of range; use a whole number of ${unit} from ${min} to ${max}`);
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `"${value}"`;
  return String(value);
}

function fileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return code ?? (error as Error).message;
}

function isHostname(text: string): boolean {
  const label = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
  return (
    text.length <= 253 &&
    new RegExp(`^${label}(?:\\.${label})*$`, 'i').test(text) &&
    // RFC 3696 §2: a top-level label is never all digits, so 10.0.0.256 is a bad address, not a name.
    !/(?:^|\.)\d+$/.test(text)
  );
}

function allDefined<T>(values: readonly (T | undefined)[]): values is T[] {
  return values.every((value) => value !== undefined);
}

/** Known keys within a small edit distance of `name`, the nearest first, for "did you mean". */
function closest(name: string, known: readonly string[]): string[] {
  const limit = name.length <= 3 ? 1 : 2;
  const scored = known.map((key) => ({ key, distance: editDistance(name.toLowerCase(), key.toLowerCase()) }));
  const best = Math.min(...scored.map((s) => s.distance));
  return best > limit ? [] : scored.filter((s) => s.distance === best).map((s) => s.key);
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`tsl` → `tls`). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.length][b.length];
}
