import type { RequestProcessor } from '../tu/request-processor.js';
import type { Capabilities } from '../uas/capabilities.js';
import { requireUnderstood } from '../uas/require-understood.js';

/**
 * Answers an OPTIONS for Herald itself with 200 listing Allow, Accept and Supported: keepalives
 * and capability probes, answered before authentication as Kamailio's REQINIT does. OPTIONS
 * for a user go to the user's devices like any other request.
 * @see RFC 3261 §11.2
 */
export function answerOptions(caps: Capabilities): RequestProcessor {
  const answer = {
    headers: [
      ['Allow', caps.allow.join(', ')],
      ['Accept', caps.accept.join(', ')],
      ['Supported', caps.supported.join(', ')],
    ] as const,
  };
  return {
    name: 'answer-options',
    process(ctx) {
      requireUnderstood(ctx.req);
      ctx.respond(200, 'OK', answer);
      return 'stop';
    },
  };
}
