import { KNOWN_METHODS } from '@herald/sip';
import { type Capabilities, optionsResponder } from './pipeline/options-responder.js';
import { rejectUnhandled } from './pipeline/reject-unhandled.js';
import { type LocalIdentity, type RequestProcessor, validateRequest } from '@herald/proxy';

/** What Herald can do today; each service adds its methods, body types and option tags. */
export const CAPABILITIES: Capabilities = {
  allow: ['OPTIONS', 'ACK', 'CANCEL'],
  accept: ['application/sdp'],
  supported: [],
};

/**
 * The request chain, top to bottom, like a routing script:
 * REQINIT (validate) → local services (OPTIONS) → nobody took it (the response that says why).
 */
export function composeRequestChain(identity: LocalIdentity, caps: Capabilities = CAPABILITIES): RequestProcessor[] {
  for (const m of caps.allow) if (!KNOWN_METHODS.has(m)) throw new Error(`capability lists unknown method ${m}`);
  return [validateRequest(), optionsResponder(identity, caps), rejectUnhandled(identity, caps)];
}
