import { SipError } from '@herald/sip';
import type { RequestProcessor } from '../tu/request-processor.js';
import { refuseUnsupported } from '../uas/require-understood.js';

/** URI schemes Herald routes (RFC 3261 §8.2.2.1, §16.3 step 2; RFC 3966; RFC 3861). */
const SCHEMES = new Set(['sip', 'sips', 'tel', 'im', 'pres']);

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
    process(ctx) {
      const { req } = ctx;
      req.validate();
      if (!SCHEMES.has(req.uri.scheme)) {
        throw new SipError(416, 'Unsupported URI Scheme', 'SIP_ERR_PROXY_URI_SCHEME');
      }
      if (req.method === 'ACK' || req.method === 'CANCEL' || !req.hasHeader('proxy-require')) return 'continue';
      refuseUnsupported(req.optionTags('proxy-require'));
      return 'continue';
    },
  };
}
