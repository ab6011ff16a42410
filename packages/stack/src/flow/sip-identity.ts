import type { DetailedPeerCertificate, PeerCertificate as NodePeerCertificate } from 'node:tls';
import type { PeerCertificate } from './peer-certificate.js';

/** One subjectAltName entry: its type as Node names it (`DNS`, `URI`, `IP Address`, …) and its value. */
export interface AltName {
  type: string;
  value: string;
}

/** What the identity rules read of a certificate: Node's `subjectaltname` string and subject. */
export interface CertificateNames {
  subjectaltname?: string;
  subject?: { CN?: string | string[] } | null;
}

/**
 * Parses Node's subjectAltName string (`DNS:a.example, URI:sip:a.example, IP Address:127.0.0.1`,
 * from `getPeerCertificate().subjectaltname` or `X509Certificate.subjectAltName`). An entry
 * whose value holds a comma or quote is written as a JSON string (`URI:"sip:a,b"`), so a
 * plain split on commas would cut it.
 */
export function parseSubjectAltName(text: string | undefined): AltName[] {
  const names: AltName[] = [];
  if (text === undefined) return names;
  let i = 0;
  while (i < text.length) {
    while (text[i] === ' ' || text[i] === ',') i++;
    if (i >= text.length) break;
    const colon = text.indexOf(':', i);
    if (colon < 0) break;
    const type = text.slice(i, colon);
    i = colon + 1;
    let value: string;
    if (text[i] === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      const quoted = text.slice(i, end + 1);
      try {
        value = JSON.parse(quoted) as string;
      } catch {
        value = quoted.slice(1, -1);
      }
      i = end + 1;
    } else {
      const comma = text.indexOf(', ', i);
      const end = comma < 0 ? text.length : comma;
      value = text.slice(i, end);
      i = end;
    }
    names.push({ type, value });
  }
  return names;
}

/**
 * The SIP domains a certificate speaks for, lower case: the hosts of its `sip:` URI
 * subjectAltNames; if none, its dNSName subjectAltNames; if it has no subjectAltName at all,
 * its subject CN.
 * @see RFC 5922 §7.1
 */
export function sipIdentities(cert: CertificateNames): string[] {
  const altNames = parseSubjectAltName(cert.subjectaltname);
  const uris = altNames.filter((n) => n.type === 'URI').map((n) => sipUriHost(n.value)).filter((h): h is string => h !== null);
  if (uris.length > 0) return unique(uris);
  const dns = altNames.filter((n) => n.type === 'DNS').map((n) => n.value.toLowerCase());
  if (dns.length > 0) return unique(dns);
  // RFC 5922 §7.1: the CN only when there is no subjectAltName of any kind.
  if (altNames.length > 0) return [];
  const cn = cert.subject?.CN;
  return unique((Array.isArray(cn) ? cn : cn === undefined ? [] : [cn]).map((c) => c.toLowerCase()));
}

/**
 * Whether a server's certificate names the SIP domain Herald connected to: `undefined` when it
 * does, else the error to fail the handshake with (the shape of `tls.checkServerIdentity`).
 * A `sip:` URI subjectAltName whose host is the domain, else a dNSName equal to it, else (no
 * subjectAltName) the CN; exact, case-insensitive.
 * @see RFC 5922 §7.3, §7.2 (no wildcard matching for SIP domains)
 */
export function checkSipServerIdentity(domain: string, cert: CertificateNames): Error | undefined {
  const wanted = domain.toLowerCase();
  const names = sipIdentities(cert);
  if (names.includes(wanted)) return undefined;
  const error = new Error(`the certificate names ${names.length === 0 ? 'no SIP domain' : names.join(', ')}, not ${wanted} (RFC 5922 §7.3)`) as Error & { code: string; reason: string };
  error.code = 'ERR_TLS_CERT_ALTNAME_INVALID';
  error.reason = error.message;
  return error;
}

/** SHA-256 fingerprints (`AA:BB:…`) of a peer's chain, leaf first, following `issuerCertificate` up to a self-issued root. */
export function chainFingerprints(cert: DetailedPeerCertificate | NodePeerCertificate): string[] {
  const chain: string[] = [];
  let current: DetailedPeerCertificate | undefined = cert as DetailedPeerCertificate;
  while (current !== undefined && current.fingerprint256 !== undefined && !chain.includes(current.fingerprint256.toUpperCase())) {
    chain.push(current.fingerprint256.toUpperCase());
    // A root is its own issuer: Node points its issuerCertificate at itself.
    current = current.issuerCertificate === current ? undefined : current.issuerCertificate;
  }
  return chain;
}

/** What a TLS socket's peer proved, or `undefined` when it sent no certificate. @see RFC 5922 §7.1 */
export function peerCertificateOf(socket: {
  authorized: boolean;
  authorizationError?: Error | string | null;
  getPeerCertificate(detailed: true): DetailedPeerCertificate;
}): PeerCertificate | undefined {
  const cert = socket.getPeerCertificate(true);
  if (cert === null || cert === undefined || Object.keys(cert).length === 0) return undefined;
  const error = socket.authorizationError;
  return {
    identities: sipIdentities(cert),
    authorized: socket.authorized,
    ...(!socket.authorized && error !== undefined && error !== null && { authorizationError: typeof error === 'string' ? error : ((error as NodeJS.ErrnoException).code ?? error.message) }),
    chain: chainFingerprints(cert),
  };
}

/** RFC 5922 §7.1: the host of a `sip:` URI without a user part, lower case; `null` for anything else (`sips:` included). */
function sipUriHost(uri: string): string | null {
  const m = /^sip:(\[[^\]@]+\]|[^:;?>@]+)(?:[:;?]|$)/i.exec(uri);
  return m === null ? null : m[1].toLowerCase();
}

function unique(names: string[]): string[] {
  return [...new Set(names)];
}
