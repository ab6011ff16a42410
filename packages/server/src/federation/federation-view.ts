/** Entries the admin API added on top of the configuration's `federation.allow` and `federation.block`. */
export interface RuntimeLists {
  allow: string[];
  block: string[];
}

/** An allow or block entry and where it comes from: the configuration file, or the admin API. */
export interface ListedEntry {
  entry: string;
  source: 'config' | 'runtime';
}

/** A configured peer as `GET /api/federation` shows it: its domain and level, and whatever else the policy says of it. */
export interface FederationPeerDescription {
  domain: string;
  level: string;
  [detail: string]: unknown;
}

/** What the federation policy in force says of itself: the answer of `GET /api/federation`, flows aside. */
export interface FederationDescription {
  /** The level of a domain that has no `peers:` entry (`off`, `permissive`, `verified`, …). */
  default: string;
  /** The configuration's entries first, then the run-time ones the policy was last given. */
  allow: readonly ListedEntry[];
  block: readonly ListedEntry[];
  peers: readonly FederationPeerDescription[];
}

/**
 * What the run-time side (the admin API, the run-time lists each worker re-reads) needs of
 * the federation policy: its description, and a way to hand it the run-time lists, which
 * it applies on top of its configured ones from the next request on.
 */
export interface FederationView {
  describe(): FederationDescription;
  useRuntimeLists(lists: RuntimeLists): void;
}

/** `config` as `config` entries, then the `runtime` ones that are not also in `config` (compared in lower case). */
export function listedEntries(config: readonly string[], runtime: readonly string[]): ListedEntry[] {
  const inConfig = new Set(config.map((e) => e.toLowerCase()));
  return [
    ...config.map((entry) => ({ entry, source: 'config' as const })),
    ...runtime.filter((e) => !inConfig.has(e.toLowerCase())).map((entry) => ({ entry, source: 'runtime' as const })),
  ];
}
