import { SipError, type SipRequest } from '@herald/sip';
import { SUPPORTED_OPTION_TAGS } from './capabilities.js';

const SUPPORTED = new Set(SUPPORTED_OPTION_TAGS);

/**
 * For a service that answers the request itself (the UAS): 420 with Unsupported when it
 * requires an extension Herald lacks. Not checked on ACK and CANCEL.
 * @see RFC 3261 §8.2.2.3
 */
export function requireUnderstood(req: SipRequest): void {
  if (req.method === 'ACK' || req.method === 'CANCEL' || !req.hasHeader('require')) return;
  refuseUnsupported(req.optionTags('require'));
}

/** 420 Bad Extension with Unsupported naming each tag Herald lacks. @see RFC 3261 §8.2.2.3, §16.3 step 6 */
export function refuseUnsupported(tags: readonly string[]): void {
  const unsupported = tags.filter((t) => !SUPPORTED.has(t));
  if (unsupported.length > 0) throw new SipError(420, 'Bad Extension', 'SIP_ERR_PROXY_BAD_EXTENSION', [['Unsupported', [...new Set(unsupported)].join(', ')]]);
}
