import { type MailboxUri, type SipUri, type Uri, isSipUri } from '@herald/sip';
import { canonicalHost } from '../routing/local-identity.js';

/**
 * The domain a URI names, as the federation policy matches it: the host of a SIP, SIPS,
 * `im:` or `pres:` URI, lower case, an IPv6 reference's brackets and a trailing dot dropped
 * (`peer.example.` is the domain `peer.example`, and meets its lists and level); `null` for
 * a URI without one (`tel:`).
 */
export function uriDomain(uri: Uri): string | null {
  if (!isSipUri(uri) && uri.scheme !== 'im' && uri.scheme !== 'pres') return null;
  const host = (uri as SipUri | MailboxUri).host;
  // Each relay step asks this of the same URIs: only a bracketed host pays for the regular expression.
  const domain = canonicalHost(host.startsWith('[') || host.endsWith(']') ? host.replace(/^\[|\]$/g, '') : host);
  return domain === '' ? null : domain;
}
