import { KNOWN_METHODS } from '@herald/sip';
import { type LocalIdentity, type RequestProcessor, validateRequest } from '@herald/proxy';
import { type Capabilities, optionsResponder } from './pipeline/options-responder.js';
import { rejectUnhandled } from './pipeline/reject-unhandled.js';

/** What Herald can do today; each service adds its methods, body types and option tags. */
export const CAPABILITIES: Capabilities = {
  allow: ['REGISTER', 'OPTIONS', 'ACK', 'CANCEL'],
  accept: ['application/sdp'],
  supported: ['path', 'outbound'],
};

/** The services the chain is built from; `authenticate` is absent when `auth.enabled` is false. */
export interface ChainServices {
  identity: LocalIdentity;
  authenticate: RequestProcessor | null;
  registrar: RequestProcessor;
  caps?: Capabilities;
}

/**
 * The request chain, top to bottom, like a routing script:
 * REQINIT (validate, OPTIONS to Herald itself) → AUTH (digest) → REGISTRAR → local
 * services (OPTIONS for users) → nobody took it (the response that says why).
 */
export function composeRequestChain({ identity, authenticate, registrar, caps = CAPABILITIES }: ChainServices): RequestProcessor[] {
  for (const m of caps.allow) if (!KNOWN_METHODS.has(m)) throw new Error(`capability lists unknown method ${m}`);
  return [
    validateRequest(),
    optionsResponder(identity, caps, 'server'),
    ...(authenticate === null ? [] : [authenticate]),
    registrar,
    optionsResponder(identity, caps, 'users'),
    rejectUnhandled(identity, caps),
  ];
}
