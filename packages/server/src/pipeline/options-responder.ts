import { type LocalIdentity, type RequestContext, type RequestProcessor, requireUnderstood } from '@herald/proxy';

/** What Herald tells a client it can do, in answers to OPTIONS and in 405s. */
export interface Capabilities {
  allow: readonly string[];
  accept: readonly string[];
  supported: readonly string[];
}

/**
 * Answers OPTIONS with 200 listing Allow, Accept and Supported (RFC 3261 §11.2) when they
 * are addressed to a served domain or to Herald itself (no user part): keepalives and
 * capability probes, answered before authentication as Kamailio's REQINIT does. OPTIONS
 * for a user go to the user's devices like any other request.
 */
export function optionsResponder(identity: LocalIdentity, caps: Capabilities): RequestProcessor {
  const answer = {
    headers: [
      ['Allow', caps.allow.join(', ')],
      ['Accept', caps.accept.join(', ')],
      ['Supported', caps.supported.join(', ')],
    ] as const,
  };
  return {
    name: 'options-responder',
    process(ctx: RequestContext) {
      const { req } = ctx;
      if (req.method !== 'OPTIONS' || !identity.isLocal(req.uri)) return 'continue';
      if ('user' in req.uri && req.uri.user !== null) return 'continue';
      requireUnderstood(req);
      ctx.respond(200, 'OK', answer);
      return 'stop';
    },
  };
}
