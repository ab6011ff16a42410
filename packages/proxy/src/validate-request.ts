import { SipError, type SipRequest } from '@herald/sip';
import type { RequestContext, RequestProcessor } from './request-context.js';

/** URI schemes Herald routes (RFC 3261 §8.2.2.1, §16.3 step 2; RFC 3966; RFC 3861). */
const SCHEMES = new Set(['sip', 'sips', 'tel', 'im', 'pres']);

/** Option tags Herald understands in Require / Proxy-Require (RFC 3327, RFC 5626, RFC 4662, RFC 5367). */
const SUPPORTED_TAGS = new Set(['path', 'outbound', 'eventlist', 'recipient-list-subscribe']);

/**
 * Request validation: every header Herald understands is well formed (RFC 3261 §16.3
 * step 1, RFC 4475 §3.1.2), the Request-URI scheme is one we handle (§16.3 step 2, 416),
 * and no proxy extension we lack is required (§16.3 step 6, 420 with Unsupported).
 * Require is for the UAS: the services that answer a request themselves check it
 * (`requireUnderstood`); a proxied request carries it on to the user agent.
 */
export function validateRequest(): RequestProcessor {
  return {
    name: 'validate-request',
    process(ctx: RequestContext) {
      const { req } = ctx;
      req.validate();
      if (!SCHEMES.has(req.uri.scheme)) {
        throw new SipError(416, 'Unsupported URI Scheme', 'SIP_ERR_PROXY_URI_SCHEME');
      }
      if (req.method === 'ACK' || req.method === 'CANCEL' || !req.hasHeader('proxy-require')) return 'continue';
      unsupportedIn(req.optionTags('proxy-require'));
      return 'continue';
    },
  };
}

/**
 * For a service that answers the request itself (the UAS): 420 with Unsupported when it
 * requires an extension Herald lacks. Not checked on ACK and CANCEL.
 * @see RFC 3261 §8.2.2.3
 */
export function requireUnderstood(req: SipRequest): void {
  if (req.method === 'ACK' || req.method === 'CANCEL' || !req.hasHeader('require')) return;
  unsupportedIn(req.optionTags('require'));
}

function unsupportedIn(tags: readonly string[]): void {
  const unsupported = tags.filter((t) => !SUPPORTED_TAGS.has(t));
  if (unsupported.length > 0) throw new SipError(420, 'Bad Extension', 'SIP_ERR_PROXY_BAD_EXTENSION', [['Unsupported', [...new Set(unsupported)].join(', ')]]);
}
