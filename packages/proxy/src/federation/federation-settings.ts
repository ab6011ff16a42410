/**
 * How much Herald trusts another domain, weakest first: `off` refuses it, `permissive`
 * takes it at its word, `verified` checks the source address against the domain's DNS
 * (RFC 3263), `encrypted` also requires TLS, `trusted` requires TLS with a certificate that
 * verifies and names the domain (RFC 5922 §7.2).
 */
export type FederationLevel = 'off' | 'permissive' | 'verified' | 'encrypted' | 'trusted';

export const FEDERATION_LEVELS: readonly FederationLevel[] = ['off', 'permissive', 'verified', 'encrypted', 'trusted'];

/** What users may do with a peer domain: MESSAGE, presence (SUBSCRIBE, NOTIFY, PUBLISH), INVITE, INVITE of a file (RFC 5547). */
export type Feature = 'messages' | 'presence' | 'calls' | 'fileTransfer';

export const FEATURES: readonly Feature[] = ['messages', 'presence', 'calls', 'fileTransfer'];

/** What happens to a peer's watchers the presentity's own rules do not name. @see RFC 5025 §3.2.1 */
export type PeerWatcherAction = 'allow' | 'block' | 'polite-block' | 'confirm';

export const PEER_WATCHER_ACTIONS: readonly PeerWatcherAction[] = ['allow', 'block', 'polite-block', 'confirm'];

/** A CA file of a peer: its path and the SHA-256 fingerprints (`AA:BB:…`) of the certificates in it. */
export interface PeerCa {
  path: string;
  fingerprints: readonly string[];
}

/** What Herald knows about one other domain (or, with `*.`, its subdomains). */
export interface PeerSettings {
  /** Lower case; `peer.example` or `*.peer.example`. */
  domain: string;
  level: FederationLevel;
  /** Level `trusted`: the peer's certificate must chain to one of these. */
  ca?: PeerCa;
  features: readonly Feature[];
  /** Per feature, the local users (AoRs `user@domain`, lower case) who alone may use it with the peer. */
  roles: Readonly<Partial<Record<Feature, readonly string[]>>>;
  watchers: PeerWatcherAction;
  /**
   * Levels `verified` and `encrypted`: source addresses and CIDR ranges that speak for the
   * peer besides those its DNS (and route) gives, e.g. its outbound proxies.
   */
  addresses?: readonly string[];
}

/** `federation:` of the configuration. */
export interface FederationSettings {
  /** The level of a domain no peer entry names. */
  default: FederationLevel;
  allow: readonly string[];
  block: readonly string[];
  /** The features of a domain no peer entry names. */
  features: readonly Feature[];
  peers: readonly PeerSettings[];
}

/**
 * `verified`: a domain found only through DNS must at least send from an address its DNS
 * gives, which costs nothing to a peer that publishes its records and stops anyone from
 * claiming any domain; docs/federation.md explains the choice.
 */
export const DEFAULT_FEDERATION: Readonly<FederationSettings> = Object.freeze({
  default: 'verified',
  allow: [],
  block: [],
  features: FEATURES,
  peers: [],
});

/** `fileTransfer` → `File Transfer`, as a reason phrase names it. */
export function featureName(feature: Feature): string {
  return { messages: 'Messages', presence: 'Presence', calls: 'Calls', fileTransfer: 'File Transfer' }[feature];
}
