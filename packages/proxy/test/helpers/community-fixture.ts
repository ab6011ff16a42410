/** A gateway community for the unit tests, and the federation policy that has it. */
import { COMMUNITY_DEFAULTS, type CommunitySettings } from '../../src/federation/community-settings.js';
import { CommunitySwitch } from '../../src/federation/community-switch.js';
import { FederationPolicy } from '../../src/federation/federation-policy.js';
import { DEFAULT_FEDERATION, type FederationSettings } from '../../src/federation/federation-settings.js';
import { PeerTable, peersOf } from '../../src/federation/peer-table.js';

/** `chicago` (chi.acme.test), as the configuration reader gives it with the defaults, changed by `over`. */
export function chicagoCommunity(over: Partial<CommunitySettings> = {}): CommunitySettings {
  return { ...COMMUNITY_DEFAULTS, name: 'chicago', domains: ['chi.acme.test'], ...over };
}

/** The federation policy of `federation` (over the defaults) and `communities`, switched on unless `enabled` says. */
export function communityPolicy(communities: readonly CommunitySettings[], federation: Partial<FederationSettings> = {}, enabled = true): FederationPolicy {
  const all = { ...DEFAULT_FEDERATION, ...federation };
  const settings = { enabled, list: communities };
  return new FederationPolicy(all, new PeerTable(peersOf(all, [], settings)), undefined, new CommunitySwitch(settings));
}
