import { FederationPolicy, PeerTable, peersOf } from '@herald/proxy';
import type { HeraldConfig } from '../config/herald-config.js';

/** The federation policy of a configuration: `federation:` and the peers `routes:` adds. */
export function federationPolicy(config: Pick<HeraldConfig, 'federation' | 'routes'>): FederationPolicy {
  return new FederationPolicy(config.federation, new PeerTable(peersOf(config.federation, config.routes)));
}
