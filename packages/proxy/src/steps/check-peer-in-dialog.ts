import { uriDomain } from '../federation/uri-domain.js';
import type { FederationPolicy } from '../federation/federation-policy.js';
import { requestFeature } from '../federation/request-feature.js';
import type { RequestProcessor } from '../tu/request-processor.js';
import type { FederationObserver } from './judge-peer.js';

/**
 * 403 for a request within a dialog from another domain that the federation policy no
 * longer takes (blocked, not allowed, level `off`, a feature refused since the dialog began):
 * a subscription ends at its next refresh or NOTIFY. No DNS is asked: the dialog is the
 * credential of who sent it.
 */
export function checkPeerInDialog(policy: Pick<FederationPolicy, 'dialogRefusal' | 'metricPeer'>, observe?: FederationObserver): RequestProcessor {
  return {
    name: 'check-peer-in-dialog',
    process(ctx) {
      const domain = uriDomain(ctx.req.from.uri);
      if (domain === null) return 'continue';
      const refusal = policy.dialogRefusal(domain, ctx.flow.remoteAddress, requestFeature(ctx.req));
      if (refusal === null) return 'continue';
      observe?.(policy.metricPeer(domain), 'in', refusal.code);
      throw refusal;
    },
  };
}
