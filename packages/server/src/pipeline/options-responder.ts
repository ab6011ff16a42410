import type { LocalIdentity, RequestContext, RequestProcessor } from '@herald/proxy';

/** What Herald tells a client it can do, in answers to OPTIONS and in 405s. */
export interface Capabilities {
  allow: readonly string[];
  accept: readonly string[];
  supported: readonly string[];
}

/**
 * Answers OPTIONS addressed to a served domain or to Herald itself with 200 listing
 * Allow, Accept and Supported (RFC 3261 §11.2). Until the location service exists,
 * OPTIONS for a user of a served domain is answered here too.
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
      if (ctx.req.method !== 'OPTIONS' || !identity.isLocal(ctx.req.uri)) return 'continue';
      ctx.respond(200, 'OK', answer);
      return 'stop';
    },
  };
}
