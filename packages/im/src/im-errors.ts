import { SipError } from '@herald/sip';

/** @see RFC 3261 §21.4.11 */
export function bodyTooLarge(limit: number): SipError {
  return new SipError(413, `Message Body Larger Than ${limit} Bytes`, 'SIP_ERR_IM_BODY_TOO_LARGE');
}

/** @see RFC 3428 §5: a MESSAGE over UDP must fit the path MTU; the sender retries over TCP. */
export function tooLargeForUdp(): SipError {
  return new SipError(513, 'Message Too Large For UDP', 'SIP_ERR_IM_TOO_LARGE_FOR_UDP');
}
