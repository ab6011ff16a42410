import { readFileSync } from 'node:fs';
import { hostname, networkInterfaces } from 'node:os';
import { createHmac } from 'node:crypto';
import { NonceService, digestAuthenticator, fromIdentity } from '@herald/auth';
import { OfflineDelivery, messageRelay } from '@herald/im';
import { PresenceAgent, type PresencePolicy } from '@herald/presence';
import { Registrar, locationLookup } from '@herald/registrar';
import { type ResponseOptions, SipError, type SipRequest, type SipResponse, createResponse, randomHex } from '@herald/sip';
import {
  type Clock,
  type Flow,
  type ListenerInfo,
  type ServerTransaction,
  TransactionLayer,
  TransportLayer,
  hostPort,
  systemClock,
} from '@herald/stack';
import { type Store, StoreUnavailableError, openStore } from '@herald/store';
import { putAccount, storeOptions } from './accounts.js';
import { type AdminServer, STORE_RETRY_AFTER, startAdminServer } from './admin/admin-server.js';
import { composeRequestChain } from './compose.js';
import { udpTransactionOwner } from './pipeline/udp-transaction-owner.js';
import { FlowRelay } from './flow-relay.js';
import type { HeraldConfig, PresenceConfig } from './config/config.js';
import type { Logger } from './logger.js';
import { HeraldMetrics } from './metrics/herald-metrics.js';
import { instrumentStore } from './metrics/instrument-store.js';
import {
  type AdvertisedAddress,
  type AuthenticatedUser,
  type DialogFlows,
  type ForwardOptions,
  type ForwardOutcome,
  FlowTokens,
  LocalIdentity,
  ProxyCore,
  type RequestContext,
  type RequestProcessor,
  StaticRoutes,
  type Target,
  runChain,
} from '@herald/proxy';

/** How long `stop()` waits for requests still being processed before closing anyway. */
const DRAIN_MS = 5000;
/** During a store outage, one warning per this many ms, with the count of requests refused. */
const STORE_WARNING_MS = 5000;

export interface HeraldServerOptions {
  clock?: Clock;
  /** Where requests, responses, auth failures and store timings are counted; a fresh set by default. */
  metrics?: HeraldMetrics;
  /**
   * Whether `start()` also starts the admin HTTP server when the config has `admin:`;
   * default true. A worker pool may turn it off in workers and run one in the primary.
   */
  adminServer?: boolean;
}

/**
 * One Herald process: transports, the transaction layer and the request chain, built
 * from a validated config.
 */
export class HeraldServer {
  private transport: TransportLayer | null = null;
  private transactions: TransactionLayer | null = null;
  private openedStore: Store | null = null;
  private admin: AdminServer | null = null;
  private registrar: Registrar | null = null;
  private proxyCore: ProxyCore | null = null;
  private flowRelay: FlowRelay | null = null;
  private delivery: OfflineDelivery | null = null;
  private presence: PresenceAgent | null = null;
  private chain: RequestProcessor[] = [];
  private inFlight = 0;
  /** The Server header every response carries. @see RFC 3261 §20.35 */
  private readonly serverHeader: readonly [string, string];
  private readonly clock: Clock;
  private readonly counters: HeraldMetrics;
  private readonly adminEnabled: boolean;
  /** Requests answered 503 since the last store warning; a warning goes out at most every STORE_WARNING_MS. */
  private storeFailures = 0;
  private storeWarnedAt = -Infinity;

  constructor(
    private readonly config: HeraldConfig,
    private readonly logger: Logger,
    options: HeraldServerOptions = {},
  ) {
    this.serverHeader = ['Server', config.sip.userAgent];
    this.clock = options.clock ?? systemClock;
    this.counters = options.metrics ?? new HeraldMetrics();
    this.adminEnabled = options.adminServer ?? true;
  }

  /** What this server counts; `metrics.scrape()` is the `/metrics` exposition. */
  get metrics(): HeraldMetrics {
    return this.counters;
  }


  /** The admin HTTP server's address (`http://127.0.0.1:8088`), when this server runs one. */
  get adminUrl(): string | undefined {
    return this.admin?.url;
  }

  /** The listeners as bound, with actual ports. */
  get listening(): ListenerInfo[] {
    return this.transport?.listeners ?? [];
  }

  /** The listeners as URIs for logs: `udp://127.0.0.1:5060`, `ws://0.0.0.0:8080/`. */
  get listeningUris(): string[] {
    return this.listening.map(describe);
  }

  async start(): Promise<void> {
    const { config, logger } = this;
    const store = await this.openStore();
    const tls = config.tls && { cert: readFileSync(config.tls.cert), key: readFileSync(config.tls.key), ca: config.tls.ca ? readFileSync(config.tls.ca) : undefined, requestCert: config.tls.requestCert };
    const transport = new TransportLayer({
      listen: config.listen.map((l) => ({ transport: l.transport, host: l.host, port: l.port, path: l.path })),
      tls,
      limits: {
        maxMessageSize: config.sip.maxMessageSize,
        maxHeaderSize: config.sip.maxHeaderSize,
        maxBodySize: config.sip.maxBodySize,
        maxConnectionsPerSource: config.sip.maxConnectionsPerSource,
        idleTimeoutMs: config.sip.idleConnectionTimeout * 1000,
      },
      onMessage: (msg, flow) => this.transactions?.receive(msg, flow),
      onFlowClosed: (flow) => void this.registrar?.flowClosed(flow).catch((e: unknown) => logger.warn('bindings of a closed flow not removed', { flow: flow.id, error: e })),
      logger,
      clock: this.clock,
    });
    this.transport = transport;
    const owner = workerOwner();
    const relay = new FlowRelay(transport, store.bus, owner, (msg, flow) => this.transactions?.receive(msg, flow), logger);
    this.flowRelay = relay;
    this.transactions = new TransactionLayer({
      clock: this.clock,
      timers: { t1: config.sip.t1, t2: config.sip.t2, t4: config.sip.t4 },
      transport: relay,
      tu: {
        onRequest: (tx, req, flow) => this.handle(tx, req, flow),
        // The ACK for a 2xx is a request of its own, forwarded along the dialog's route. @see RFC 3261 §13.2.2.4, §16.11
        onAck: (ack, flow) => this.handle(null, ack, flow),
        onStrayResponse: (res, flow) => {
          if (!relay.handBack(res, flow)) this.proxyCore?.forwardStray(res);
        },
      },
      onError: (e) => logger.error('transaction user failed', { error: e }),
    });
    await relay.start();
    await transport.start();
    const identity = new LocalIdentity(config.domains, transport.listeners, interfaceAddresses());
    const clock = this.clock;
    const secret = config.auth.secret ?? (await store.authState.sharedSecret(randomHex(32)));
    const flowTokens = new FlowTokens(createHmac('sha256', secret).update('flow-tokens').digest('hex'));
    const transactions = this.transactions;
    const proxy = new ProxyCore({
      identity,
      transactions,
      transport: relay,
      advertised: advertisedAddresses(transport.listeners),
      owner,
      flowTokens,
      isFlowOpen: (id) => transport.flow(id) !== undefined,
      clock,
      inviteTimeoutMs: config.proxy.inviteTimeout * 1000,
      onStatelessError: (e) => logger.isDebugEnabled() && logger.debug('stateless forward failed', { error: e }),
    });
    this.proxyCore = proxy;
    const registrar = new Registrar({
      identity,
      locations: store.locations,
      users: store.users,
      policy: config.registrar,
      clock,
      owner,
      requireAuthentication: config.auth.enabled,
    });
    this.registrar = registrar;
    const { storeFor, ...imLimits } = config.im;
    const im = { ...imLimits, storeForMs: storeFor * 1000 };
    const delivery = new OfflineDelivery({
      locations: store.locations,
      messages: store.messages,
      claims: store.claims,
      originate: (req, targets) => proxy.originate(req, targets),
      owner,
      host: identity.primaryDomain,
      clock,
      logger,
    });
    this.delivery = delivery;
    delivery.start();
    // RFC 3428 §7: what waited for a user goes out once they register.
    registrar.onBindingsAdded((aor) => void delivery.registered(aor));
    const routes = new StaticRoutes(config.routes);
    const presence = new PresenceAgent({
      identity,
      store,
      policy: presencePolicy(config.presence),
      originate: (req, targets) => proxy.originate(req, targets),
      routes,
      contact: (transport, user) => proxy.ownUri(transport, user),
      owner,
      requireAuthentication: config.auth.enabled,
      clock,
      logger,
    });
    this.presence = presence;
    await presence.start();
    registrar.onRegistrationChanged((aor) => presence.registrationChanged(aor));
    const authenticate = config.auth.enabled
      ? digestAuthenticator({
          identity,
          users: store.users,
          authState: store.authState,
          nonces: new NonceService(secret, { lifetimeMs: config.auth.nonceLifetime * 1000 }),
          clock,
          algorithms: config.auth.algorithms,
          checkDigestUri: config.auth.checkDigestUri,
          md5OnlyUserAgents: config.auth.md5OnlyUserAgents,
          limits: {
            maxFailuresPerSource: config.auth.maxFailuresPerSource,
            maxFailuresPerUser: config.auth.maxFailuresPerUser,
            windowMs: config.auth.failureWindow * 1000,
          },
          logger,
          onFailure: (reason) => this.counters.authFailure(reason),
        })
      : null;
    this.chain = composeRequestChain({
      udpOwner:
        config.workers > 1
          ? udpTransactionOwner({
              claims: store.claims,
              owner,
              // Timer J (64·T1) ends a non-INVITE; an INVITE lasts until Timer C, then Timer L or H
              claimMs: (method) => 64 * config.sip.t1 + (method === 'INVITE' ? config.proxy.inviteTimeout * 1000 : 0),
              handOver: (ctx, holder) => {
                if (logger.isDebugEnabled()) logger.debug('request handed to the worker holding its transaction', { method: ctx.req.method, holder });
                relay.handOver(ctx.req, ctx.flow, holder);
              },
              clock,
            })
          : null,
      identity,
      proxy,
      flowTokens,
      routes,
      authenticate,
      fromIdentity: authenticate === null ? null : fromIdentity(store.users),
      registrar,
      listMemberNotifies: presence.listMemberNotifies,
      subscriptionRefreshes: presence.subscriptionRefreshes,
      subscriptions: presence.subscriptions,
      publications: presence.publications,
      messages: messageRelay({ identity, locations: store.locations, users: store.users, messages: store.messages, policy: im, clock, logger }),
      location: locationLookup({ identity, locations: store.locations, users: store.users, clock }),
    });
    this.counters.collectFrom({ transactions: () => transactions.counts(), registeredAors: () => store.locations.countAors(clock.now()) });
    if (config.admin && this.adminEnabled) {
      this.admin = await startAdminServer({ admin: config.admin, store, metrics: () => this.counters.scrape(), logger, domains: config.domains, now: () => clock.now() });
    }
  }

  /** Opens the configured store and writes the `users:` accounts into it. */
  private async openStore(): Promise<Store> {
    const { config, logger } = this;
    const store = instrumentStore(await openStore(storeOptions(config, logger)), this.counters);
    this.openedStore = store;
    await store.ping();
    for (const seed of config.users) await putAccount(store.users, seed.user, seed.domain, seed.password, this.clock.now());
    if (config.auth.enabled && config.users.length === 0 && (await store.users.list()).length === 0) {
      logger.warn('no user accounts: every REGISTER will be refused; add one with `herald user add alice@example.com` or under users: in the configuration');
    }
    return store;
  }

  /** Lets requests being processed finish (up to a few seconds), then closes everything. */
  async stop(): Promise<void> {
    const deadline = Date.now() + DRAIN_MS;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await this.admin?.close();
    this.counters.collectFrom(null);
    this.delivery?.stop();
    this.delivery = null;
    await this.presence?.stop();
    this.presence = null;
    this.transactions?.close();
    await this.flowRelay?.stop();
    await this.transport?.stop();
    await this.openedStore?.close();
    this.admin = null;
    this.transport = null;
    this.transactions = null;
    this.openedStore = null;
    this.registrar = null;
    this.proxyCore = null;
    this.flowRelay = null;
  }

  private handle(tx: ServerTransaction | null, req: SipRequest, flow: Flow): void {
    this.counters.request(req.method);
    const ctx = new ServerRequestContext(this, tx, req, flow);
    let verdict;
    try {
      verdict = runChain(this.chain, ctx);
    } catch (e) {
      this.fail(ctx, e);
      return;
    }
    if (typeof verdict === 'string') return;
    this.inFlight++;
    verdict.catch((e: unknown) => this.fail(ctx, e)).finally(() => this.inFlight--);
  }

  /** Sends a response from downstream upstream, through the server transaction. */
  relay(tx: ServerTransaction | null, req: SipRequest, res: SipResponse): void {
    this.counters.response(req.method, res.status);
    tx?.respond(res);
  }

  forward(ctx: RequestContext, targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome> {
    if (this.proxyCore === null) throw new Error('forward before start');
    return this.proxyCore.forward(ctx, targets, options);
  }

  /** Answers `req` through its server transaction, or on its flow when it has none. */
  respond(tx: ServerTransaction | null, req: SipRequest, flow: Flow, status: number, reason?: string, options: ResponseOptions = {}): void {
    if (req.method === 'ACK') return;
    const extra = options.headers;
    const headers = extra === undefined || extra.length === 0 ? [this.serverHeader] : [...extra, this.serverHeader];
    const res: SipResponse = createResponse(req, status, reason, { ...options, headers });
    this.counters.response(req.method, status);
    if (tx) tx.respond(res);
    else void this.transport?.send(res, flow).catch((e: Error) => this.logger.debug('response not sent', { error: e.message }));
  }

  /**
   * The one place errors become responses: a `SipError` is answered as it says; anything
   * else is a bug, logged with Call-ID and branch and answered 500.
   */
  private fail(ctx: RequestContext, e: unknown): void {
    if (e instanceof SipError) {
      ctx.respond(e.status, e.reason, { headers: e.headers });
      return;
    }
    const { req } = ctx;
    if (e instanceof StoreUnavailableError) {
      this.storeOutageWarning(e, req);
      ctx.respond(503, 'Service Unavailable', { headers: [['Retry-After', STORE_RETRY_AFTER]] });
      return;
    }
    this.logger.error('request failed', { callId: req.header('call-id'), branch: req.topViaOrNull?.params.get('branch'), method: req.method, error: e });
    ctx.respond(500, 'Server Internal Error');
  }

  private storeOutageWarning(e: StoreUnavailableError, req: SipRequest): void {
    this.storeFailures++;
    const now = Date.now();
    if (now - this.storeWarnedAt < STORE_WARNING_MS) return;
    this.logger.warn('store unavailable: answering 503', { error: e.message, refused: this.storeFailures, lastCallId: req.header('call-id'), method: req.method });
    this.storeWarnedAt = now;
    this.storeFailures = 0;
  }
}

/** What the request chain sees of one request; a class, so that a request costs no closure. */
class ServerRequestContext implements RequestContext {
  authenticated: AuthenticatedUser | null = null;
  recordRouted: DialogFlows | null = null;

  constructor(
    private readonly server: HeraldServer,
    readonly transaction: ServerTransaction | null,
    readonly req: SipRequest,
    readonly flow: Flow,
  ) {}

  respond(status: number, reason?: string, options?: ResponseOptions): void {
    this.server.respond(this.transaction, this.req, this.flow, status, reason, options);
  }

  relay(response: SipResponse): void {
    this.server.relay(this.transaction, this.req, response);
  }

  forward(targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome> {
    return this.server.forward(this, targets, options);
  }
}

/**
 * This worker's name in bindings, flow tokens and Via: host, pid and a random part (a pid
 * is reused after a restart), in characters a Via parameter takes as they are.
 */
function workerOwner(): string {
  return `${hostname().replace(/[^A-Za-z0-9.-]/g, '-')}~${process.pid}~${randomHex(2)}`;
}

/** The presence agent's policy from `presence:` (seconds to ms, watcher defaults by domain). */
function presencePolicy(c: PresenceConfig): PresencePolicy {
  return {
    defaultExpires: c.defaultExpires,
    minExpires: c.minExpires,
    maxExpires: c.maxExpires,
    notifyWindowMs: c.notifyWindow * 1000,
    fromRegistration: c.fromRegistration,
    watchers: { local: c.localWatchers, foreign: c.foreignWatchers },
    domainWatchers: Object.fromEntries(c.domains.map((d) => [d.domain, { local: d.localWatchers, foreign: d.foreignWatchers }])),
  };
}

/** The address to write in Via and Record-Route for each listener; a wildcard listener advertises an interface address. */
function advertisedAddresses(listeners: readonly ListenerInfo[]): AdvertisedAddress[] {
  const fallback = primaryAddress();
  return listeners.map((l) => {
    const wildcard = l.address === '0.0.0.0' || l.address === '::';
    return { transport: l.transport, host: wildcard ? fallback : l.address, port: l.port };
  });
}

function primaryAddress(): string {
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

function interfaceAddresses(): string[] {
  const out = ['127.0.0.1', '::1'];
  for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) out.push(a.address);
  return out;
}

function describe(l: ListenerInfo): string {
  return `${l.transport}://${hostPort(l.address, l.port)}${l.path ?? ''}`;
}
