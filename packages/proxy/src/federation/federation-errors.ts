import { SipError } from '@herald/sip';
import { type Feature, featureName } from './federation-settings.js';

/** Seconds a peer is asked to wait when DNS could not say whether it may speak for its domain. */
export const PEER_DNS_RETRY_AFTER_SECONDS = 30;

/** A domain on the block list. */
export function domainBlocked(): SipError {
  return new SipError(403, 'Domain Blocked', 'SIP_ERR_FEDERATION_DOMAIN_BLOCKED');
}

/** A source (or destination) address on the block list. */
export function addressBlocked(): SipError {
  return new SipError(403, 'Address Blocked', 'SIP_ERR_FEDERATION_ADDRESS_BLOCKED');
}

/** The code of `fromWithoutDomain`. */
export const FROM_WITHOUT_DOMAIN = 'SIP_ERR_FEDERATION_NO_DOMAIN';

/** A From of another kind than a domain's (`tel:`, an IP address) from a sender nobody authenticated, unless the default level is `permissive`. */
export function fromWithoutDomain(): SipError {
  return new SipError(403, 'From Names No Domain', FROM_WITHOUT_DOMAIN);
}

/** The allow list is not empty and names neither the domain nor the address. */
export function domainNotAllowed(): SipError {
  return new SipError(403, 'Domain Not Allowed', 'SIP_ERR_FEDERATION_DOMAIN_NOT_ALLOWED');
}

/** The domain's level is `off`. */
export function federationDisabled(domain: string): SipError {
  return new SipError(403, `Federation Disabled For ${domain}`, 'SIP_ERR_FEDERATION_DISABLED');
}

/** The gateway community of the domain is switched off (its own switch or the global one): refused both ways. */
export function communityDisabled(name: string): SipError {
  return new SipError(403, `Community ${name} Disabled`, 'SIP_ERR_COMMUNITY_DISABLED');
}

/** `verified` / `encrypted`: the source address is none RFC 3263 gives for the domain. @see RFC 3263 §4 */
export function sourceNotAuthorized(domain: string): SipError {
  return new SipError(403, `Source Not Authorized For ${domain}`, 'SIP_ERR_FEDERATION_SOURCE_NOT_AUTHORIZED');
}

/** `encrypted` / `trusted`: the request did not come over TLS. */
export function tlsRequired(domain: string): SipError {
  return new SipError(403, `TLS Required For ${domain}`, 'SIP_ERR_FEDERATION_TLS_REQUIRED');
}

/** `trusted`: no certificate, or one that does not verify (or is not anchored at the peer's CA). @see RFC 5922 §7.2 */
export function certificateNotTrusted(domain: string): SipError {
  return new SipError(403, `Certificate Not Trusted For ${domain}`, 'SIP_ERR_FEDERATION_CERTIFICATE_NOT_TRUSTED');
}

/** `trusted`: a certificate that verifies but names other domains. @see RFC 5922 §7.2 */
export function certificateDoesNotName(domain: string): SipError {
  return new SipError(403, `Certificate Does Not Name ${domain}`, 'SIP_ERR_FEDERATION_CERTIFICATE_NAME');
}

/** A request over a flow identified as another domain. */
export function fromDomainMismatch(): SipError {
  return new SipError(403, 'From Domain Does Not Match Connection', 'SIP_ERR_FEDERATION_FROM_MISMATCH');
}

/** The peer's features do not include the request's. */
export function featureNotAllowedWith(feature: Feature, domain: string): SipError {
  return new SipError(403, `${featureName(feature)} Not Allowed With ${domain}`, 'SIP_ERR_FEDERATION_FEATURE_REFUSED');
}

/** The feature is limited to a role the local user is not in. */
export function featureNotAllowedFor(feature: Feature, user: string): SipError {
  return new SipError(403, `${featureName(feature)} Not Allowed For ${user}`, 'SIP_ERR_FEDERATION_ROLE_REFUSED');
}

/** DNS could not be asked whether the source may speak for the domain: try again later, nothing is lost. @see RFC 3261 §21.5.4 */
export function peerDnsUnavailable(domain: string): SipError {
  return new SipError(503, `DNS Unavailable For ${domain}`, 'SIP_ERR_FEDERATION_DNS', [['Retry-After', String(PEER_DNS_RETRY_AFTER_SECONDS)]]);
}
