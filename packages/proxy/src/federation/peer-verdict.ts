import type { SipError } from '@herald/sip';
import type { Flow, PeerCertificate } from '@herald/stack';
import { certificateDoesNotName, certificateNotTrusted } from './federation-errors.js';
import type { FederationLevel, PeerCa } from './federation-settings.js';

/** Who sent a request from another domain, as the federation step found. */
export interface PeerVerdict {
  /** The From host, lower case. */
  domain: string;
  /** The peer table entry that covers it (`partner.example`, `*.acme.com`), `null` for a domain found only through DNS. */
  peer: string | null;
  level: FederationLevel;
  /** How the sender proved the domain: its TLS certificate, its address in the domain's DNS (or routes), or not at all (`permissive`). */
  proof: 'certificate' | 'address' | 'none';
}

/**
 * The domains a flow is identified as: those its peer's certificate names when the chain
 * verified; `null` for a flow without such a certificate.
 * @see RFC 5922 §7.1
 */
export function flowIdentities(flow: Flow): readonly string[] | null {
  const cert = flow.peerCertificate;
  return cert !== undefined && cert.authorized ? cert.identities : null;
}

/**
 * Level `trusted`: the certificate verified, is anchored at the peer's own CA when it has
 * one, and names `domain` exactly; the error that says which failed, else `null`.
 * @see RFC 5922 §7.2
 */
export function certificateRefusal(domain: string, cert: PeerCertificate | undefined, ca: PeerCa | undefined): SipError | null {
  if (cert === undefined || !cert.authorized) return certificateNotTrusted(domain);
  if (ca !== undefined && !anchoredAt(cert, ca)) return certificateNotTrusted(domain);
  // RFC 5922 §7.2: the domain compared with each identity, exactly, no wildcards.
  if (!cert.identities.includes(domain)) return certificateDoesNotName(domain);
  return null;
}

/** Some certificate of the chain is one of the CA file's. */
export function anchoredAt(cert: PeerCertificate, ca: PeerCa): boolean {
  const chain = new Set(cert.chain.map((f) => f.toUpperCase()));
  return ca.fingerprints.some((f) => chain.has(f.toUpperCase()));
}
