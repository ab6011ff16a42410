import { KNOWN_METHODS, SipError } from '@herald/sip';
import type { RequestProcessor } from '../tu/request-processor.js';
import type { Capabilities } from '../uas/capabilities.js';

/**
 * The end of the chain: a request for Herald's domains that no processor took gets the
 * response that says why (requests for other domains were relayed or refused before).
 * - a known method Herald does not handle for this address: 405 with Allow (§8.2.1);
 * - an unknown method: 501 (§21.5.2).
 * An ACK never gets a response (§17.2.3).
 */
export function rejectUnhandled(caps: Capabilities): RequestProcessor {
  return {
    name: 'reject-unhandled',
    process(ctx) {
      const { req } = ctx;
      if (req.method === 'ACK') return 'stop';
      if (!KNOWN_METHODS.has(req.method)) throw new SipError(501, 'Not Implemented', 'SIP_ERR_PROXY_UNKNOWN_METHOD');
      throw new SipError(405, 'Method Not Allowed', 'SIP_ERR_PROXY_METHOD_NOT_ALLOWED', [['Allow', caps.allow.join(', ')]]);
    },
  };
}
