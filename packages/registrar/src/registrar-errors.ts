import { SipError } from '@herald/sip';

/** @see RFC 3261 §10.3 step 6 */
export function invalidWildcard(why: string): SipError {
  return new SipError(400, `Invalid wildcard Contact: ${why}`, 'SIP_ERR_REGISTRAR_WILDCARD');
}

/** A REGISTER older than the one that wrote a binding. @see RFC 3261 §10.3 step 7 */
export function outOfOrder(): SipError {
  return new SipError(400, 'CSeq older than the registered binding', 'SIP_ERR_REGISTRAR_OUT_OF_ORDER');
}

/** The AoR is not in the domain the Request-URI names. @see RFC 3261 §10.3 step 5 */
export function foreignAor(): SipError {
  return new SipError(404, 'Not Found', 'SIP_ERR_REGISTRAR_FOREIGN_AOR');
}

/** The authenticated user may not change this AoR's bindings. @see RFC 3261 §10.3 step 3 */
export function notYourAor(): SipError {
  return new SipError(403, 'Not Authorized For This Address-of-Record', 'SIP_ERR_REGISTRAR_FORBIDDEN_AOR');
}

/** The AoR would exceed `registrar.maxContacts`. */
export function tooManyContacts(max: number): SipError {
  return new SipError(403, `Too Many Contacts (at most ${max})`, 'SIP_ERR_REGISTRAR_TOO_MANY_CONTACTS');
}

/** A Contact parameter (`expires`, `q`, `reg-id`) that does not parse. */
export function badContactParam(name: string, value: string | null): SipError {
  return new SipError(400, `Malformed Contact ${name} parameter "${value ?? ''}"`, 'SIP_ERR_REGISTRAR_CONTACT_PARAM');
}

/** Concurrent updates kept winning the race; the client may retry. */
export function busyAor(): SipError {
  return new SipError(500, 'Server Internal Error', 'SIP_ERR_REGISTRAR_CONTENTION', [['Retry-After', '1']]);
}
