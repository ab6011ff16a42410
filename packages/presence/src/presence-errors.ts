import { SipError } from '@herald/sip';
import type { SubscriptionCap } from '@herald/store';

/** 489 with the packages Herald serves. @see RFC 6665 §8.3.2, §7.2.2 */
export function badEvent(allowEvents: readonly string[]): SipError {
  return new SipError(489, 'Bad Event', 'SIP_ERR_PRESENCE_BAD_EVENT', [['Allow-Events', allowEvents.join(', ')]]);
}

/** The watcher accepts no format Herald writes. @see RFC 6665 §4.2.1.1 */
export function notAcceptable(formats: readonly string[]): SipError {
  return new SipError(406, 'Not Acceptable', 'SIP_ERR_PRESENCE_NOT_ACCEPTABLE', [['Accept', formats.join(', ')]]);
}

/** @see RFC 3903 §6 step 5 */
export function unsupportedMediaType(formats: readonly string[]): SipError {
  return new SipError(415, 'Unsupported Media Type', 'SIP_ERR_PRESENCE_MEDIA_TYPE', [['Accept', formats.join(', ')]]);
}

/** A PUBLISH whose SIP-If-Match names no live publication. @see RFC 3903 §6 step 3 */
export function conditionalRequestFailed(): SipError {
  return new SipError(412, 'Conditional Request Failed', 'SIP_ERR_PRESENCE_UNKNOWN_ETAG');
}

/** A body that is not a PIDF document for the presentity; `why` names the problem. @see RFC 3903 §6 step 5 */
export function badPresenceDocument(why: string): SipError {
  return new SipError(400, `Bad PIDF document: ${why}`, 'SIP_ERR_PRESENCE_BAD_DOCUMENT');
}

/** An initial PUBLISH without a body. @see RFC 3903 §6 step 4 */
export function publicationWithoutBody(): SipError {
  return new SipError(400, 'Initial PUBLISH without a body', 'SIP_ERR_PRESENCE_NO_BODY');
}

/** Only the presentity publishes its own state. @see RFC 3903 §6 step 2 */
export function notYourPresentity(): SipError {
  return new SipError(403, 'Not Authorized To Publish For This Presentity', 'SIP_ERR_PRESENCE_FORBIDDEN_PUBLISH');
}

/** The presentity blocks this watcher. @see RFC 5025 §3.2.1 (block) */
export function watcherBlocked(): SipError {
  return new SipError(403, 'Forbidden', 'SIP_ERR_PRESENCE_BLOCKED');
}

/** Only the presentity may subscribe to its own watcher information. @see RFC 3857 §5.1 */
export function notYourWatcherInfo(): SipError {
  return new SipError(403, 'Only The Presentity May Watch Its Watchers', 'SIP_ERR_PRESENCE_WINFO_FORBIDDEN');
}

/** A list subscription from a watcher that cannot take list NOTIFYs. @see RFC 4662 §4.6 */
export function eventlistRequired(): SipError {
  return new SipError(421, 'Extension Required', 'SIP_ERR_PRESENCE_EVENTLIST_REQUIRED', [['Require', 'eventlist']]);
}

/** @see RFC 5367 §4 */
export function badResourceList(why: string): SipError {
  return new SipError(400, `Bad resource list: ${why}`, 'SIP_ERR_PRESENCE_BAD_RESOURCE_LIST');
}

/** A SUBSCRIBE without a Contact cannot set up a dialog. @see RFC 6665 §4.1.2, RFC 3261 §12.1.2 */
export function missingContact(): SipError {
  return new SipError(400, 'SUBSCRIBE without a Contact', 'SIP_ERR_PRESENCE_NO_CONTACT');
}

/** An in-dialog request for a subscription Herald does not hold. @see RFC 6665 §4.1.2.2, RFC 3261 §12.2.2 */
export function noSuchSubscription(): SipError {
  return new SipError(481, 'Subscription Does Not Exist', 'SIP_ERR_PRESENCE_NO_SUBSCRIPTION');
}

/** A refresh older than the last request of its dialog. @see RFC 3261 §12.2.2 */
export function cseqOutOfOrder(): SipError {
  return new SipError(500, 'CSeq Out Of Order', 'SIP_ERR_PRESENCE_CSEQ_ORDER');
}

/** Concurrent updates kept winning the race; the client may retry. */
export function busySubscription(): SipError {
  return new SipError(500, 'Server Internal Error', 'SIP_ERR_PRESENCE_CONTENTION', [['Retry-After', '1']]);
}

/** Why a cap refuses a SUBSCRIBE, in the reason phrase and the code. */
const CAP_REFUSALS: Record<SubscriptionCap, readonly [reason: string, code: string]> = {
  resource: ['Too Many Watchers Of This Presentity', 'SIP_ERR_PRESENCE_TOO_MANY_WATCHERS'],
  'foreign-domain': ['Too Many Subscriptions From Your Domain', 'SIP_ERR_PRESENCE_TOO_MANY_FROM_DOMAIN'],
  'foreign-source': ['Too Many Subscriptions From Your Address', 'SIP_ERR_PRESENCE_TOO_MANY_FROM_SOURCE'],
};

/**
 * A watcher of another domain would pass a cap: 503 with Retry-After, the reason naming
 * the cap. Temporary: places come free as subscriptions end, and a subscriber that honours
 * Retry-After comes back then.
 * @see RFC 3261 §21.5.4, RFC 6665 §4.1.2.1 (a failed SUBSCRIBE may be retried after Retry-After)
 */
export function tooManySubscriptions(cap: SubscriptionCap, retryAfterSeconds: number): SipError {
  const [reason, code] = CAP_REFUSALS[cap];
  return new SipError(503, reason, code, [['Retry-After', String(retryAfterSeconds)]]);
}
