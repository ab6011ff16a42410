import type { TransportProtocol } from '@herald/stack';
import type { FederationLevel, PeerCa, PeerWatcherAction } from './federation-settings.js';

/**
 * One external (gateway) community, as an IBM Sametime SIP Gateway configures one: a named
 * peer policy covering several domains, reached through its connectors (`proxies`) and
 * speaking from them or from `trustedIps`. docs/gateways.md describes it.
 */
export interface CommunitySettings {
  /** Unique among the communities; the name `herald community` and the metrics use. */
  name: string;
  /** Lower case; exact domains and `*.` wildcards (which do not take the bare domain). */
  domains: readonly string[];
  /** SIP URIs of the community's connectors, tried in order with failover; empty: RFC 3263 for the domain. */
  proxies: readonly string[];
  /** Without proxies and without SRV records: the domain's A/AAAA at this port. Default 5060 (5061 for TLS). */
  port: number;
  /** The transport towards the community; `tls` also refuses anything else inbound. `null`: RFC 3263 chooses. */
  transport: TransportProtocol | null;
  /** Addresses and CIDR ranges the community's connectors send from, besides the DNS addresses of its proxies. */
  trustedIps: readonly string[];
  /** As configured; `herald community enable|disable` overrides it at run time. */
  enabled: boolean;
  /** Users are shown to the community by their external alias (From, P-Asserted-Identity, PIDF entity). */
  convertIds: boolean;
  /** Default `verified`; a `tls` community is at least `encrypted`. */
  level: FederationLevel;
  /** Level `trusted`: the community's own CA. */
  ca?: PeerCa;
  /** What happens to the community's watchers the presentity's own rules do not name. Default `allow`. */
  watchers: PeerWatcherAction;
  /** How often each proxy is sent an OPTIONS to learn whether it is up (`probeInterval`, seconds; 0: never). Default 10 s. */
  probeIntervalMs: number;
}

/** What a community entry that says nothing else has: no proxies (RFC 3263), port 5060 (5061 when `transport: tls`), level `verified`, watchers allowed, probed every 10 s. */
export const COMMUNITY_DEFAULTS: Readonly<Omit<CommunitySettings, 'name' | 'domains'>> = Object.freeze({
  proxies: [],
  port: 5060,
  transport: null,
  trustedIps: [],
  enabled: true,
  convertIds: false,
  level: 'verified',
  watchers: 'allow',
  probeIntervalMs: 10_000,
});

/** `communities:` of the configuration. */
export interface CommunitiesSettings {
  /** Off: every community is refused both ways, whatever its own `enabled` says. */
  enabled: boolean;
  list: readonly CommunitySettings[];
}

export const DEFAULT_COMMUNITIES: Readonly<CommunitiesSettings> = Object.freeze({ enabled: true, list: [] });

/** What a peer table entry knows of the community it belongs to. */
export interface CommunityRef {
  name: string;
  convertIds: boolean;
  /** The community names its connectors: only their addresses (and `trustedIps`) speak for it, not the domain's own DNS. */
  proxiesOnly: boolean;
  /** A/AAAA fallback port (no proxies, no SRV). */
  port: number;
  transport: TransportProtocol | null;
}

/**
 * The switches set at run time (`herald community enable|disable`, the admin API), stored
 * under the setting `communities.state`: per community name, and `all` for the global one.
 * A name absent keeps its configured `enabled`.
 */
export interface RuntimeCommunityStates {
  all?: boolean;
  communities: Readonly<Record<string, boolean>>;
}
