import { isSipUri } from '@herald/sip';
import type { ProxyCore } from '../forwarding/proxy-core.js';
import { noRouteToDomain } from '../proxy-errors.js';
import { type StaticRoutes, foreignTarget } from '../routing/static-routes.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * A request for a domain Herald does not serve goes to the `routes:` next hop of that
 * domain, or to the Request-URI's host when it is an address; 404 when nothing says how
 * to reach it.
 * @see RFC 3261 §16.5 (the Request-URI is not ours: it is the target)
 */
export function relayToOtherDomain(core: ProxyCore, routes: StaticRoutes): RequestProcessor {
  return {
    name: 'relay-to-other-domain',
    process(ctx) {
      const { req } = ctx;
      const uri = req.uri;
      if (!isSipUri(uri)) throw noRouteToDomain(uri.scheme);
      const target = foreignTarget(routes, uri, req.uriText);
      if (target === null) throw noRouteToDomain(uri.host);
      return core.forward(ctx, [target]).then(() => 'stop' as const);
    },
  };
}
