import { isIP } from 'node:net';
import type { FederationPolicy } from '../federation/federation-policy.js';
import { requestFeature } from '../federation/request-feature.js';
import { uriDomain } from '../federation/uri-domain.js';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { RequestContext } from '../tu/request-context.js';
import type { RequestProcessor } from '../tu/request-processor.js';
import type { FederationObserver } from './judge-peer.js';
import { localSenderAor } from './local-sender.js';

/**
 * 403 before a request leaves for another domain the federation policy refuses: blocked,
 * not allowed, level `off`, or a feature (or role) the sender may not use with it.
 */
export function checkPeerOutbound(policy: FederationPolicy, identity: Pick<LocalIdentity, 'senderDomain'>, observe?: FederationObserver): RequestProcessor {
  return {
    name: 'check-peer-outbound',
    process(ctx) {
      const domain = uriDomain(ctx.req.uri);
      if (domain === null) return 'continue';
      const refusal = policy.listRefusal(domain, isIP(domain) === 0 ? null : domain) ?? policy.featureRefusal(domain, requestFeature(ctx.req), sender(ctx, identity));
      if (refusal !== null) {
        observe?.(policy.metricPeer(domain), 'out', refusal.code);
        throw refusal;
      }
      observe?.(policy.metricPeer(domain), 'out', 'accepted');
      return 'continue';
    },
  };
}

/** The local user sending, `user@domain` in lower case, as roles name them. */
function sender(ctx: RequestContext, identity: Pick<LocalIdentity, 'senderDomain'>): string | null {
  return localSenderAor(ctx, identity)?.slice('sip:'.length).toLowerCase() ?? null;
}
