import { isSipUri } from '@herald/sip';
import type { ProxyCore } from '../forwarding/proxy-core.js';
import { noRouteToDomain } from '../proxy-errors.js';
import { type OutboundPeers, type StaticRoutes, foreignTarget } from '../routing/static-routes.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * A request for a domain Herald does not serve goes to the `routes:` next hops of that
 * domain (a gateway community's proxies), else where DNS says the Request-URI is (RFC 3263
 * §4; a community's transport and A/AAAA port counting): a domain DNS does not know gets 404,
 * a DNS that cannot be asked 504, from the branch. A federation level that asks for TLS
 * (`peers`, a `tls` community) marks the target so.
 * @see RFC 3261 §16.5 (the Request-URI is not ours: it is the target), RFC 3263 §4
 */
export function relayToOtherDomain(core: ProxyCore, routes: StaticRoutes, peers?: OutboundPeers): RequestProcessor {
  return {
    name: 'relay-to-other-domain',
    process(ctx) {
      const { req } = ctx;
      const uri = req.uri;
      if (!isSipUri(uri)) throw noRouteToDomain(uri.scheme);
      return core.forward(ctx, [foreignTarget(routes, uri, req.uriText, peers?.outboundPeer(uri.host.toLowerCase()))]).then(() => 'stop' as const);
    },
  };
}
