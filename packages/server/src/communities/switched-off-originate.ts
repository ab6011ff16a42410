import { type FederationPolicy, type ForwardOutcome, type Target, communityDisabled } from '@herald/proxy';
import { type SipRequest, createResponse, hostAddress, isSipUri } from '@herald/sip';

/** Sends a request Herald originates (`ProxyCore.originate`). */
export type Originate = (request: SipRequest, targets: readonly Target[]) => Promise<ForwardOutcome>;

/**
 * Herald's own requests to a gateway community switched off (a NOTIFY to one of its watchers,
 * a SUBSCRIBE to one of its users for a buddy list), judged by the domain of To: answered
 * `403 Community <name> Disabled` as the relay answers its users', and not sent. The
 * notifier ends a subscription whose NOTIFY is refused, so the community's watchers stop
 * hearing from Herald at once rather than when their subscriptions expire.
 */
export function refusingSwitchedOff(originate: Originate, policy: Pick<FederationPolicy, 'communityOf' | 'communities'>): Originate {
  return (request, targets) => {
    const to = request.to.uri;
    const community = isSipUri(to) ? policy.communityOf(hostAddress(to.host)) : undefined;
    if (community === undefined || policy.communities.isEnabled(community.name)) return originate(request, targets);
    const { status, reason } = communityDisabled(community.name);
    return Promise.resolve({ status, response: createResponse(request, status, reason), handled: false, received: false });
  };
}
