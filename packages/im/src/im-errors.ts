import { SipError } from '@herald/sip';
import type { MessageCap } from '@herald/store';

/** @see RFC 3261 §21.4.11 */
export function bodyTooLarge(limit: number): SipError {
  return new SipError(413, `Message Body Larger Than ${limit} Bytes`, 'SIP_ERR_IM_BODY_TOO_LARGE');
}

/** @see RFC 3428 §5: a MESSAGE over UDP must fit the path MTU; the sender retries over TCP. */
export function tooLargeForUdp(): SipError {
  return new SipError(513, 'Message Too Large For UDP', 'SIP_ERR_IM_TOO_LARGE_FOR_UDP');
}

/** The reason phrase and code of each cap of the offline store. */
const STORE_FULL: Record<MessageCap, readonly [reason: string, code: string]> = {
  recipient: ['Recipient Unavailable, Message Store Full', 'SIP_ERR_IM_STORE_FULL'],
  sender: ['Recipient Unavailable, Too Many Messages Stored From You', 'SIP_ERR_IM_STORE_FULL_SENDER'],
  'foreign-domain': ['Recipient Unavailable, Too Many Messages Stored From Your Domain', 'SIP_ERR_IM_STORE_FULL_DOMAIN'],
};

/**
 * The recipient is away and its store will take no more from this sender: 480, what a
 * server without store-and-forward answers, with a reason naming the cap. The sender may
 * send again later; the place comes free when the recipient takes its messages.
 * @see RFC 3428 §7 (store-and-forward is local policy), RFC 3261 §21.4.18
 */
export function storeFull(cap: MessageCap): SipError {
  const [reason, code] = STORE_FULL[cap];
  return new SipError(480, reason, code);
}
