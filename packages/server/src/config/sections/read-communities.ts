import { COMMUNITY_DEFAULTS, type CommunitiesSettings, type CommunitySettings, DEFAULT_COMMUNITIES, PEER_WATCHER_ACTIONS, type PeerSettings, type StaticRoute } from '@herald/proxy';
import type { TransportProtocol } from '@herald/stack';
import { ConfigError } from '../config-error.js';
import { type Problems, allRead, expectBoolean, expectInteger, expectList, expectOneOf, expectString, readMapList, readSection } from '../validation-kit.js';
import { type FederationTls, expectAddresses, expectLevel, expectPeerDomain, missingTls, readCa } from './read-federation.js';
import { expectRouteUri } from './read-routes.js';

const COMMUNITIES_KEYS = ['enabled', 'list'] as const;
const COMMUNITY_KEYS = ['name', 'domains', 'proxies', 'port', 'transport', 'trustedIps', 'enabled', 'convertIds', 'level', 'ca', 'watchers', 'probeInterval'] as const;
const COMMUNITY_TRANSPORTS: readonly TransportProtocol[] = ['udp', 'tcp', 'tls'];
const NAME = /^[A-Za-z0-9._-]+$/;
/** The longest `probeInterval`, seconds: a day. */
const MAX_PROBE_INTERVAL_S = 86_400;
const EXAMPLE = '{ name: chicago, domains: [chi.acme.example, "*.chi.acme.example"], proxies: ["sip:gw1.chi.acme.example;transport=tls"], trustedIps: [192.0.2.10] }';

/** What else of the configuration names other domains: a community domain may be in none of it. */
export interface OtherDomainKeys {
  peers: readonly Pick<PeerSettings, 'domain'>[];
  routes: readonly Pick<StaticRoute, 'domain'>[];
}

/**
 * `communities:`, the gateway communities (IBM Sametime SIP Gateway style), into
 * @herald/proxy's community settings: one named peer policy per community, covering its
 * domains, reached through its `proxies`. A domain has one policy: one community's, or a
 * `federation.peers` entry's, or a route's.
 */
export function readCommunities(value: unknown, domains: readonly string[], baseDir: string, tls: FederationTls, others: OtherDomainKeys, problems: Problems): CommunitiesSettings | undefined {
  const map = readSection('communities', value, COMMUNITIES_KEYS, problems);
  if (map === undefined) return undefined;
  const enabled = problems.check(() => expectBoolean('communities.enabled', map.enabled ?? DEFAULT_COMMUNITIES.enabled));
  const list = readMapList('communities.list', map.list, EXAMPLE, COMMUNITY_KEYS, problems, (key, entry) => readCommunity(key, entry, { domains, baseDir, tls }, problems));
  if (list !== undefined) checkOnePolicyPerDomain(list, others, problems);
  return allRead({ enabled, list });
}

interface CommunityContext {
  domains: readonly string[];
  baseDir: string;
  tls: FederationTls;
}

function readCommunity(key: string, entry: Record<string, unknown>, { domains, baseDir, tls }: CommunityContext, problems: Problems): CommunitySettings | undefined {
  const name = problems.check(() => expectName(`${key}.name`, entry.name));
  const communityDomains = problems.check(() => expectDomains(`${key}.domains`, entry.domains, domains));
  const proxies = problems.check(() => expectList(`${key}.proxies`, entry.proxies ?? COMMUNITY_DEFAULTS.proxies, '"sip:gw1.peer.example;transport=tls"').map((p, i) => expectRouteUri(`${key}.proxies[${i}]`, p)));
  const transport = entry.transport == null ? null : problems.check(() => expectTransport(`${key}.transport`, entry.transport, tls));
  const port = problems.check(() => expectInteger(`${key}.port`, entry.port ?? (transport === 'tls' ? 5061 : COMMUNITY_DEFAULTS.port), 'port', 65535));
  const trustedIps = problems.check(() => expectAddresses(`${key}.trustedIps`, entry.trustedIps ?? COMMUNITY_DEFAULTS.trustedIps));
  const enabled = problems.check(() => expectBoolean(`${key}.enabled`, entry.enabled ?? COMMUNITY_DEFAULTS.enabled));
  const convertIds = problems.check(() => expectBoolean(`${key}.convertIds`, entry.convertIds ?? COMMUNITY_DEFAULTS.convertIds));
  const level = problems.check(() => (entry.level == null ? COMMUNITY_DEFAULTS.level : expectLevel(`${key}.level`, entry.level, tls)));
  const ca = entry.ca == null ? null : problems.check(() => readCa(`${key}.ca`, entry.ca, level, baseDir));
  const watchers = problems.check(() => expectOneOf(`${key}.watchers`, entry.watchers ?? COMMUNITY_DEFAULTS.watchers, PEER_WATCHER_ACTIONS));
  const probeInterval = problems.check(() => expectInteger(`${key}.probeInterval`, entry.probeInterval ?? COMMUNITY_DEFAULTS.probeIntervalMs / 1000, 'seconds (0: never)', MAX_PROBE_INTERVAL_S, 0));
  const read = allRead({ name, domains: communityDomains, proxies, transport, port, trustedIps, enabled, convertIds, level, ca, watchers, probeInterval });
  if (read === undefined) return undefined;
  const { ca: file, probeInterval: seconds, ...rest } = read;
  return { ...rest, ...(file !== null && { ca: file }), probeIntervalMs: seconds * 1000 };
}

function expectName(key: string, value: unknown): string {
  if (value == null) throw new ConfigError(key, 'is required; name the community, e.g. name: chicago', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = expectString(key, value);
  if (!NAME.test(text)) throw new ConfigError(key, `"${text}" has characters a community name cannot; use letters, digits, ".", "_" and "-", e.g. name: chicago`);
  // A URL drops a path segment of dots: /api/communities/./enabled is the global switch's path.
  if (/^\.+$/.test(text)) throw new ConfigError(key, `"${text}" is no name: use letters or digits, not dots alone, e.g. name: chicago`);
  return text;
}

function expectDomains(key: string, value: unknown, served: readonly string[]): string[] {
  if (value == null) throw new ConfigError(key, 'is required; list the community\'s domains, e.g. domains: [chi.acme.example, "*.chi.acme.example"]', 'HERALD_ERR_CONFIG_REQUIRED');
  const list = expectList(key, value, 'chi.acme.example, "*.chi.acme.example"');
  if (list.length === 0) throw new ConfigError(key, 'is an empty list; give at least one domain, e.g. domains: [chi.acme.example]');
  return [...new Set(list.map((d, i) => expectPeerDomain(`${key}[${i}]`, d, served)))];
}

/** `tls` also refuses anything else inbound, as level `encrypted` does: it needs TLS set up as that level does. */
function expectTransport(key: string, value: unknown, tls: FederationTls): TransportProtocol {
  const transport = expectOneOf(key, value, COMMUNITY_TRANSPORTS);
  const missing = transport === 'tls' ? missingTls(tls) : null;
  if (missing !== null) throw new ConfigError(key, `\`tls\` needs TLS between servers: add ${missing}, or choose tcp or udp`);
  return transport;
}

/** One domain, one policy: a domain in two communities, or also in `federation.peers` or `routes:`, is an error naming both keys. */
function checkOnePolicyPerDomain(list: readonly CommunitySettings[], others: OtherDomainKeys, problems: Problems): void {
  const names = new Map<string, number>();
  const owners = new Map<string, string>();
  others.peers.forEach((p, i) => owners.set(p.domain, `federation.peers[${i}].domain`));
  others.routes.forEach((r, i) => owners.set(r.domain.toLowerCase(), `routes[${i}].domain`));
  list.forEach((community, c) => {
    const earlier = names.get(community.name);
    if (earlier !== undefined) problems.add(`communities.list[${c}].name`, `"${community.name}" is the name of communities.list[${earlier}] already; give each community its own name`);
    else names.set(community.name, c);
    community.domains.forEach((domain, d) => {
      const key = `communities.list[${c}].domains[${d}]`;
      const owner = owners.get(domain);
      if (owner === undefined) owners.set(domain, key);
      else problems.add(key, `"${domain}" is also ${owner}; one domain has one policy: remove it from one of them (a community's proxies replace a route)`);
    });
  });
}
