import { isIP } from 'node:net';
import { type SipError, hostAddress } from '@herald/sip';
import type { TlsPeerCheck } from '@herald/stack';
import { canonicalHost } from '../routing/local-identity.js';
import type { OutboundPeer } from '../routing/target.js';
import { DomainAddressList } from './domain-address-list.js';
import { type CommunityRef, DEFAULT_COMMUNITIES } from './community-settings.js';
import { CommunitySwitch } from './community-switch.js';
import { addressBlocked, communityDisabled, domainBlocked, domainNotAllowed, featureNotAllowedFor, featureNotAllowedWith, federationDisabled } from './federation-errors.js';
import type { Feature, FederationLevel, FederationSettings, PeerCa, PeerWatcherAction } from './federation-settings.js';
import type { Peer, PeerTable } from './peer-table.js';
import { type PeerCas, peerCasOf } from './peer-verdict.js';

/** Allow and block entries set at run time (admin API), on top of the configured ones. */
export interface RuntimeLists {
  allow: readonly string[];
  block: readonly string[];
}

/** Where an allow or block entry came from. */
export type ListEntrySource = 'config' | 'runtime';

/** The policy as `GET /api/federation` shows it: plain JSON. */
export interface FederationPolicyDescription {
  default: FederationLevel;
  features: Feature[];
  allow: Array<{ entry: string; source: ListEntrySource }>;
  block: Array<{ entry: string; source: ListEntrySource }>;
  peers: Array<{
    domain: string;
    level: FederationLevel;
    features: Feature[];
    roles: Partial<Record<Feature, string[]>>;
    watchers: PeerWatcherAction;
    ca: string | null;
    sources: string[];
    /** The gateway community of the domain, when it belongs to one. */
    community?: string;
  }>;
}

const NO_RUNTIME = new DomainAddressList([]);

/** `config` entries, then the `runtime` ones not also in `config` (compared in lower case): a run-time entry also in the configuration is listed once, as the configuration's. */
export function listedEntries(config: readonly string[], runtime: readonly string[]): FederationPolicyDescription['allow'] {
  const inConfig = new Set(config.map((e) => e.toLowerCase()));
  return [
    ...config.map((entry) => ({ entry, source: 'config' as const })),
    ...runtime.filter((e) => !inConfig.has(e.toLowerCase())).map((entry) => ({ entry, source: 'runtime' as const })),
  ];
}

/**
 * One policy for every other domain, in both directions: the allow and block lists (block
 * wins; a non-empty allow list admits only what it names), the level and features of each
 * domain from its peer table entry or the defaults.
 */
export class FederationPolicy {
  private readonly allow: DomainAddressList;
  private readonly block: DomainAddressList;
  private runtimeAllow = NO_RUNTIME;
  private runtimeBlock = NO_RUNTIME;
  /** The way out to each community peer of an exact domain, built once: community traffic allocates nothing for it. */
  private readonly communityWays = new Map<Peer, OutboundPeer>();

  /**
   * `peerCas`: the peers' own CAs and what each may vouch for (by default every peer `ca`;
   * the server leaves out those `tls.ca` or the system store also trusts). `communities`:
   * which gateway communities of the table are switched on.
   */
  constructor(
    private readonly settings: FederationSettings,
    readonly table: PeerTable,
    readonly peerCas: PeerCas = peerCasOf(table.peers),
    readonly communities: CommunitySwitch = new CommunitySwitch(DEFAULT_COMMUNITIES),
  ) {
    this.allow = new DomainAddressList(settings.allow);
    this.block = new DomainAddressList(settings.block);
    for (const peer of table.peers) if (peer.community !== undefined) this.communityWays.set(peer, communityWay(peer, peer.domain));
  }

  /**
   * Replaces the run-time allow and block entries wholesale (the configured ones stay).
   * Throws an `Error` naming the first bad entry, and then changes nothing.
   */
  useRuntimeLists(lists: RuntimeLists): void {
    const allow = new DomainAddressList(lists.allow);
    const block = new DomainAddressList(lists.block);
    this.runtimeAllow = allow;
    this.runtimeBlock = block;
  }

  /** A connection from `address` is refused at accept: the block lists name it. */
  blocksAddress(address: string): boolean {
    return this.block.hasAddress(address) || this.runtimeBlock.hasAddress(address);
  }

  peerFor(domain: string): Peer | null {
    return this.table.peerFor(domain);
  }

  levelOf(domain: string): FederationLevel {
    return this.table.peerFor(domain)?.level ?? this.settings.default;
  }

  /** The label of `domain` in metrics: its peer entry, else `other` (a sender cannot mint label values). */
  metricPeer(domain: string): string {
    return this.table.peerFor(domain)?.domain ?? 'other';
  }

  /**
   * The lists' refusal of `domain` (lower case) and, inbound, the `address` the request came
   * from: blocked domain, blocked address, not allowed, level `off`; `null` when they admit it.
   */
  listRefusal(domain: string, address: string | null): SipError | null {
    if (this.block.hasDomain(domain) || this.runtimeBlock.hasDomain(domain)) return domainBlocked();
    if (address !== null && this.blocksAddress(address)) return addressBlocked();
    if (!(this.allow.isEmpty && this.runtimeAllow.isEmpty)) {
      const listed = (list: DomainAddressList) => list.hasDomain(domain) || (address !== null && list.hasAddress(address));
      if (!listed(this.allow) && !listed(this.runtimeAllow)) return domainNotAllowed();
    }
    return this.switchedOff(domain);
  }

  /** A gateway community switched off, or level `off`: refused both ways whatever the lists say. */
  private switchedOff(domain: string): SipError | null {
    const peer = this.table.peerFor(domain);
    if (peer?.community !== undefined && !this.communities.isEnabled(peer.community.name)) return communityDisabled(peer.community.name);
    if ((peer?.level ?? this.settings.default) === 'off') return federationDisabled(domain);
    return null;
  }

  /**
   * Whether the local user `user` (`user@domain`, lower case; `null` when unknown) may use
   * `feature` with `domain`: its peer entry's features and roles, else the default features.
   * `user` may be given as a function, asked only when a role needs it.
   */
  featureRefusal(domain: string, feature: Feature | null, user: string | null | (() => string | null)): SipError | null {
    if (feature === null) return null;
    const offered = this.offerRefusal(domain, feature);
    if (offered !== null) return offered;
    const role = this.table.peerFor(domain)?.roles[feature];
    if (role === undefined) return null;
    const who = typeof user === 'function' ? user() : user;
    if (who === null || !role.includes(who)) return featureNotAllowedFor(feature, who ?? 'anonymous');
    return null;
  }

  /**
   * What the policy says of a request within a dialog from `domain` (the dialog was judged
   * when it began): the lists, level `off` and the feature, roles aside (the Request-URI of an
   * in-dialog request is a contact, not a user), so that a domain blocked or refused a
   * feature since loses its subscriptions at their next refresh or NOTIFY.
   */
  dialogRefusal(domain: string, address: string, feature: Feature | null): SipError | null {
    return this.listRefusal(domain, address) ?? this.offerRefusal(domain, feature);
  }

  /**
   * The same towards `domain`: a request within a dialog that one of Herald's users sends
   * there, or one Herald originates (a NOTIFY to a watcher there): blocked, a community
   * switched off, level `off`, the feature. The allow lists are not asked: an entry may name
   * the peer's source address, which a request towards it does not carry, and the dialog
   * was admitted by them.
   */
  dialogRefusalToward(domain: string, feature: Feature | null): SipError | null {
    if (this.block.hasDomain(domain) || this.runtimeBlock.hasDomain(domain)) return domainBlocked();
    return this.switchedOff(domain) ?? this.offerRefusal(domain, feature);
  }

  /** Whether requests using `feature` may go to `domain` at all (lists, level, features; roles aside). */
  mayReach(domain: string, feature: Feature): boolean {
    return this.listRefusal(domain, null) === null && this.offerRefusal(domain, feature) === null;
  }

  /** The feature is not among those of `domain`'s peer entry (or the defaults), roles aside. */
  private offerRefusal(domain: string, feature: Feature | null): SipError | null {
    if (feature === null) return null;
    return (this.table.peerFor(domain)?.features ?? this.settings.features).includes(feature) ? null : featureNotAllowedWith(feature, domain);
  }

  /**
   * What the level of `domain` asks of the way there: TLS only for `encrypted` and `trusted`,
   * any certificate for `encrypted`, a verified one (anchored at the peer's CA when it has one)
   * for `trusted`; `undefined` when any transport will do.
   * @see RFC 5922 §7.3
   */
  outboundPeer(uriHost: string): OutboundPeer | undefined {
    const domain = canonicalHost(uriHost);
    const peer = this.table.peerFor(domain);
    if (peer?.community !== undefined) {
      const way = this.communityWays.get(peer)!;
      return way.domain === domain ? way : { ...way, domain };
    }
    const tlsCheck = tlsCheckOf(peer?.level ?? this.settings.default, peer?.ca);
    return tlsCheck === undefined ? undefined : { domain, onlyTls: true, tlsCheck };
  }

  /**
   * The way to a connector of the community `name` for its probes (RFC 3261 §11 OPTIONS): as
   * to the community's first exact domain, the name its requests' certificates are checked
   * against. A community of `*.` domains only has no such name: the connector's own host is
   * checked, the probe's Request-URI (RFC 5922 §7.3), and for a connector given as an address
   * (no name to check, RFC 6066 §3) the domain under the first wildcard. `undefined` for a
   * name no community has.
   */
  connectorPeer(name: string, connectorHost: string): OutboundPeer | undefined {
    const peers = this.table.peers.filter((p) => p.community?.name === name);
    if (peers.length === 0) return undefined;
    const exact = peers.find((p) => !p.domain.startsWith('*.'));
    if (exact !== undefined) return this.communityWays.get(exact);
    const way = this.communityWays.get(peers[0])!;
    const host = hostAddress(connectorHost);
    return { ...way, domain: isIP(host) === 0 ? canonicalHost(host) : peers[0].domain.slice(2) };
  }

  /** The gateway community `domain` belongs to, switched on or not; `undefined` for another domain. */
  communityOf(domain: string): CommunityRef | undefined {
    return this.table.peerFor(domain)?.community;
  }

  /** The watcher policy of a configured peer domain; `undefined` for a domain no entry names. */
  peerWatchers(domain: string): PeerWatcherAction | undefined {
    return this.table.peerFor(domain)?.watchers;
  }

  describe(): FederationPolicyDescription {
    const entries = (config: DomainAddressList, runtime: DomainAddressList) => listedEntries(config.entries, runtime.entries);
    return {
      default: this.settings.default,
      features: [...this.settings.features],
      allow: entries(this.allow, this.runtimeAllow),
      block: entries(this.block, this.runtimeBlock),
      peers: this.table.peers.map((p) => ({
        domain: p.domain,
        level: p.level,
        features: [...p.features],
        roles: Object.fromEntries(Object.entries(p.roles).map(([feature, users]) => [feature, [...users]])),
        watchers: p.watchers,
        ca: p.ca?.path ?? null,
        sources: [...p.sources],
        ...(p.community !== undefined && { community: p.community.name }),
      })),
    };
  }
}

/**
 * The way out to a community's domain: TLS only (any certificate at `encrypted`, a verified
 * one at `trusted`) when its level asks; without proxies, its transport and A/AAAA port.
 * @see RFC 3263 §4, RFC 5922 §7.3
 */
function communityWay(peer: Peer, domain: string): OutboundPeer {
  const community = peer.community!;
  const tlsCheck = tlsCheckOf(peer.level, peer.ca);
  return {
    domain,
    onlyTls: tlsCheck !== undefined,
    ...(tlsCheck !== undefined && { tlsCheck }),
    community: community.name,
    ...(!community.proxiesOnly && { defaultPort: community.port, ...(community.transport !== null && { transport: community.transport }) }),
  };
}

/** What a level asks of the server's certificate: any at `encrypted`, a verified one (anchored at the peer's CA when it has one) at `trusted`; `undefined` when TLS is not required. */
function tlsCheckOf(level: FederationLevel, ca: PeerCa | undefined): TlsPeerCheck | undefined {
  if (level === 'encrypted') return { anyCertificate: true };
  if (level === 'trusted') return { anyCertificate: false, ...(ca !== undefined && { anchors: ca.fingerprints }) };
  return undefined;
}
