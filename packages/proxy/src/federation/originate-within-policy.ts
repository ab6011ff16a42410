import type { SipRequest } from '@herald/sip';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { Target } from '../routing/target.js';
import type { ForwardOutcome } from '../tu/request-context.js';
import type { FederationPolicy } from './federation-policy.js';
import { requestFeature } from './request-feature.js';
import { uriDomain } from './uri-domain.js';

/** How Herald sends a request it originates (`ProxyCore.originate`). */
export type Originate = (request: SipRequest, targets: readonly Target[]) => Promise<ForwardOutcome>;

/**
 * Herald's own requests to another domain (the presence agent's NOTIFYs to its watchers
 * there, its SUBSCRIBEs for the members of a buddy list there) obey the federation policy
 * as its users' in-dialog requests do: one the policy refuses now (a gateway community
 * switched off, a domain blocked, a feature refused) is not sent and ends as if answered
 * with the refusal, so that a NOTIFY's subscription ends and a member's is not refreshed.
 * The other party is To's domain; within Herald's own domains nothing is asked.
 */
export function originateWithinPolicy(policy: Pick<FederationPolicy, 'dialogRefusalToward'>, identity: Pick<LocalIdentity, 'senderDomain'>, originate: Originate): Originate {
  return (request, targets) => {
    const to = request.to.uri;
    const domain = identity.senderDomain(to) === null ? uriDomain(to) : null;
    const refusal = domain === null ? null : policy.dialogRefusalToward(domain, requestFeature(request));
    return refusal === null ? originate(request, targets) : Promise.resolve({ status: refusal.status, response: null, handled: false });
  };
}
