import { SipError } from '@herald/sip';

/** The intervals a service grants for what it keeps (a binding, a subscription, a publication), in seconds. */
export interface ExpiryLimits {
  /** Granted when the request asks for no interval. */
  defaultExpires: number;
  /** A shorter non-zero interval is refused with 423 and Min-Expires. */
  minExpires: number;
  /** A longer interval is shortened to this. */
  maxExpires: number;
}

/** 423 with the shortest interval accepted. @see RFC 3261 §10.3 step 7, §21.4.17; RFC 6665 §4.2.1.1; RFC 3903 §6 step 4 */
export function intervalTooBrief(minExpires: number): SipError {
  return new SipError(423, 'Interval Too Brief', 'SIP_ERR_INTERVAL_TOO_BRIEF', [['Min-Expires', String(minExpires)]]);
}

/**
 * The interval granted for the one a request asks (`null`/`undefined`: none asked): the
 * default when none is asked, 0 for 0 (a removal), 423 below the minimum, at most the maximum.
 * @see RFC 3261 §10.3 step 7, RFC 6665 §4.2.1.1, RFC 3903 §6 step 4
 */
export function grantedExpires(requested: number | null | undefined, limits: ExpiryLimits): number {
  if (requested === null || requested === undefined) return limits.defaultExpires;
  if (requested === 0) return 0;
  if (requested < limits.minExpires) throw intervalTooBrief(limits.minExpires);
  return Math.min(requested, limits.maxExpires);
}
