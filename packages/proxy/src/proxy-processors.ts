import { isSipUri } from '@herald/sip';
import type { LocalIdentity } from './local-identity.js';
import type { ProxyCore } from './proxy-core.js';
import { noRouteToDomain, noTransactionToCancel, relayingDenied, tooManyHops } from './proxy-errors.js';
import type { RequestContext, RequestProcessor } from './request-context.js';
import { type StaticRoutes, foreignTarget } from './static-routes.js';

/** CANCEL: the INVITE it names is cancelled, whatever the CANCEL's credentials. @see RFC 3261 §16.10, §22.1 */
export function cancelRequests(core: ProxyCore): RequestProcessor {
  return {
    name: 'cancel',
    process(ctx: RequestContext) {
      if (ctx.req.method !== 'CANCEL') return 'continue';
      if (!core.cancel(ctx)) throw noTransactionToCancel();
      return 'stop';
    },
  };
}

/**
 * In-dialog requests of dialogs Herald record-routed go on without authentication: the
 * flow token proves Herald put itself in the route set of this Call-ID.
 * @see RFC 3261 §16.4, §12.2
 */
export function inDialogRequests(core: ProxyCore): RequestProcessor {
  return {
    name: 'in-dialog',
    process(ctx: RequestContext) {
      const flows = ctx.recordRouted;
      if (flows === null || !ctx.req.to.params.has('tag')) return 'continue';
      const forwarded = core.forwardInDialog(ctx, flows);
      return forwarded === null ? 'stop' : forwarded.then(() => 'stop' as const);
    },
  };
}

export interface ForwardElsewhereOptions {
  identity: LocalIdentity;
  core: ProxyCore;
  routes: StaticRoutes;
  /** Whether an unauthenticated request from a served domain may leave (digest authentication is off). */
  trustLocalFrom: boolean;
}

/**
 * A request for a domain Herald does not serve: sent to the `routes:` next hop of that
 * domain, or to the Request-URI's host when it is an address. Only Herald's own users may
 * send out (anything else would make Herald an open relay).
 * @see RFC 3261 §16.5 (the Request-URI is not ours: it is the target)
 */
export function forwardElsewhere({ identity, core, routes, trustLocalFrom }: ForwardElsewhereOptions): RequestProcessor {
  return {
    name: 'forward-elsewhere',
    process(ctx: RequestContext) {
      const { req } = ctx;
      const uri = req.uri;
      if (req.method === 'ACK' || identity.isLocal(uri)) return 'continue';
      // RFC 3261 §16.3 step 3 comes before any policy.
      if (req.maxForwards === 0) throw tooManyHops();
      if (ctx.authenticated === null && !(trustLocalFrom && identity.isLocal(req.from.uri))) throw relayingDenied();
      if (!isSipUri(uri)) throw noRouteToDomain(uri.scheme);
      const target = foreignTarget(routes, uri, req.uriText);
      if (target === null) throw noRouteToDomain(uri.host);
      return core.forward(ctx, [target]).then(() => 'stop' as const);
    },
  };
}

