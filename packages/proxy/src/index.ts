// The transaction user: the request handler, the request context and chain it runs.
export type { AuthenticatedUser, ForwardOptions, ForwardOutcome, RequestContext } from './tu/request-context.js';
export { type RequestCondition, type RequestProcessor, runChain, when } from './tu/request-processor.js';
export { RequestHandler, type RequestHandlerLogger, type RequestHandlerOptions, type RequestObserver } from './tu/request-handler.js';
// Where requests go: Herald's own identity, targets, flow tokens, configured routes.
export * from './routing/local-identity.js';
export * from './routing/target.js';
export * from './routing/locate-user.js';
export * from './routing/flow-tokens.js';
export * from './routing/static-routes.js';
export * from './routing/mailbox-address.js';
// Forwarding: the proxy core (RFC 3261 §16.6–§16.11).
export { type AdvertisedAddress, DEFAULT_INVITE_TIMEOUT_MS, type NextHopResolver, ProxyCore, type ProxyCoreOptions } from './forwarding/proxy-core.js';
// The chain steps the proxy offers, and the conditions they run on.
export * from './steps/request-conditions.js';
export * from './steps/validate-request.js';
export * from './steps/answer-options.js';
export * from './steps/preprocess-route.js';
export * from './steps/cancel-invite.js';
export * from './steps/forward-in-dialog.js';
export * from './steps/hand-to-transaction-holder.js';
export * from './steps/check-max-forwards.js';
export * from './steps/refuse-relaying.js';
export * from './steps/refuse-preloaded-route.js';
export * from './steps/rewrite-number-by-enum.js';
export * from './steps/treat-mailbox-as-sip.js';
export * from './steps/relay-mailbox-by-srv.js';
export * from './steps/relay-to-other-domain.js';
export * from './steps/reject-unhandled.js';
// What a service that answers a request itself (a UAS) shares.
export * from './uas/capabilities.js';
export * from './uas/granted-expires.js';
export { requireUnderstood } from './uas/require-understood.js';
export * from './proxy-errors.js';
export { type Flow, storedFlow } from '@herald/stack';
/** The transport a request to a URI most likely leaves on, before DNS is asked (for a Contact written ahead). */
export { likelyTransport } from '@herald/stack';
// Federation: allow and block lists, peer policy.
export * from './federation/domain-address-list.js';
export * from './federation/federation-settings.js';
export * from './federation/community-settings.js';
export * from './federation/community-switch.js';
export * from './federation/federation-errors.js';
export * from './federation/peer-table.js';
export * from './federation/federation-policy.js';
export * from './federation/peer-verdict.js';
export * from './federation/request-feature.js';
export * from './federation/flow-offences.js';
export * from './steps/judge-peer.js';
export * from './steps/check-peer-in-dialog.js';
export * from './steps/check-peer-outbound.js';
export * from './steps/asserted-identity.js';
export * from './federation/originate-within-policy.js';
// ID conversion towards `convertIds` gateway communities.
export * from './federation/external-ids.js';
export * from './steps/present-external-id.js';
