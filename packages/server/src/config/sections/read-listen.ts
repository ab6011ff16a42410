import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '../config-error.js';
import type { ListenAddress, TransportName } from '../herald-config.js';
import { isHostname } from '../host-port.js';
import { type Problems, checkKeys, expectList, expectOneOf, expectString } from '../validation-kit.js';

/** The transports Herald speaks. @see RFC 3261 §18, RFC 7118 */
export const TRANSPORTS: readonly TransportName[] = ['udp', 'tcp', 'tls', 'ws', 'wss'];

const DEFAULT_PORTS: Record<TransportName, number> = { udp: 5060, tcp: 5060, tls: 5061, ws: 8080, wss: 8443 };

const ENTRY_KEYS = ['uri', 'clientCert'] as const;
const CLIENT_CERT = ['request', 'none'] as const;

/**
 * `listen:`, the addresses to listen on, each a URI or a map `{ uri, clientCert }`; two
 * listeners may not share a UDP or TCP port.
 */
export function readListen(value: unknown, problems: Problems): ListenAddress[] | undefined {
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
    const address = problems.check(() => readListenEntry(key, entry, problems));
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

/** One entry: a listen URI, or a map with its `uri` and, for TLS and WSS, `clientCert` (request | none). */
function readListenEntry(key: string, entry: unknown, problems: Problems): ListenAddress {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return parseListenUri(key, entry);
  const map = entry as Record<string, unknown>;
  checkKeys(key, map, ENTRY_KEYS, problems);
  if (map.uri === undefined) throw new ConfigError(`${key}.uri`, 'is required; write e.g. { uri: "tls://0.0.0.0:5061", clientCert: request }');
  const address = parseListenUri(`${key}.uri`, map.uri);
  if (map.clientCert === undefined) return address;
  const clientCert = expectOneOf(`${key}.clientCert`, map.clientCert, CLIENT_CERT);
  if (address.transport !== 'tls' && address.transport !== 'wss') {
    throw new ConfigError(`${key}.clientCert`, `is for tls:// and wss:// listeners only, not "${address.uri}"; remove it`);
  }
  return { ...address, clientCert };
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
