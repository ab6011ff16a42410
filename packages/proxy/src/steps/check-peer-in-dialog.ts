import { uriDomain } from '../federation/uri-domain.js';
import type { FederationPolicy } from '../federation/federation-policy.js';
import { requestFeature } from '../federation/request-feature.js';
import type { LocalIdentity } from '../routing/local-identity.js';
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

/**
 * 403 for a request within a dialog that one of Herald's users sends to another domain the
 * federation policy no longer takes (a gateway community switched off, a domain blocked, a
 * feature refused since the dialog began): the mirror of `checkPeerInDialog`, so that a
 * refusal holds both ways at once, not from the dialog's end. The other party is To's
 * domain; the Request-URI is a contact. Within Herald's own domains it passes untouched.
 * @see RFC 3261 §12.2.1.1
 */
export function checkPeerInDialogOutbound(policy: Pick<FederationPolicy, 'dialogRefusalToward' | 'metricPeer'>, identity: Pick<LocalIdentity, 'senderDomain'>, observe?: FederationObserver): RequestProcessor {
  return {
    name: 'check-peer-in-dialog-outbound',
    process(ctx) {
      const to = ctx.req.to.uri;
      if (identity.senderDomain(to) !== null) return 'continue';
      const domain = uriDomain(to);
      if (domain === null) return 'continue';
      const refusal = policy.dialogRefusalToward(domain, requestFeature(ctx.req));
      if (refusal === null) return 'continue';
      observe?.(policy.metricPeer(domain), 'out', refusal.code);
      throw refusal;
    },
  };
}
