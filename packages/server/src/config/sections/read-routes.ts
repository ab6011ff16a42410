import { isIPv4 } from 'node:net';
import type { StaticRoute } from '@herald/proxy';
import { isSipUri, parseUri } from '@herald/sip';
import { ConfigError } from '../config-error.js';
import type { TransportName } from '../herald-config.js';
import { isHostname } from '../host-port.js';
import { type Problems, expectString, readMapList } from '../validation-kit.js';
import { TRANSPORTS } from './read-listen.js';

const ROUTE_KEYS = ['domain', 'to'] as const;

/** `routes:`, next hops for other domains, into @herald/proxy's static routes; never for a served domain. */
export function readRoutes(value: unknown, domains: readonly string[], problems: Problems): StaticRoute[] | undefined {
  return readMapList('routes', value, '{ domain: peer.example, to: "sip:192.0.2.10:5060;transport=tcp" }', ROUTE_KEYS, problems, (key, map) => {
    const domain = problems.check(() => expectRouteDomain(`${key}.domain`, map.domain, domains));
    const to = problems.check(() => expectRouteHops(`${key}.to`, map.to));
    return domain === undefined || to === undefined ? undefined : { domain, to };
  });
}

/** One next hop, or a list of them tried in order (RFC 3263 §4.3 failover from one to the next). */
function expectRouteHops(key: string, value: unknown): string | string[] {
  if (!Array.isArray(value)) return expectRouteUri(key, value);
  if (value.length === 0) throw new ConfigError(key, 'is an empty list; give at least one next hop, e.g. to: ["sip:proxy1.peer.example", "sip:proxy2.peer.example"]');
  return value.map((hop: unknown, i) => expectRouteUri(`${key}[${i}]`, hop));
}

function expectRouteDomain(key: string, value: unknown, domains: readonly string[]): string {
  if (value == null) throw new ConfigError(key, 'is required; give the domain whose requests take this route, e.g. domain: peer.example or domain: "*.acme.com"', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = expectString(key, value).toLowerCase();
  const bare = text.startsWith('*.') ? text.slice(2) : text;
  if (!isHostname(bare) && !isIPv4(bare)) throw new ConfigError(key, `"${text}" is not a domain; write a host name such as peer.example, or "*.acme.com" for its subdomains`);
  if (domains.includes(text)) throw new ConfigError(key, `"${text}" is one of Herald's own domains; its requests go to the location service, so remove this route`);
  return text;
}

/** A next hop: a SIP or SIPS URI whose transport (if named) Herald can open. */
export function expectRouteUri(key: string, value: unknown): string {
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
