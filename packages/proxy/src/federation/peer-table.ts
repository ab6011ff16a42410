import { type SipUri, formatUri, isSipUri, parseUri } from '@herald/sip';
import { canonicalHost } from '../routing/local-identity.js';
import type { StaticRoute } from '../routing/static-routes.js';
import type { CommunitiesSettings, CommunityRef, CommunitySettings } from './community-settings.js';
import { DomainAddressList } from './domain-address-list.js';
import { FEATURES, type FederationLevel, type FederationSettings, type PeerSettings } from './federation-settings.js';

/** Where a peer entry came from: `federation.peers`, a `routes:` entry, or a gateway community (`communities.list`). */
export type PeerSource = 'federation' | 'routes' | 'communities';

/** One entry of the peer table: a domain's policy, and the next hops whose addresses may speak for it. */
export interface Peer extends PeerSettings {
  sources: readonly PeerSource[];
  /** Configured next hops (`routes:`, a community's `proxies`): their addresses count as the domain's. */
  hops: readonly SipUri[];
  /** `addresses`, ready to match a source address. */
  senders?: DomainAddressList;
  /** The gateway community the domain belongs to. */
  community?: CommunityRef;
}

/**
 * The other domains the operator configured, whatever described them: exact domains first,
 * then the longest matching `*.` entry (which does not take the bare domain, as in `routes:`).
 */
export class PeerTable {
  private readonly exact = new Map<string, Peer>();
  private readonly wildcards: Peer[] = [];
  /** The domain asked last and its entry: the steps of one request ask about its domain several times. */
  private lastDomain: string | null = null;
  private lastPeer: Peer | null = null;

  constructor(readonly peers: readonly Peer[]) {
    for (const peer of peers) {
      if (peer.domain.startsWith('*.')) this.wildcards.push(peer);
      else this.exact.set(peer.domain, peer);
    }
    this.wildcards.sort((a, b) => b.domain.length - a.domain.length);
  }

  /** The entry for `domain`, or `null` when no entry names it. */
  peerFor(domain: string): Peer | null {
    if (domain === this.lastDomain) return this.lastPeer;
    const peer = this.find(canonicalHost(domain));
    this.lastDomain = domain;
    this.lastPeer = peer;
    return peer;
  }

  private find(d: string): Peer | null {
    const exact = this.exact.get(d);
    if (exact !== undefined) return exact;
    for (const w of this.wildcards) if (d.endsWith(w.domain.slice(1))) return w;
    return null;
  }
}

/**
 * The peer table of `federation.peers`, `routes:` and `communities:`. A route's domain is a
 * configured peer: its next hops may speak for it, and it takes the `federation.peers` entry
 * of the same name (or the one that covers it), else the default level with every feature and
 * watchers allowed, so that a `routes:` configuration keeps working unedited. Each domain of
 * a gateway community is a peer of its own (the configuration gives it no other entry).
 */
export function peersOf(settings: Pick<FederationSettings, 'default' | 'peers'>, routes: readonly StaticRoute[], communities?: Pick<CommunitiesSettings, 'list'>): Peer[] {
  const peers = new Map<string, Peer>(
    settings.peers.map((p) => [p.domain, { ...p, sources: ['federation'], hops: [], ...(p.addresses !== undefined && { senders: new DomainAddressList(p.addresses) }) }]),
  );
  const federation = new PeerTable([...peers.values()]);
  for (const route of routes) {
    const domain = route.domain.toLowerCase();
    const hops = (typeof route.to === 'string' ? [route.to] : route.to).map(parseUri).filter(isSipUri);
    const same = peers.get(domain);
    if (same !== undefined) {
      peers.set(domain, { ...same, sources: [...same.sources, 'routes'], hops: [...same.hops, ...hops] });
      continue;
    }
    const covering = federation.peerFor(domain.startsWith('*.') ? domain.slice(2) : domain);
    const base: PeerSettings = covering ?? { domain, level: settings.default, features: FEATURES, roles: {}, watchers: 'allow' };
    peers.set(domain, { ...base, domain, sources: ['routes'], hops });
  }
  return [...peers.values(), ...(communities?.list ?? []).flatMap(communityPeers)];
}

/** TLS towards a community (`transport: tls`) refuses anything else: at least `encrypted`. */
const TLS_LEVEL_FLOOR: ReadonlySet<FederationLevel> = new Set(['permissive', 'verified']);

/**
 * One peer per domain of a gateway community, sharing its reference, its `trustedIps` as
 * senders and its `proxies` as hops: the community's connectors speak for every domain of it.
 */
export function communityPeers(community: CommunitySettings): Peer[] {
  const ref: CommunityRef = {
    name: community.name,
    convertIds: community.convertIds,
    proxiesOnly: community.proxies.length > 0,
    port: community.port,
    transport: community.transport,
  };
  const hops = communityProxyUris(community).map(parseUri).filter(isSipUri);
  const senders = new DomainAddressList(community.trustedIps);
  const level = community.transport === 'tls' && TLS_LEVEL_FLOOR.has(community.level) ? 'encrypted' : community.level;
  return community.domains.map((domain) => ({
    domain,
    level,
    features: FEATURES,
    roles: {},
    watchers: community.watchers,
    ...(community.ca !== undefined && { ca: community.ca }),
    addresses: community.trustedIps,
    sources: ['communities'],
    hops,
    senders,
    community: ref,
  }));
}

/**
 * The `routes:` the communities' proxies make, so that the relay finds a community's next
 * hops as it finds a route's: one route per domain, to its proxies in order.
 */
export function communityRoutes(communities: { list: readonly Pick<CommunitySettings, 'domains' | 'proxies' | 'transport'>[] }): StaticRoute[] {
  return communities.list.flatMap((community) => {
    if (community.proxies.length === 0) return [];
    const to = communityProxyUris(community);
    return community.domains.map((domain) => ({ domain, to }));
  });
}

/** A community's proxies as the relay sends to them (those that name no transport take the community's): what a connector probe should resolve too. @see RFC 3263 §4.1 */
export function communityProxyUris(community: Pick<CommunitySettings, 'proxies' | 'transport'>): string[] {
  const { transport } = community;
  if (transport === null) return [...community.proxies];
  return community.proxies.map((text) => {
    const uri = parseUri(text);
    if (!isSipUri(uri) || uri.params.has('transport')) return text;
    const params = new Map(uri.params);
    params.set('transport', transport);
    return formatUri({ ...uri, params });
  });
}
