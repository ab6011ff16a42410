import type { SipError } from '@herald/sip';
import { type Flow, type PeerCertificate, coversDomain } from '@herald/stack';
import { certificateDoesNotName, certificateNotTrusted } from './federation-errors.js';
import type { FederationLevel, PeerCa, PeerSettings } from './federation-settings.js';

/** Who sent a request from another domain, as the federation step found. */
export interface PeerVerdict {
  /** The From host, lower case. */
  domain: string;
  /** The peer table entry that covers it (`partner.example`, `*.acme.com`), `null` for a domain found only through DNS. */
  peer: string | null;
  level: FederationLevel;
  /** How the sender proved the domain: its TLS certificate, its address in the domain's DNS (or routes), or not at all (`permissive`). */
  proof: 'certificate' | 'address' | 'none';
  /** The gateway community the domain belongs to (switched on, or the request was refused). */
  community?: string;
}

/**
 * Which CA certificates are a peer's own (`federation.peers[].ca`), by SHA-256 fingerprint
 * (upper case), and the peer entries (`partner.example`, `*.acme.example`) each may vouch for.
 */
export type PeerCas = ReadonlyMap<string, readonly string[]>;

/** The CAs of `peers` (`ca`) and the entries each vouches for, but those in `shared` (fingerprints trusted for every domain). */
export function peerCasOf(peers: readonly Pick<PeerSettings, 'domain' | 'ca'>[], shared: ReadonlySet<string> = new Set()): PeerCas {
  const cas = new Map<string, string[]>();
  for (const peer of peers) {
    for (const fingerprint of peer.ca?.fingerprints ?? []) {
      const key = fingerprint.toUpperCase();
      if (!shared.has(key)) cas.set(key, [...(cas.get(key) ?? []), peer.domain]);
    }
  }
  return cas;
}

/**
 * The domains a certificate speaks for: those it names (RFC 5922 §7.1) when its chain
 * verified, but of a chain through some peer's own CA only those that peer's entries cover,
 * so that one partner's CA cannot vouch for another domain; `null` when it vouches for none.
 */
export function vouchedIdentities(cert: PeerCertificate | undefined, peerCas: PeerCas): readonly string[] | null {
  if (cert === undefined || !cert.authorized) return null;
  let entries: string[] | null = null;
  for (const fingerprint of cert.chain) {
    const covered = peerCas.get(fingerprint.toUpperCase());
    if (covered !== undefined) (entries ??= []).push(...covered);
  }
  if (entries === null) return cert.identities;
  const covering = entries;
  const vouched = cert.identities.filter((identity) => covering.some((entry) => coversDomain(entry, identity)));
  return vouched.length > 0 ? vouched : null;
}

/** The domains a flow is identified as: those its peer's certificate vouches for. @see RFC 5922 §7.1 */
export function flowIdentities(flow: Flow, peerCas: PeerCas): readonly string[] | null {
  return vouchedIdentities(flow.peerCertificate, peerCas);
}

/**
 * Level `trusted`: the certificate verified, is anchored at the peer's own CA when it has
 * one, and names `domain` exactly (and is not from another peer's own CA); the error that
 * says which failed, else `null`.
 * @see RFC 5922 §7.2
 */
export function certificateRefusal(domain: string, cert: PeerCertificate | undefined, ca: PeerCa | undefined, peerCas: PeerCas): SipError | null {
  if (cert === undefined || !cert.authorized) return certificateNotTrusted(domain);
  if (ca !== undefined && !anchoredAt(cert, ca)) return certificateNotTrusted(domain);
  // RFC 5922 §7.2: the domain compared with each identity, exactly, no wildcards.
  if (!cert.identities.includes(domain)) return certificateDoesNotName(domain);
  if (!vouchedIdentities(cert, peerCas)?.includes(domain)) return certificateNotTrusted(domain);
  return null;
}

/** Some certificate of the chain is one of the CA file's. */
export function anchoredAt(cert: PeerCertificate, ca: PeerCa): boolean {
  const chain = new Set(cert.chain.map((f) => f.toUpperCase()));
  return ca.fingerprints.some((f) => chain.has(f.toUpperCase()));
}
