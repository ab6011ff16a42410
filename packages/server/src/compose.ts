import { NonceService, digestAuthenticator, fromIdentity } from '@herald/auth';
import { OfflineDelivery, messageRelay } from '@herald/im';
import { PresenceAgent } from '@herald/presence';
import {
  type Capabilities,
  FlowTokens,
  LocalIdentity,
  ProxyCore,
  type RequestProcessor,
  SUPPORTED_OPTION_TAGS,
  StaticRoutes,
  all,
  answerOptions,
  assertIdentityToCommunity,
  authenticated,
  cancelInvite,
  checkMaxForwards,
  checkPeerInDialog,
  checkPeerInDialogOutbound,
  checkPeerOutbound,
  communityRoutes,
  type FederationObserver,
  type FederationPolicy,
  FlowOffences,
  ExternalIds,
  fromOtherDomain,
  judgePeer,
  forwardInDialog,
  handToTransactionHolder,
  hasRoute,
  hasToTag,
  inDialogHeraldRecordRouted,
  isMethod,
  not,
  originateWithinPolicy,
  overUdp,
  preprocessRoute,
  presentExternalId,
  refusePreloadedRoute,
  refuseRelaying,
  rejectUnhandled,
  relayToOtherDomain,
  toHerald,
  relayMailboxBySrv,
  rewriteNumberByEnum,
  toGlobalNumber,
  toMailbox,
  toOtherDomain,
  toUserOfServedDomain,
  stripAssertedIdentity,
  stripAssertedIdentityInDialog,
  treatMailboxAsSip,
  trustedSender,
  validateRequest,
  when,
} from '@herald/proxy';
import { Registrar, locationLookup } from '@herald/registrar';
import { KNOWN_METHODS } from '@herald/sip';
import { type Clock, type DnsClient, DomainAddresses, EnumLookup, type FlowRelay, MailboxServers, type SipResolver, type TransactionLayer, type TransportLayer } from '@herald/stack';
import type { Store } from '@herald/store';
import type { HeraldConfig } from './config/herald-config.js';
import { federationPolicy } from './federation/federation-policy-of.js';
import { advertisedAddresses, interfaceAddresses } from './local-addresses.js';
import type { Logger } from './logger.js';
import type { HeraldMetrics } from './metrics/herald-metrics.js';
import { OFFLINE_CAP_LABELS, type SweepName } from './metrics/limit-metrics.js';
import { SweepFailureLog } from './sweep-failure-log.js';
import { SharedSecret, flowTokenKey } from './shared-secret.js';

/** What Herald can do today; each service adds its methods, body types and option tags. */
export const CAPABILITIES: Capabilities = {
  allow: ['REGISTER', 'OPTIONS', 'ACK', 'CANCEL', 'MESSAGE', 'SUBSCRIBE', 'NOTIFY', 'PUBLISH'],
  accept: ['application/sdp', 'text/plain', 'message/cpim', 'application/im-iscomposing+xml', 'application/pidf+xml'],
  supported: SUPPORTED_OPTION_TAGS,
};

/** The running SIP core that the services are built on. */
export interface SipCore {
  /** Started: its listeners are bound, so Herald's own addresses are known. */
  transport: TransportLayer;
  relay: FlowRelay;
  transactions: TransactionLayer;
  /** The caching DNS client (`dns:`), which the resolver asks. */
  dns: DnsClient;
  /** RFC 3263: where a next hop's URI leads, and which destinations failed lately. */
  resolver: SipResolver;
}

export interface ComposeOptions {
  config: HeraldConfig;
  store: Store;
  core: SipCore;
  clock: Clock;
  logger: Logger;
  metrics: HeraldMetrics;
  /** The federation policy, when built before the transport (which refuses its blocked addresses at accept); from `config` otherwise. */
  federation?: FederationPolicy;
}

/** The services of one Herald process, built and wired; `start`/`stop` run their timers and subscriptions. */
export interface Services {
  identity: LocalIdentity;
  flowTokens: FlowTokens;
  /** The nonce and flow-token secret kept in the store; null when `auth.secret` gives it. */
  sharedSecret: SharedSecret | null;
  proxy: ProxyCore;
  routes: StaticRoutes;
  /** `federation:` and `routes:`: the peer table and the policy towards other domains, both ways. */
  federation: FederationPolicy;
  /** FEDERATION: who sent a request from another domain, and whether the policy takes it. */
  judgePeer: RequestProcessor;
  /** WITHINDLG: P-Asserted-Identity kept only from a community whose sender proves it, as `judgePeer` would. @see RFC 3325 §5 */
  stripAssertedIdentityInDialog: RequestProcessor;
  /** WITHINDLG: whether the policy still takes a request within a dialog with another domain. */
  checkPeerInDialog: RequestProcessor;
  /** WITHINDLG: the same of a user's request towards another domain (a community switched off since the dialog began). */
  checkPeerInDialogOutbound: RequestProcessor;
  /** RELAY: whether the policy lets a request go to another domain. */
  checkPeerOutbound: RequestProcessor;
  /** ENUM over `enum.suffixes`. @see RFC 6116 */
  enumLookup: EnumLookup;
  /** ID conversion: which domains see users by their external form, and that form. */
  externalIds: ExternalIds;
  /** RELAY and WITHINDLG: a request to a `convertIds` community carries the sender's external form; `null` when no community converts IDs. */
  presentExternalId: RequestProcessor | null;
  /** The `_im._sip` / `_pres._sip` servers of other domains. @see RFC 3861 §4 */
  mailboxServers: MailboxServers;
  /** Present when several workers share the UDP socket. */
  transactionHolder: RequestProcessor | null;
  /** Present when `auth.enabled`: digest, then the From of an authenticated request. */
  auth: { authenticate: RequestProcessor; checkFromIdentity: RequestProcessor } | null;
  registrar: Registrar;
  presence: PresenceAgent;
  messages: RequestProcessor;
  location: RequestProcessor;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Builds the services on a started SIP core, and the events between them: the registrar
 * tells the offline store (RFC 3428 §7: what waited for a user goes out once they register)
 * and the presence agent (a user shown open from registration); the transport tells the
 * registrar which connections closed (RFC 5626 §5.3).
 */
export async function composeServices({ config, store, core, clock, logger, metrics, federation = federationPolicy(config) }: ComposeOptions): Promise<Services> {
  const { transport, relay, transactions, dns, resolver } = core;
  const owner = transport.owner;
  const identity = new LocalIdentity(config.domains, transport.listeners, interfaceAddresses());
  const sharedSecret = config.auth.secret === undefined ? await SharedSecret.read(store.authState) : null;
  const secret = config.auth.secret ?? sharedSecret!.value;
  const flowTokens = new FlowTokens(flowTokenKey(secret));
  const nonces = new NonceService(secret, { lifetimeMs: config.auth.nonceLifetimeMs });
  sharedSecret?.onChange((next) => {
    nonces.useSecret(next);
    flowTokens.useSecret(flowTokenKey(next));
  });
  const proxy = new ProxyCore({
    identity,
    transactions,
    transport: relay,
    advertised: advertisedAddresses(transport.listeners),
    owner,
    flowTokens,
    isFlowOpen: (id) => transport.flow(id) !== undefined,
    clock,
    inviteTimeoutMs: config.proxy.inviteTimeoutMs,
    nonInviteFailoverMs: 2 * 64 * config.sip.timers.t1,
    resolver,
    onFailover: (_from, _to, peer) => {
      metrics.failedOver();
      if (peer?.community !== undefined) metrics.communities.failedOver(peer.community);
    },
    onStatelessError: (e) => logger.isDebugEnabled() && logger.debug('stateless forward failed', { error: e }),
  });
  // A community's proxies are its domains' routes: the relay and the presence agent find them as they find any route.
  const routes = new StaticRoutes([...config.routes, ...communityRoutes(config.communities)]);
  const mailboxServers = new MailboxServers(dns);
  const offences = new FlowOffences();
  const domainAddresses = new DomainAddresses(resolver, mailboxServers, clock);
  const externalIds = new ExternalIds(federation, store.users);
  const observeFederation = federationObserver(metrics, federation);
  const registrar = new Registrar({ identity, locations: store.locations, users: store.users, policy: config.registrar, clock, requireAuthentication: config.auth.enabled });
  // Herald's own NOTIFYs and SUBSCRIBEs to another domain obey the policy as its users' requests do (a community switched off: not sent).
  const originate = originateWithinPolicy(federation, identity, proxy.originate.bind(proxy));
  const sweeps = (sweep: SweepName) => new SweepFailureLog({ sweep, logger, clock, count: () => metrics.limits.sweepFailed(sweep) });
  const delivery = new OfflineDelivery({
    locations: store.locations,
    messages: store.messages,
    claims: store.claims,
    originate,
    owner,
    host: identity.primaryDomain,
    clock,
    logger,
    sweeps: sweeps('im'),
  });
  const presence = new PresenceAgent({
    identity,
    store,
    policy: config.presence,
    originate,
    routes,
    peerWatchers: (domain) => federation.peerWatchers(domain),
    mayWatchIn: (domain) => federation.mayReach(domain, 'presence'),
    peers: federation,
    externalIds,
    contact: (transport, user) => proxy.ownUri(transport, user),
    owner,
    requireAuthentication: config.auth.enabled,
    clock,
    logger,
    observer: { capReached: (cap) => metrics.limits.subscriptionRefused(cap), notifyFailed: () => metrics.limits.notifyFailed() },
    sweeps: sweeps('presence'),
  });
  registrar.onBindingsAdded((aor) => void delivery.registered(aor));
  registrar.onRegistrationChanged((aor) => presence.registrationChanged(aor));
  transport.onFlowClosed((flow) => offences.forget(flow.id));
  transport.onFlowClosed((flow) => void registrar.flowClosed(flow).catch((e: unknown) => logger.warn('bindings of a closed flow not removed', { flow: flow.id, error: e })));
  return {
    identity,
    flowTokens,
    sharedSecret,
    proxy,
    routes,
    federation,
    judgePeer: judgePeer({
      policy: federation,
      identity,
      addresses: domainAddresses,
      offences,
      closeFlow: (id) => {
        logger.warn('federation: closing a connection that sent requests for domains it is not identified as', { flow: id });
        // After the 403 that says why has gone out on it.
        setImmediate(() => transport.closeFlow(id));
      },
      observe: observeFederation,
    }),
    stripAssertedIdentityInDialog: stripAssertedIdentityInDialog({ policy: federation, addresses: domainAddresses }),
    checkPeerInDialog: checkPeerInDialog(federation, observeFederation),
    checkPeerInDialogOutbound: checkPeerInDialogOutbound(federation, identity, observeFederation),
    checkPeerOutbound: checkPeerOutbound(federation, identity, observeFederation),
    enumLookup: new EnumLookup(dns, config.enum.suffixes),
    externalIds,
    presentExternalId: config.communities.list.some((c) => c.convertIds) ? presentExternalId(externalIds, identity) : null,
    mailboxServers,
    transactionHolder:
      config.workers > 1
        ? handToTransactionHolder({
            claims: store.claims,
            owner,
            // Timer J (64·T1) ends a non-INVITE; an INVITE lasts until Timer C, then Timer L or H
            claimMs: (method) => 64 * config.sip.timers.t1 + (method === 'INVITE' ? config.proxy.inviteTimeoutMs : 0),
            handOver: (request, flow, holder) => {
              if (logger.isDebugEnabled()) logger.debug('request handed to the worker holding its transaction', { method: request.method, holder });
              relay.handOver(request, flow, holder);
            },
            clock,
          })
        : null,
    auth: config.auth.enabled
      ? {
          authenticate: digestAuthenticator({
            identity,
            users: store.users,
            authState: store.authState,
            nonces,
            clock,
            algorithms: config.auth.algorithms,
            checkDigestUri: config.auth.checkDigestUri,
            sha256UserAgents: config.auth.sha256UserAgents,
            sha256Domains: config.auth.sha256Domains,
            md5OnlyUserAgents: config.auth.md5OnlyUserAgents,
            limits: config.auth.limits,
            retransmissionWindowMs: 64 * config.sip.timers.t1,
            logger,
            onFailure: (reason) => metrics.authFailure(reason),
          }),
          checkFromIdentity: fromIdentity(identity, store.users),
        }
      : null,
    registrar,
    presence,
    messages: messageRelay({
      identity,
      locations: store.locations,
      users: store.users,
      messages: store.messages,
      policy: config.im,
      clock,
      capReached: (cap) => metrics.limits.offlineMessageRefused(OFFLINE_CAP_LABELS[cap]),
    }),
    location: locationLookup({ locations: store.locations, users: store.users, clock }),
    async start() {
      delivery.start();
      await presence.start();
    },
    async stop() {
      delivery.stop();
      await presence.stop();
    },
  };
}

/**
 * What the federation steps observe, counted per peer entry and, for a community's domain,
 * per community too (the peer label is the entry's domain, which names its community).
 */
function federationObserver(metrics: HeraldMetrics, federation: FederationPolicy): FederationObserver {
  const communities = new Map<string, string | null>();
  return (peer, direction, result) => {
    metrics.federation.request(peer, direction, result);
    let community = communities.get(peer);
    if (community === undefined) communities.set(peer, (community = federation.communityOf(peer)?.name ?? null));
    if (community !== null) metrics.communities.request(community, direction, result);
  };
}

/**
 * The request chain, top to bottom, like a routing script (Kamailio's blocks in capitals).
 * Each step runs when its condition holds; a step that answers ends the chain.
 */
export function composeRequestChain(services: Services, caps: Capabilities = CAPABILITIES): RequestProcessor[] {
  const { identity, proxy, flowTokens, routes, federation, judgePeer, stripAssertedIdentityInDialog, checkPeerInDialog, checkPeerInDialogOutbound, checkPeerOutbound, presentExternalId, enumLookup, mailboxServers, transactionHolder, auth, registrar, presence, messages, location } = services;
  for (const m of caps.allow) if (!KNOWN_METHODS.has(m)) throw new Error(`capability lists unknown method ${m}`);
  const trusted = trustedSender(identity, { trustLocalFrom: auth === null });
  return [
    // Several workers share the UDP socket: a retransmission, CANCEL or ACK goes to the worker holding its transaction.
    ...(transactionHolder === null ? [] : [when(all(overUdp, not(isMethod('REGISTER', 'OPTIONS'))), transactionHolder)]),
    // REQINIT
    validateRequest(),
    when(all(isMethod('OPTIONS'), toHerald(identity)), answerOptions(caps)),
    when(hasRoute, preprocessRoute(identity, flowTokens)),
    when(isMethod('CANCEL'), cancelInvite(proxy)),
    // WITHINDLG: a dialog Herald record-routed, or a subscription dialog Herald is an end of (the dialog is the credential).
    // A dialog with another domain the federation policy has since blocked (or refused the feature): a BYE still ends it.
    when(all(hasToTag, fromOtherDomain(identity), not(isMethod('ACK', 'CANCEL', 'BYE'))), checkPeerInDialog),
    // A user's request within a dialog with another domain: refused once the policy no longer takes it (a community switched off: both ways at once);
    // towards a convertIds community it carries their external form, as the dialog's first did.
    when(inDialogHeraldRecordRouted, [
      stripAssertedIdentityInDialog,
      when(not(fromOtherDomain(identity)), [when(not(isMethod('ACK', 'CANCEL', 'BYE')), checkPeerInDialogOutbound), ...(presentExternalId === null ? [] : [presentExternalId])]),
      forwardInDialog(proxy),
    ]),
    when(isMethod('NOTIFY'), presence.listMemberNotifies),
    when(all(isMethod('SUBSCRIBE'), hasToTag), presence.subscriptionRefreshes),
    // FEDERATION: From names another domain (in-dialog requests took WITHINDLG): which peer, how far trusted, may it do this.
    // (One for another domain is relaying, refused below without asking DNS.)
    when(all(fromOtherDomain(identity), not(toOtherDomain(identity)), not(isMethod('REGISTER', 'ACK', 'CANCEL'))), judgePeer),
    // RFC 3325 §5: P-Asserted-Identity only from the trust domain (a switched-on community, its sender verified); from anyone else, Herald's users too, it goes.
    stripAssertedIdentity(),
    // AUTH
    ...(auth === null
      ? []
      : [when(not(isMethod('ACK', 'CANCEL')), auth.authenticate), when(all(authenticated, not(isMethod('REGISTER'))), auth.checkFromIdentity)]),
    // A Route left after preprocessing is a next hop the sender chose: only for senders Herald knows.
    when(all(hasRoute, not(trusted)), refusePreloadedRoute()),
    // ENUM: a telephone number becomes the URI its NAPTR records give, for Herald's own senders (a stranger's is relaying).
    when(all(toGlobalNumber, trusted, not(isMethod('REGISTER', 'ACK', 'CANCEL'))), rewriteNumberByEnum(enumLookup)),
    // im: and pres: of a served domain: its users' SIP addresses.
    when(all(toMailbox, not(toOtherDomain(identity))), treatMailboxAsSip()),
    // REGISTRAR
    when(isMethod('REGISTER'), registrar),
    // PRESENCE
    when(all(isMethod('SUBSCRIBE'), not(hasToTag)), presence.subscriptions),
    when(isMethod('PUBLISH'), presence.publications),
    // IM: kept for a user who is away
    when(all(isMethod('MESSAGE'), toUserOfServedDomain(identity)), messages),
    // LOCATION
    when(all(not(isMethod('REGISTER', 'ACK', 'CANCEL')), toUserOfServedDomain(identity)), location),
    // RELAY: another domain; only Herald's own users may send there, and only what the federation policy lets go (over TLS when its level asks).
    when(all(not(isMethod('ACK')), toOtherDomain(identity)), [
      checkMaxForwards(),
      when(not(trusted), refuseRelaying()),
      checkPeerOutbound,
      // RFC 3325 §5: to a community, the identity Herald authenticated; to any other domain, none
      // (without communities the strip above has left none to remove).
      ...(federation.table.peers.some((p) => p.community !== undefined) ? [assertIdentityToCommunity(federation)] : []),
      // ID conversion: to a convertIds community the sender is their external form, in From and that identity (a DEVIATION from RFC 3261 §16.6).
      ...(presentExternalId === null ? [] : [presentExternalId]),
      when(toMailbox, relayMailboxBySrv(proxy, routes, mailboxServers, federation)),
      relayToOtherDomain(proxy, routes, federation),
    ]),
    // Nobody took it: the response that says why.
    rejectUnhandled(caps),
  ];
}
