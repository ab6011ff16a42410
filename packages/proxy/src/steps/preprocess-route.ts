import { type SipRequest, type SipUri, type Uri, formatUri, isSipUri, parseNameAddr } from '@herald/sip';
import type { FlowTokens } from '../routing/flow-tokens.js';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * Route information preprocessing: a Request-URI that is a Record-Route of ours (the
 * previous hop is a strict router) is replaced by the last Route; Route values naming
 * Herald (its addresses, or a served domain with `lr`) are removed from the top (two of
 * them after a double Record-Route). When the one removed carries a valid flow token,
 * `ctx.recordRouted` holds the dialog's flows.
 * @see RFC 3261 §16.4, RFC 5658
 */
export function preprocessRoute(identity: LocalIdentity, tokens: FlowTokens): RequestProcessor {
  return {
    name: 'preprocess-route',
    process(ctx) {
      const { req } = ctx;
      const strict = ownRecordRoute(identity, req.uri);
      let token = strict?.user ?? null;
      if (strict) popLastRoute(req);
      for (let i = 0; i < 2; i++) {
        const top = req.route[0];
        if (top === undefined) break;
        const own = ownRecordRoute(identity, top.uri);
        if (own) token ??= own.user;
        else if (!namesServedDomain(identity, top.uri)) break;
        req.removeFirstValue('route');
      }
      if (token !== null) ctx.recordRouted = tokens.decode(token, req.callId);
      return 'continue';
    },
  };
}

/** The URI when it is Herald itself with `lr`: what Herald puts in Record-Route. */
function ownRecordRoute(identity: LocalIdentity, uri: Uri): SipUri | null {
  return isSipUri(uri) && uri.params.has('lr') && identity.isSelf(uri.host, uri.port) ? uri : null;
}

/** A loose route to one of Herald's domains (`<sip:example.com;lr>`): a peer's way of naming Herald by the domain it serves. */
function namesServedDomain(identity: LocalIdentity, uri: Uri): boolean {
  return isSipUri(uri) && uri.params.has('lr') && uri.user === null && identity.isServedDomain(uri.host);
}

/** RFC 3261 §16.4: the last Route value becomes the Request-URI and is removed. */
function popLastRoute(req: SipRequest): void {
  const values = req.headerValues('route');
  const last = values.pop();
  if (last === undefined) return;
  req.setUri(formatUri(parseNameAddr(last).uri));
  req.removeHeader('route');
  for (const v of values) req.addHeader('Route', v);
}
