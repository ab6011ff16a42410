import { KNOWN_METHODS } from '@herald/sip';
import {
  type LocalIdentity,
  type ProxyCore,
  type RequestProcessor,
  type StaticRoutes,
  cancelRequests,
  forwardElsewhere,
  inDialogRequests,
  routePreprocessor,
  type FlowTokens,
  validateRequest,
} from '@herald/proxy';
import { type Capabilities, optionsResponder } from './pipeline/options-responder.js';
import { rejectUnhandled } from './pipeline/reject-unhandled.js';

/** What Herald can do today; each service adds its methods, body types and option tags. */
export const CAPABILITIES: Capabilities = {
  allow: ['REGISTER', 'OPTIONS', 'ACK', 'CANCEL', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH'],
  accept: ['application/sdp', 'text/plain', 'message/cpim', 'application/im-iscomposing+xml', 'application/pidf+xml'],
  supported: ['path', 'outbound', 'eventlist', 'recipient-list-subscribe'],
};

/** The services the chain is built from; the authentication processors are absent when `auth.enabled` is false. */
export interface ChainServices {
  /** Hands a UDP request to the worker holding its transaction; present when workers share the UDP socket. */
  udpOwner: RequestProcessor | null;
  identity: LocalIdentity;
  proxy: ProxyCore;
  flowTokens: FlowTokens;
  routes: StaticRoutes;
  authenticate: RequestProcessor | null;
  /** Checks that an authenticated request's From is the user's own. */
  fromIdentity: RequestProcessor | null;
  registrar: RequestProcessor;
  /** NOTIFYs of the subscriptions Herald holds in other domains for resource-list members. */
  listMemberNotifies: RequestProcessor;
  /** SUBSCRIBEs in Herald's own subscription dialogs: refreshes and unsubscribes. */
  subscriptionRefreshes: RequestProcessor;
  /** Initial SUBSCRIBEs and PUBLISH for local presentities. */
  subscriptions: RequestProcessor;
  publications: RequestProcessor;
  /** MESSAGE for local users, with store-and-forward. */
  messages: RequestProcessor;
  /** Sends requests for local users to their registered contacts. */
  location: RequestProcessor;
  caps?: Capabilities;
}

/**
 * The request chain, top to bottom, like a routing script:
 * (a request whose transaction another worker holds goes there) → REQINIT (validate, OPTIONS
 * to Herald itself) → route preprocessing, CANCEL, in-dialog requests of dialogs we
 * record-routed, are the notifier of, or subscribe in for list members → AUTH (digest, From
 * identity) → REGISTRAR → PRESENCE (SUBSCRIBE, PUBLISH) → IM (MESSAGE, kept when the user
 * is away) → LOCATION (local users) → RELAY (other domains) → nobody took it (the response
 * that says why).
 */
export function composeRequestChain(services: ChainServices): RequestProcessor[] {
  const { udpOwner, identity, proxy, flowTokens, routes, authenticate, fromIdentity, registrar, listMemberNotifies, subscriptionRefreshes, subscriptions, publications, messages, location, caps = CAPABILITIES } =
    services;
  for (const m of caps.allow) if (!KNOWN_METHODS.has(m)) throw new Error(`capability lists unknown method ${m}`);
  return [
    ...(udpOwner === null ? [] : [udpOwner]),
    validateRequest(),
    optionsResponder(identity, caps),
    routePreprocessor(identity, flowTokens),
    cancelRequests(proxy),
    inDialogRequests(proxy),
    // WITHINDLG for the dialogs Herald is an endpoint of: the dialog is the credential.
    listMemberNotifies, // NOTIFY to an `rls-` Contact of Herald's: a list member's state from its domain
    subscriptionRefreshes, // SUBSCRIBE with a To tag, to a local URI: refresh or unsubscribe
    ...(authenticate === null ? [] : [authenticate]),
    ...(fromIdentity === null ? [] : [fromIdentity]),
    registrar,
    subscriptions, // SUBSCRIBE without a To tag, to a local user or stored list
    publications, // PUBLISH to a local user
    messages,
    location,
    forwardElsewhere({ identity, core: proxy, routes, trustLocalFrom: authenticate === null }),
    rejectUnhandled(caps),
  ];
}
