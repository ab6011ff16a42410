import { preloadedRouteDenied } from '../proxy-errors.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * A request that still carries Route after route preprocessing has removed Herald's own
 * entries names a next hop of its sender's choosing. From a sender Herald does not know
 * (the chain checks that) it is refused with 403, so that Herald never relays a
 * stranger's request to a host the stranger picked; an ACK is dropped.
 * @see RFC 3261 §16.4 (Herald's own Route entries), §16.6 step 6 (the next hop from Route)
 */
export function refusePreloadedRoute(): RequestProcessor {
  return {
    name: 'refuse-preloaded-route',
    process(ctx) {
      if (ctx.req.method === 'ACK') return 'stop';
      throw preloadedRouteDenied();
    },
  };
}
