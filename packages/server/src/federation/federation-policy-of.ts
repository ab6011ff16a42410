import { CommunitySwitch, DEFAULT_COMMUNITIES, FederationPolicy, PeerTable, peersOf } from '@herald/proxy';
import type { HeraldConfig } from '../config/herald-config.js';
import { privateAnchors } from '../private-anchors.js';

/** The federation policy of a configuration: `federation:`, the peers `routes:` adds, and the gateway communities' domains. */
export function federationPolicy(config: Pick<HeraldConfig, 'federation' | 'routes' | 'tls'> & Partial<Pick<HeraldConfig, 'communities'>>): FederationPolicy {
  const communities = config.communities ?? DEFAULT_COMMUNITIES;
  const table = new PeerTable(peersOf(config.federation, config.routes, communities));
  return new FederationPolicy(config.federation, table, config.tls && privateAnchors(config.tls, table.peers), new CommunitySwitch(communities));
}
