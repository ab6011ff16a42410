import { SipError } from '@herald/sip';

/** Max-Forwards reached zero. @see RFC 3261 §16.3 step 3 */
export function tooManyHops(): SipError {
  return new SipError(483, 'Too Many Hops', 'SIP_ERR_PROXY_TOO_MANY_HOPS');
}

/** The request came back with Herald's own branch hash. @see RFC 3261 §16.3 step 4 */
export function loopDetected(): SipError {
  return new SipError(482, 'Loop Detected', 'SIP_ERR_PROXY_LOOP');
}

/** An authenticated request whose From is another user. */
export function fromMismatch(): SipError {
  return new SipError(403, 'From Does Not Match Authenticated User', 'SIP_ERR_PROXY_FROM_MISMATCH');
}

/** A request from outside Herald's domains for outside Herald's domains. */
export function relayingDenied(): SipError {
  return new SipError(403, 'Relaying Denied', 'SIP_ERR_PROXY_RELAY_DENIED');
}

/** A request from a sender Herald does not know, with a Route that is not Herald's. @see RFC 3261 §16.4 */
export function preloadedRouteDenied(): SipError {
  return new SipError(403, 'Preloaded Route Not Allowed', 'SIP_ERR_PROXY_ROUTE_DENIED');
}

/** A domain that neither `routes:` nor DNS says how to reach. @see RFC 3263 §4 */
export function noRouteToDomain(domain: string): SipError {
  return new SipError(404, `No Route To Domain ${domain}`, 'SIP_ERR_PROXY_NO_ROUTE');
}

/**
 * A peer domain whose federation level requires TLS has no TLS destination (none configured,
 * none in DNS): 503, as no server can take the request the way policy requires. @see RFC 5922 §4
 */
export function noTlsRoute(domain: string): SipError {
  return new SipError(503, `No TLS Route To ${domain}`, NO_TLS_ROUTE);
}

/** The reason of the 503 that stands for a peer domain whose every TLS destination failed (handshake, certificate, connection). */
export function tlsConnectionFailed(domain: string): string {
  return `TLS Connection To ${domain} Failed`;
}

/** The code of `noTlsRoute`. */
export const NO_TLS_ROUTE = 'SIP_ERR_PROXY_NO_TLS_ROUTE';

/**
 * DNS could not be asked where a next hop is (no server answered, or it failed): 504, since
 * an external server Herald needed did not answer in time. @see RFC 3261 §21.5.5, RFC 3263 §4.3
 */
export function dnsFailure(domain: string): SipError {
  return new SipError(504, `DNS Failure For ${domain}`, 'SIP_ERR_PROXY_DNS_FAILURE');
}

/** A local user with no binding. @see RFC 3261 §21.4.18 */
export function temporarilyUnavailable(): SipError {
  return new SipError(480, 'Temporarily Unavailable', 'SIP_ERR_PROXY_UNAVAILABLE');
}

/** A local user Herald has no account or alias for. */
export function userNotFound(): SipError {
  return new SipError(404, 'Not Found', 'SIP_ERR_PROXY_NOT_FOUND');
}

/** A CANCEL for no INVITE this worker is proxying. @see RFC 3261 §9.2 */
export function noTransactionToCancel(): SipError {
  return new SipError(481, 'Call/Transaction Does Not Exist', 'SIP_ERR_PROXY_NO_TRANSACTION');
}

/** A telephone number no configured ENUM suffix resolves for the request's method. @see RFC 6116 §2.4 */
export function numberNotInEnum(): SipError {
  return new SipError(404, 'Number Not Found In ENUM', 'SIP_ERR_PROXY_ENUM_NOT_FOUND');
}

/**
 * ENUM could not be asked (no DNS server answered). 504, not 404: the number may well exist;
 * DNS is the external server that did not answer in time. @see RFC 3261 §21.5.5
 */
export function enumUnavailable(): SipError {
  return new SipError(504, 'ENUM Lookup Failed', 'SIP_ERR_PROXY_ENUM_DNS');
}

/** The `_im._sip` / `_pres._sip` SRV of a domain said its service is not there (target `.`). @see RFC 2782, RFC 3861 §4 */
export function noMailboxService(domain: string, scheme: string): SipError {
  return new SipError(404, `No ${scheme === 'im' ? 'IM' : 'Presence'} Service at ${domain}`, 'SIP_ERR_PROXY_NO_MAILBOX_SERVICE');
}

