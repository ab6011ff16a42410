import { KNOWN_METHODS, SipError } from '@herald/sip';
import type { Capabilities } from './options-responder.js';
import type { LocalIdentity, RequestContext, RequestProcessor } from '@herald/proxy';

/**
 * The end of the chain: a request no processor took gets the response that says why.
 * - a CANCEL that matches no INVITE transaction: 481 (RFC 3261 §9.2);
 * - a request for another domain: 483 when Max-Forwards is exhausted (§16.3 step 3),
 *   otherwise 403, since Herald relays to no other domain yet;
 * - a known method Herald does not handle for this address: 405 with Allow (§8.2.1);
 * - an unknown method: 501 (§21.5.2).
 * An ACK never gets a response (§17.2.3).
 */
export function rejectUnhandled(identity: LocalIdentity, caps: Capabilities): RequestProcessor {
  return {
    name: 'reject-unhandled',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.method === 'ACK') return 'stop';
      if (req.method === 'CANCEL') throw new SipError(481, 'Call/Transaction Does Not Exist', 'SIP_ERR_PROXY_NO_TRANSACTION');
      if (!identity.isLocal(req.uri)) {
        if (req.maxForwards === 0) throw new SipError(483, 'Too Many Hops', 'SIP_ERR_PROXY_TOO_MANY_HOPS');
        throw new SipError(403, 'Relaying Denied', 'SIP_ERR_PROXY_RELAY_DENIED');
      }
      if (!KNOWN_METHODS.has(req.method)) throw new SipError(501, 'Not Implemented', 'SIP_ERR_PROXY_UNKNOWN_METHOD');
      throw new SipError(405, 'Method Not Allowed', 'SIP_ERR_PROXY_METHOD_NOT_ALLOWED', [['Allow', caps.allow.join(', ')]]);
    },
  };
}
