import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { TransportError } from './transport-error.js';

/** Where Herald's trust comes from. */
export interface TrustSources {
  /** Node's bundled root store (`tls.rootCertificates`) included (`tls.systemCa`, default true). */
  systemCa: boolean;
  /** PEM files of further CAs: `tls.ca`, and the federation peers' `federation.peers[].ca`. */
  caFiles: readonly string[];
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * The CA certificates (PEM) Herald trusts, as the `ca` or `serverCa` of `TlsOptions`: the
 * system store (when `systemCa`) and every file, together.
 */
export function trustedCertificates(sources: TrustSources): string[] {
  const cas = sources.systemCa ? [...tls.rootCertificates] : [];
  for (const file of sources.caFiles) cas.push(...pemCertificates(readFileSync(file, 'utf8'), file));
  return cas;
}

/** SHA-256 fingerprints (`AA:BB:…`) of the certificates in a PEM text: `TlsPeerCheck.anchors` from a peer's CA file. */
export function certificateFingerprints(pem: string | Buffer): string[] {
  return pemCertificates(pem.toString(), 'the PEM text').map((c) => new X509Certificate(c).fingerprint256.toUpperCase());
}

function pemCertificates(text: string, where: string): string[] {
  const found = text.match(PEM_CERTIFICATE) ?? [];
  if (found.length === 0) throw new TransportError(`${where} holds no PEM certificate`, 'SIP_ERR_TRANSPORT_CONFIG');
  return found;
}
