import { SipError, type SipMessage, type SipRequest, type SipResponse, type SipUri, type Via, createResponse, isSipUri, parseVia, randomHex } from '@herald/sip';
import {
  type ClientTransaction,
  type ClientTransactionHandler,
  type Clock,
  type Destination,
  type Flow,
  type InviteServerTransaction,
  type ServerTransaction,
  type TransportProtocol,
  DnsError,
  OWNER_VIA_PARAM,
  destinationKey,
  hostPort,
  isReliable,
  responseDestination,
} from '@herald/stack';
import type { DialogFlows, FlowHop, FlowTokens } from '../routing/flow-tokens.js';
import type { LocalIdentity } from '../routing/local-identity.js';
import { LOOP_HASH_BYTES, branchLoopHash, loopHash, proxyBranch } from './proxy-branch.js';
import { NO_TLS_ROUTE, dnsFailure, loopDetected, noRouteToDomain, noTlsRoute, tooManyHops } from '../proxy-errors.js';
import type { ForwardOptions, ForwardOutcome, RequestContext } from '../tu/request-context.js';
import { type BranchSender, type Prepared, ResponseContext, policyRefusal, removeAssertedIdentity } from './response-context.js';
import { type OutboundPeer, type Target, targetGroups } from '../routing/target.js';
import { OriginatedRequest } from './originated-request.js';
import { presentAs } from './presented-identity.js';

/** An address Herald puts in Via and Record-Route for one transport. */
export interface AdvertisedAddress {
  transport: TransportProtocol;
  /** A host name or an IP address (IPv6 without brackets). */
  host: string;
  port: number;
}

/** Max-Forwards of a request that had none. @see RFC 3261 §16.6 step 3 */
const DEFAULT_MAX_FORWARDS = 70;

/** Methods whose out-of-dialog requests create a dialog, and so are record-routed. @see RFC 3261 §16.6 step 4, RFC 6665 §4.3 */
const DIALOG_CREATING = new Set(['INVITE', 'SUBSCRIBE', 'REFER']);


/** How a next hop that is no peer domain's is resolved (`maddr` counting, any transport). */
const TO_ANY_NEXT_HOP: Readonly<NextHopResolveOptions> = Object.freeze({ maddr: true, secure: false });

/** 2·64·T1 with RFC 3261's T1 of 500 ms. */
const DEFAULT_NON_INVITE_FAILOVER_MS = 64_000;

/** Timer C when the operator sets none: RFC 3261 §16.6 step 11 asks for more than 3 minutes. */
export const DEFAULT_INVITE_TIMEOUT_MS = 181_000;

export interface ProxyCoreOptions {
  identity: LocalIdentity;
  /** The transaction layer: client transactions for branches, INVITE server transactions for CANCEL. */
  transactions: {
    sendRequest(request: SipRequest, destination: Destination, handler: ClientTransactionHandler): ClientTransaction;
    findInviteForCancel(cancel: SipRequest): InviteServerTransaction | null;
  };
  /** Sends without a transaction: the ACK for a 2xx, responses that match no client transaction. */
  transport: { send(message: SipMessage, destination: Destination): Promise<unknown> };
  /** Where Herald listens, as others should address it; the first is the fallback. */
  advertised: readonly AdvertisedAddress[];
  /** This worker, as written in bindings' flows and flow tokens. */
  owner: string;
  flowTokens: FlowTokens;
  /** Whether this worker holds the connection `id` open. */
  isFlowOpen(id: string): boolean;
  clock: Clock;
  /** Timer C, ms. @see RFC 3261 §16.6 step 11 */
  inviteTimeoutMs: number;
  /** 2·64·T1, ms: after this a non-INVITE's branches no longer fail over. @see RFC 3261 §17.1.2.2 */
  nonInviteFailoverMs?: number;
  /** Where a next hop's URI leads (RFC 3263 §4), and which destinations failed lately (§4.3). */
  resolver: NextHopResolver;
  /** A branch (to `peer`, a peer domain the federation policy constrains the way to) moved on to its next destination. @see RFC 3263 §4.3 */
  onFailover?(from: Destination, to: Destination, peer: OutboundPeer | undefined): void;
  onStatelessError?(error: unknown): void;
}

/** How the proxy core resolves a next hop (`ResolveUriOptions` of `@herald/stack`). */
export interface NextHopResolveOptions {
  maddr: boolean;
  secure?: boolean;
  defaultPort?: number;
}

/** What the proxy core asks of the RFC 3263 resolver (`SipResolver` of `@herald/stack`). */
export interface NextHopResolver {
  /** `secure`: TLS destinations only, found as for a SIPS URI. `defaultPort`: the A/AAAA fallback's port. @see RFC 3263 §4.1, §4.2 */
  resolveUri(uri: SipUri, options: NextHopResolveOptions): Promise<Destination[]>;
  resolveWithoutDns(uri: SipUri, options: NextHopResolveOptions): Destination[] | null;
  failed(destination: Destination, forMs?: number): void;
  succeeded(destination: Destination): void;
  /** Destinations that failed lately moved last. @see RFC 3263 §4.3 */
  failedLast(destinations: Destination[]): Destination[];
}

/**
 * The proxy core: forwards requests to target sets and relays responses (RFC 3261
 * §16.6–§16.7), CANCEL (§16.10), ACK for 2xx and responses that match no transaction
 * (§16.11 behaviour), with Record-Route carrying flow tokens so that in-dialog requests
 * reach a connection whichever worker holds it.
 */
export class ProxyCore {
  private readonly contexts = new Map<ServerTransaction, ResponseContext>();
  /** INVITEs cancelled before they were forwarded (still being authenticated or looked up). */
  private readonly cancelledEarly = new WeakSet<ServerTransaction>();
  private readonly sender: BranchSender;
  private readonly sentBys = new Map<TransportProtocol, SentBy>();

  constructor(private readonly options: ProxyCoreOptions) {
    this.sender = {
      send: (request, destination, handler) => options.transactions.sendRequest(request, destination, handler),
      clock: options.clock,
      inviteTimeoutMs: options.inviteTimeoutMs,
      finished: (rc, ctx) => {
        const tx = ctx.transaction;
        // Only an INVITE's context is kept (for its CANCEL).
        if (tx !== null && ctx.req.method === 'INVITE' && this.contexts.get(tx) === rc) this.contexts.delete(tx);
      },
      unreachable: (destination, retryAfterMs) => options.resolver.failed(destination, retryAfterMs),
      failedOver: (from, to, peer) => options.onFailover?.(from, to, peer),
      answered: (destination) => options.resolver.succeeded(destination),
      nonInviteFailoverMs: options.nonInviteFailoverMs ?? DEFAULT_NON_INVITE_FAILOVER_MS,
    };
  }

  /**
   * Forwards `ctx.req` to `targets`, one branch per target, groups by q-value in
   * sequence. @see RFC 3261 §16.6–§16.7
   */
  forward(ctx: RequestContext, targets: readonly Target[], options: ForwardOptions = {}): Promise<ForwardOutcome> {
    const { req } = ctx;
    const tx = ctx.transaction;
    if (tx !== null && this.cancelledEarly.has(tx)) {
      // RFC 3261 §16.10: the INVITE of an accepted CANCEL ends with 487; nothing was forked.
      ctx.respond(487, 'Request Terminated');
      return Promise.resolve({ status: 487, response: null, handled: false });
    }
    const originated = ctx instanceof OriginatedRequest;
    // A request Herald originates has come through no one: its branch need only be unique.
    const hash = originated ? randomHex(LOOP_HASH_BYTES) : loopHash(req);
    this.checkForwardable(req, hash);
    // A request Herald originates starts a dialog Herald is an end of, not a proxy in.
    const recordRoute = DIALOG_CREATING.has(req.method) && !req.to.params.has('tag') && !originated;
    const groups = targetGroups(targets).map((group) => group.map((target) => () => this.prepare(ctx, target, hash, recordRoute)));
    const rc = new ResponseContext(ctx, groups, this.sender, options);
    if (req.method === 'INVITE' && tx !== null) this.contexts.set(tx, rc);
    rc.start();
    return rc.outcome;
  }

  /**
   * Sends a request Herald itself originates (a stored message, delivered) to `targets`, as a
   * proxied request is sent; resolves with the final status. `request` carries no Via.
   */
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome> {
    return this.forward(new OriginatedRequest(request, this.options.owner), targets);
  }

  /** Herald's own URI on `transport`: the Contact of a dialog Herald is an end of (a subscription it notifies). */
  ownUri(transport: TransportProtocol, user: string | null = null): string {
    return ownUri(this.advertisedFor(transport), user);
  }

  /**
   * An in-dialog request of a dialog Herald record-routed: to the flow of the other side when
   * it is connection-oriented, else by Route and Request-URI. An ACK goes statelessly.
   * @see RFC 3261 §16.4, §16.6, RFC 5626 §5.3
   */
  forwardInDialog(ctx: RequestContext, flows: DialogFlows): Promise<ForwardOutcome> | null {
    const hop = this.otherSide(flows, ctx.flow);
    const target: Target = { uri: ctx.req.uriText, q: null, route: [], flow: hop && hopFlow(hop), flowOnly: false };
    if (ctx.req.method !== 'ACK') return this.forward(ctx, [target]);
    const hash = loopHash(ctx.req);
    this.checkForwardable(ctx.req, hash);
    const send = (prepared: Prepared) => {
      // RFC 3263 §4.3 does not apply: an ACK has no transaction to time out.
      if ('destinations' in prepared) this.sendStateless(prepared.request(prepared.destinations[0]), prepared.destinations[0]);
    };
    const prepared = this.prepare(ctx, target, hash, false);
    if (prepared instanceof Promise) prepared.then(send, (error: unknown) => this.options.onStatelessError?.(error));
    else send(prepared);
    return null;
  }

  /**
   * A CANCEL: the INVITE it names is cancelled and the CANCEL answered 200, or 481 when this
   * worker holds no such INVITE. An INVITE not forwarded yet is answered 487 when it would
   * be. @see RFC 3261 §16.10, §9.2
   * DEVIATION(RFC 3261 §16.10): a CANCEL with no response context is answered 481 rather
   * than forwarded statelessly; Herald has no target set for it.
   */
  cancel(ctx: RequestContext): boolean {
    const invite = this.options.transactions.findInviteForCancel(ctx.req);
    if (invite === null) return false;
    ctx.respond(200);
    const rc = this.contexts.get(invite);
    if (rc === undefined) this.cancelledEarly.add(invite);
    else rc.cancel();
    return true;
  }

  /**
   * A response that matched no client transaction, sent by this worker: our Via removed,
   * it goes to the next Via (a 2xx retransmitted after the INVITE transaction ended).
   * @see RFC 3261 §16.7, §18.2.2
   */
  forwardStray(response: SipResponse): void {
    const via = response.topViaOrNull;
    if (via === null || !this.options.identity.isSelf(via.host, via.port) || via.params.get(OWNER_VIA_PARAM) !== this.options.owner) return;
    response.removeFirstValue('via');
    // RFC 3325 §5: which branch it answers is not known, so neither is whether its sender is in the trust domain.
    removeAssertedIdentity(response);
    let destination: Destination;
    try {
      destination = responseDestination(response.topVia);
    } catch {
      return;
    }
    this.sendStateless(response, destination);
  }

  /** RFC 3261 §16.3 steps 3–4: Max-Forwards left, and not our own request (its `hash`) coming back. */
  private checkForwardable(req: SipRequest, hash: string): void {
    if (req.maxForwards === 0) throw tooManyHops();
    for (const via of req.via) {
      if (branchLoopHash(via.params.get('branch')) === hash && this.options.identity.isSelf(via.host, via.port)) throw loopDetected();
    }
  }

  /**
   * The copy of the request for one target, with the destinations its next hop resolved to,
   * or the response that stands for a target that cannot be reached. A promise while DNS is
   * asked. @see RFC 3261 §16.6, RFC 3263 §4
   */
  private prepare(ctx: RequestContext, target: Target, hash: string, recordRoute: boolean): Prepared | Promise<Prepared> {
    const { req } = ctx;
    // Step 1: a copy.
    const copy = req.clone();
    // ID conversion: the sender as a gateway community knows it (a DEVIATION, see presentAs).
    if (ctx.presentedAs !== undefined) presentAs(copy, ctx.presentedAs);
    // Step 2: the Request-URI.
    if (target.uri !== req.uriText) copy.setUri(target.uri);
    // Step 3: Max-Forwards.
    const maxForwards = req.maxForwards;
    copy.setHeader('Max-Forwards', String(maxForwards === undefined ? DEFAULT_MAX_FORWARDS : maxForwards - 1));
    // Step 5: the pre-loaded route set of a registered Path. @see RFC 3327 §5.3
    for (let i = target.route.length - 1; i >= 0; i--) copy.prependHeader('Route', target.route[i]);
    // Credentials for Herald's own realm are consumed here. @see RFC 3261 §22.3
    if (ctx.authenticated !== null) consumeCredentials(copy, ctx.authenticated.domain);
    // Steps 6–7: the next hop, and where it is.
    const prepared = (destinations: readonly Destination[]): Prepared => {
      // The copy itself goes to the first destination; a failover takes a clone kept clean for it.
      const spare = destinations.length > 1 ? copy.clone() : null;
      let first = true;
      // One literal of one shape (an absent peer or failedForMs is undefined): no spreading per copy.
      return {
        destinations,
        peer: target.peer,
        trustDomain: target.peer?.community !== undefined,
        failedForMs: target.failedForMs,
        request: (destination) => {
          const request = first || spare === null ? copy : spare.clone();
          first = false;
          return this.finishCopy(ctx, request, destination, hash, recordRoute);
        },
      };
    };
    const refused = (error: unknown): SipResponse => {
      if (!(error instanceof SipError)) throw error;
      const response = createResponse(req, error.status, error.reason);
      return error.code === NO_TLS_ROUTE ? policyRefusal(response) : response;
    };
    let destinations: Destination[] | Promise<Destination[]>;
    try {
      destinations = this.destinations(copy, target);
    } catch (error) {
      return refused(error);
    }
    return destinations instanceof Promise ? destinations.then(prepared, refused) : prepared(destinations);
  }

  /** Completes `request`, a copy, for one destination: Record-Route for its transport, and our Via with a new branch. */
  private finishCopy(ctx: RequestContext, request: SipRequest, destination: Destination, hash: string, recordRoute: boolean): SipRequest {
    const out = this.advertisedFor(destination.transport);
    // Step 4: Record-Route, two when the request leaves over another transport. @see RFC 5658
    if (recordRoute) {
      const token = this.options.flowTokens.encode({ caller: this.hopOf(ctx.flow), callee: this.hopOfDestination(destination) }, ctx.req.callId);
      const inbound = this.advertisedFor(ctx.flow.transport);
      if (inbound !== out) request.prependHeader('Record-Route', recordRouteValue(token, inbound));
      request.prependHeader('Record-Route', recordRouteValue(token, out));
    }
    // Step 8: our Via, with a branch that carries the loop hash.
    // Given parsed (one value) so that the Via list the request already has parsed stays cached below it.
    const sentBy = this.sentBy(destination.transport, out);
    const branch = proxyBranch(hash);
    const via = `${sentBy.text};branch=${branch};${OWNER_VIA_PARAM}=${this.options.owner}`;
    request.prependHeader('Via', via, ourVia(sentBy.via, branch, this.options.owner));
    return request;
  }

  /** Our sent-by for `transport` through `out`, written and parsed once. */
  private sentBy(transport: TransportProtocol, out: AdvertisedAddress): SentBy {
    let sentBy = this.sentBys.get(transport);
    if (sentBy === undefined || sentBy.out.host !== out.host || sentBy.out.port !== out.port) {
      const text = `SIP/2.0/${transport.toUpperCase()} ${hostPort(out.host, out.port)}`;
      sentBy = { out, text, via: parseVia(text) };
      this.sentBys.set(transport, sentBy);
    }
    return sentBy;
  }

  /**
   * Where a copy goes: the target's flow when it is open, else the `routes:` next hops,
   * else its top Route, else its Request-URI, each by RFC 3263 §4; to a peer domain, only
   * as its federation level allows.
   */
  private destinations(copy: SipRequest, target: Target): Destination[] | Promise<Destination[]> {
    const { peer } = target;
    // A community that does not require TLS is reached as a route is: a TLS proxy checked against its own name.
    if (peer === undefined || (peer.community !== undefined && !peer.onlyTls)) return this.nextHopDestinations(copy, target, peer);
    const found = this.nextHopDestinations(copy, target, peer);
    return found instanceof Promise ? found.then((d) => toPeer(d, peer)) : toPeer(found, peer);
  }

  private nextHopDestinations(copy: SipRequest, target: Target, peer?: OutboundPeer): Destination[] | Promise<Destination[]> {
    const flow = target.flow;
    if (flow !== null) {
      const transport = flow.transport;
      if (!isReliable(transport)) return [{ transport, address: flow.remoteAddress, port: flow.remotePort }];
      if (flow.owner !== this.options.owner) return [{ transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id, owner: flow.owner }];
      if (this.options.isFlowOpen(flow.id)) return [{ transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id }];
      // RFC 5626 §5.3: the flow is gone, and only it reached the contact.
      if (target.flowOnly) throw new SipError(430, 'Flow Failed', 'SIP_ERR_PROXY_FLOW_FAILED');
    }
    if (target.nextHops !== undefined && target.nextHops.length > 0) return this.resolveAll(target.nextHops, peer);
    const route = copy.route[0];
    const next = route ? route.uri : copy.uri;
    if (!isSipUri(next)) throw new SipError(416, 'Unsupported URI Scheme', 'SIP_ERR_PROXY_URI_SCHEME');
    return this.resolveAll([next], peer);
  }

  /**
   * The destinations of next hops tried in order (RFC 3263 §4 for each, `maddr` counting; for
   * a peer that requires TLS, as for a SIPS URI; a community's A/AAAA fallback at its port); 404 when none resolves (503 when TLS was
   * required), 504 when DNS could not be asked about any.
   */
  private resolveAll(hops: readonly SipUri[], peer?: OutboundPeer): Destination[] | Promise<Destination[]> {
    const { resolver } = this.options;
    const options: NextHopResolveOptions =
      peer === undefined ? TO_ANY_NEXT_HOP : { maddr: true, secure: peer.onlyTls, ...(peer.defaultPort !== undefined && { defaultPort: peer.defaultPort }) };
    if (hops.length === 1) {
      const literal = resolver.resolveWithoutDns(hops[0], options);
      if (literal !== null) return literal;
    }
    return Promise.allSettled(hops.map((hop) => resolver.resolveUri(hop, options))).then((answers) => {
      // A destination two hops share is tried once, where it first comes.
      const byKey = new Map<string, Destination>();
      for (const a of answers) if (a.status === 'fulfilled') for (const d of a.value) if (!byKey.has(destinationKey(d))) byKey.set(destinationKey(d), d);
      // RFC 3263 §4.3 across the hops: a next hop that failed lately goes after the others (a dead connector is tried last).
      if (byKey.size > 0) return resolver.failedLast([...byKey.values()]);
      const failure = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
      if (failure === undefined) throw options.secure && peer !== undefined ? noTlsRoute(peer.domain) : noRouteToDomain(hops[0].host);
      if (failure.reason instanceof DnsError) throw dnsFailure(hops[0].host);
      throw failure.reason;
    });
  }

  /** The far side of a dialog from the flow a request came in on. */
  private otherSide(flows: DialogFlows, flow: Flow): FlowHop | null {
    const { caller, callee } = flows;
    const mine = (hop: FlowHop | null) => hop !== null && hop.id === flow.id && hop.owner === this.options.owner;
    if (mine(caller)) return callee;
    if (mine(callee)) return caller;
    // On no flow of the dialog: from its UDP side (no hop), or from a side that has
    // reconnected, whose other side is then the one without a hop (or unknown).
    const fromUdp = !isReliable(flow.transport);
    if (caller === null) return fromUdp ? callee : null;
    if (callee === null) return fromUdp ? caller : null;
    return null;
  }

  private hopOf(flow: Flow): FlowHop | null {
    return isReliable(flow.transport) ? { owner: flow.owner, id: flow.id, transport: flow.transport } : null;
  }

  private hopOfDestination(d: Destination): FlowHop | null {
    if (d.flowId === undefined || !isReliable(d.transport)) return null;
    return { owner: d.owner ?? this.options.owner, id: d.flowId, transport: d.transport };
  }

  private advertisedFor(transport: TransportProtocol): AdvertisedAddress {
    const { advertised } = this.options;
    return advertised.find((a) => a.transport === transport) ?? { ...advertised[0], transport };
  }

  private sendStateless(message: SipMessage, destination: Destination): void {
    this.options.transport.send(message, destination).catch((error: unknown) => this.options.onStatelessError?.(error));
  }
}

/** The start of our Via for one transport (sent-protocol and sent-by), as text and parsed. */
interface SentBy {
  out: AdvertisedAddress;
  text: string;
  via: Via;
}

/**
 * Our Via as `parseVia` would read `<sentBy>;branch=<branch>;herald=<owner>`, without parsing
 * it: the branch and owner are tokens Herald made.
 */
export function ourVia(sentBy: Via, branch: string, owner: string): Via {
  const params: Via['params'] = new Map();
  params.set('branch', branch);
  params.set(OWNER_VIA_PARAM, owner);
  return { protocol: sentBy.protocol, transport: sentBy.transport, host: sentBy.host, port: sentBy.port, params };
}

/** @see RFC 3261 §16.6 step 4: our URI, with `lr`, and the transport it is reached over. */
function recordRouteValue(token: string, a: AdvertisedAddress): string {
  return `<${ownUri(a, token)};lr>`;
}

function ownUri(a: AdvertisedAddress, user: string | null): string {
  return `sip:${user === null ? '' : `${user}@`}${hostPort(a.host, a.port)}${a.transport === 'udp' ? '' : `;transport=${a.transport}`}`;
}

/** The flow of a dialog's side as its flow token names it: the connection and its holder, addresses unknown. */
function hopFlow(hop: FlowHop): Flow {
  return { ...hop, localAddress: '', localPort: 0, remoteAddress: '', remotePort: 0 };
}

function consumeCredentials(copy: SipRequest, realm: string): void {
  // through the message, so that the copy's parsed Proxy-Authorization (shared from the original) is dropped too
  if (copy.hasHeader('proxy-authorization')) copy.removeLines('proxy-authorization', (value) => sameRealm(value, realm));
}

function sameRealm(value: string, realm: string): boolean {
  const m = /realm\s*=\s*"([^"]*)"/i.exec(value);
  return m !== null && m[1].toLowerCase() === realm.toLowerCase();
}

/**
 * The destinations a federation level allows towards a peer domain: only TLS ones when it
 * requires TLS, each checked against the peer's SIP domain (not the SRV target or the next
 * hop's host) and as its level asks; 503 when none is left.
 * @see RFC 5922 §4, §7.3
 */
function toPeer(destinations: readonly Destination[], peer: OutboundPeer): Destination[] {
  const allowed = peer.onlyTls ? destinations.filter((d) => d.transport === 'tls') : destinations;
  if (allowed.length === 0) throw noTlsRoute(peer.domain);
  return allowed.map((d) => ({ ...d, serverName: peer.domain, ...(peer.tlsCheck !== undefined && { tlsCheck: peer.tlsCheck }) }));
}
