import { isIP } from 'node:net';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_FEDERATION,
  FEATURES,
  FEDERATION_LEVELS,
  type Feature,
  type FederationSettings,
  PEER_WATCHER_ACTIONS,
  type PeerCa,
  type PeerSettings,
  listEntryProblem,
} from '@herald/proxy';
import { certificateFingerprints } from '@herald/stack';
import { ConfigError } from '../config-error.js';
import { isHostname } from '../host-port.js';
import { type Problems, allRead, expectList, expectMap, expectOneOf, expectString, readMapList, readSection } from '../validation-kit.js';
import { readablePath } from './read-tls.js';

const FEDERATION_KEYS = ['default', 'allow', 'block', 'features', 'peers'] as const;
const PEER_KEYS = ['domain', 'level', 'ca', 'features', 'roles', 'watchers', 'addresses'] as const;

/** What of TLS the rest of the configuration sets up: levels `encrypted` and `trusted` (and `communities` over `tls`) need both. */
export interface FederationTls {
  /** `tls:` is given (Herald's certificate and key). */
  certificate: boolean;
  /** Some listener is `tls://` (where peers connect to over TLS). */
  listener: boolean;
}

/** Levels that cannot be met without TLS. */
const TLS_LEVELS: ReadonlySet<string> = new Set(['encrypted', 'trusted']);

/**
 * `federation:`, into @herald/proxy's federation settings: the default level, the allow and
 * block lists, the features of unconfigured domains, and one entry per peer domain (its CA
 * file read for the fingerprints of its certificates; role members as AoRs, a bare user
 * taken in the primary domain).
 */
export function readFederation(value: unknown, domains: readonly string[], baseDir: string, tls: FederationTls, problems: Problems): FederationSettings | undefined {
  const map = readSection('federation', value, FEDERATION_KEYS, problems);
  if (map === undefined) return undefined;
  const defaults = DEFAULT_FEDERATION;
  const level = problems.check(() => expectLevel('federation.default', map.default ?? defaults.default, tls));
  const allow = problems.check(() => expectListEntries('federation.allow', map.allow));
  const block = problems.check(() => expectListEntries('federation.block', map.block));
  const features = problems.check(() => expectFeatures('federation.features', map.features));
  const peers = readMapList('federation.peers', map.peers, '{ domain: partner.example, level: trusted, ca: certs/partner-ca.pem }', PEER_KEYS, problems, (key, entry) =>
    readPeer(key, entry, { level: level ?? defaults.default, domains, baseDir, tls }, problems),
  );
  if (peers !== undefined) {
    const seen = new Set<string>();
    for (const [i, peer] of peers.entries()) {
      if (seen.has(peer.domain)) problems.add(`federation.peers[${i}].domain`, `"${peer.domain}" has an entry already; merge the two entries into one`);
      seen.add(peer.domain);
    }
  }
  return allRead({ default: level, allow, block, features, peers });
}

interface PeerContext {
  level: FederationSettings['default'];
  domains: readonly string[];
  baseDir: string;
  tls: FederationTls;
}

function readPeer(key: string, entry: Record<string, unknown>, context: PeerContext, problems: Problems): PeerSettings | undefined {
  const domain = problems.check(() => expectPeerDomain(`${key}.domain`, entry.domain, context.domains));
  // A level inherited from federation.default was checked there.
  const level = problems.check(() => (entry.level == null ? context.level : expectLevel(`${key}.level`, entry.level, context.tls)));
  const ca = entry.ca == null ? null : problems.check(() => readCa(`${key}.ca`, entry.ca, level, context.baseDir));
  const features = problems.check(() => expectFeatures(`${key}.features`, entry.features));
  const roles = problems.check(() => expectRoles(`${key}.roles`, entry.roles, context.domains[0] ?? 'localhost'));
  const watchers = problems.check(() => expectOneOf(`${key}.watchers`, entry.watchers ?? 'allow', PEER_WATCHER_ACTIONS));
  const addresses = entry.addresses == null ? null : problems.check(() => expectAddresses(`${key}.addresses`, entry.addresses));
  const read = allRead({ domain, level, ca, features, roles, watchers, addresses });
  if (read === undefined) return undefined;
  const { ca: file, addresses: sources, ...rest } = read;
  return { ...rest, ...(file !== null && { ca: file }), ...(sources !== null && { addresses: sources }) };
}

/** A federation level that this configuration can meet: `encrypted` and `trusted` need Herald's certificate and a `tls://` listener. */
export function expectLevel(key: string, value: unknown, tls: FederationTls): FederationSettings['default'] {
  const level = expectOneOf(key, value, FEDERATION_LEVELS);
  const missing = TLS_LEVELS.has(level) ? missingTls(tls) : null;
  if (missing === null) return level;
  throw new ConfigError(key, `\`${level}\` needs TLS: add ${missing}, or choose verified or permissive`);
}

/** What TLS between servers lacks (`tls: { cert, key }`, a `tls://` listener), in words; `null` when it is set up. */
export function missingTls(tls: FederationTls): string | null {
  if (tls.certificate && tls.listener) return null;
  return [...(tls.certificate ? [] : ['tls: { cert, key }']), ...(tls.listener ? [] : ['a listener such as tls://0.0.0.0:5061'])].join(' and ');
}

export function expectPeerDomain(key: string, value: unknown, domains: readonly string[]): string {
  if (value == null) throw new ConfigError(key, 'is required; give the peer domain, e.g. domain: partner.example, or "*.partner.example" for its subdomains', 'HERALD_ERR_CONFIG_REQUIRED');
  const text = expectString(key, value).toLowerCase();
  const bare = text.startsWith('*.') ? text.slice(2) : text;
  if (!isHostname(bare)) throw new ConfigError(key, `"${text}" is not a domain; write a host name such as partner.example, or "*.partner.example" for its subdomains`);
  if (domains.includes(text)) throw new ConfigError(key, `"${text}" is one of Herald's own domains; a peer is another domain, so remove this entry`);
  return text;
}

function expectListEntries(key: string, value: unknown): string[] {
  const list = expectList(key, value ?? [], '"*.spam.example", "198.51.100.0/24"');
  const entries = list.map((entry, i) => {
    const text = expectString(`${key}[${i}]`, entry);
    const problem = listEntryProblem(text);
    if (problem !== null) throw new ConfigError(`${key}[${i}]`, problem);
    return text.toLowerCase();
  });
  return [...new Set(entries)];
}

/** A peer's own source addresses: IP addresses and CIDR ranges, no domains (DNS already counts). */
export function expectAddresses(key: string, value: unknown): string[] {
  const entries = expectListEntries(key, value);
  entries.forEach((entry, i) => {
    if (isIP(entry.split('/')[0] ?? '') === 0) throw new ConfigError(`${key}[${i}]`, `"${entry}" is not an address; list IP addresses or CIDR ranges (192.0.2.10, 198.51.100.0/24): the addresses the peer's DNS gives count already`);
  });
  return entries;
}

function expectFeatures(key: string, value: unknown): Feature[] {
  if (value == null) return [...FEATURES];
  const list = expectList(key, value, FEATURES.join(', '));
  return [...new Set(list.map((entry, i) => expectOneOf(`${key}[${i}]`, entry, FEATURES)))];
}

/** `{ presence: [alice@example.com, bob] }`: per feature, the local users who alone may use it with the peer. */
function expectRoles(key: string, value: unknown, primaryDomain: string): Partial<Record<Feature, string[]>> {
  if (value == null) return {};
  const map = expectMap(key, value);
  const roles: Partial<Record<Feature, string[]>> = {};
  for (const [name, users] of Object.entries(map)) {
    const feature = expectOneOf(`${key}.${name}`, name, FEATURES);
    const list = expectList(`${key}.${feature}`, users, 'alice@example.com, bob');
    roles[feature] = list.map((user, i) => roleMember(`${key}.${feature}[${i}]`, user, primaryDomain));
  }
  return roles;
}

function roleMember(key: string, value: unknown, primaryDomain: string): string {
  const text = expectString(key, value).toLowerCase().replace(/^sips?:/, '');
  const at = text.lastIndexOf('@');
  const [user, domain] = at < 0 ? [text, primaryDomain] : [text.slice(0, at), text.slice(at + 1)];
  if (user === '' || /[\s<>;:]/.test(user) || !isHostname(domain)) throw new ConfigError(key, `"${text}" is not a user; write an AoR such as alice@example.com, or a bare user name of the primary domain`);
  return `${user}@${domain}`;
}

/** The peer's CA file, at level `trusted` only: readable, with at least one PEM certificate, whose SHA-256 fingerprints anchor the peer's chains. */
export function readCa(key: string, value: unknown, level: FederationSettings['default'] | undefined, baseDir: string): PeerCa {
  if (level !== undefined && level !== 'trusted') {
    throw new ConfigError(key, `is used only at level trusted, and this peer's level is ${level}; set level: trusted, or remove ca`);
  }
  const path = readablePath(key, value, baseDir, "the PEM file of the peer's CA certificates");
  const text = readFileSync(path, 'latin1');
  if (!text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(key, `${path} holds no PEM certificate; give the file of the peer's CA certificates (-----BEGIN CERTIFICATE-----)`, 'HERALD_ERR_CONFIG_FILE');
  }
  try {
    return { path, fingerprints: certificateFingerprints(text) };
  } catch (error) {
    throw new ConfigError(key, `${path} holds a certificate that cannot be read (${(error as Error).message}); give a PEM file of CA certificates`, 'HERALD_ERR_CONFIG_FILE');
  }
}
