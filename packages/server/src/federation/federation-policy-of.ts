import { FederationPolicy, PeerTable, peersOf } from '@herald/proxy';
import type { HeraldConfig } from '../config/herald-config.js';
import { privateAnchors } from '../private-anchors.js';

/** The federation policy of a configuration: `federation:` and the peers `routes:` adds. */
export function federationPolicy(config: Pick<HeraldConfig, 'federation' | 'routes' | 'tls'>): FederationPolicy {
  const table = new PeerTable(peersOf(config.federation, config.routes));
  return new FederationPolicy(config.federation, table, config.tls && privateAnchors(config.tls, config.federation.peers));
}
