import { RequestHandler, type RuntimeCommunityStates, communityProxyUris } from '@herald/proxy';
import { type SipRequest, type SipResponse, type SipUri, parseUri, randomHex } from '@herald/sip';
import { type Clock, type Flow, DnsClient, FlowRelay, type ListenerInfo, SipResolver, TransactionLayer, TransportLayer, hostPort, readHostsFile, systemClock, systemLookup } from '@herald/stack';
import { type Store, openStore } from '@herald/store';
import { seedUsers, storeOptions } from './accounts.js';
import { type AdminServer, startAdminServer } from './admin/admin-server.js';
import { type Services, composeRequestChain, composeServices } from './compose.js';
import type { HeraldConfig } from './config/herald-config.js';
import type { DdnsService } from './ddns/ddns-service.js';
import { nodeDdns } from './ddns/node-ddns.js';
import { type DirectoryStore, withDirectory } from './directory/directory-store.js';
import { answerCommunityReports } from './communities/community-reports.js';
import { COMMUNITY_STATES } from './communities/community-states.js';
import { ConnectorProber } from './communities/connector-prober.js';
import { answerFederationReports } from './federation/federation-reports.js';
import { federationPolicy } from './federation/federation-policy-of.js';
import { RuntimeListsService } from './federation/runtime-lists-service.js';
import { LimitReporter } from './limit-reporter.js';
import type { Logger } from './logger.js';
import { DdnsMetrics } from './metrics/ddns-metrics.js';
import { HeraldMetrics } from './metrics/herald-metrics.js';
import { instrumentStore } from './metrics/instrument-store.js';
import { RuntimeSettingService } from './runtime-setting-service.js';
import { StoreLossWatch } from './store-loss-watch.js';
import { tlsSettings } from './tls-settings.js';

/** How long `stop()` waits for requests still being processed before closing anyway. */
const DRAIN_MS = 5000;

export interface HeraldServerOptions {
  clock?: Clock;
  /** Where requests, responses, auth failures and store timings are counted; a fresh set by default. */
  metrics?: HeraldMetrics;
  /**
   * Whether `start()` also starts the admin HTTP server when the config has `admin:`;
   * default true. A worker pool may turn it off in workers and run one in the primary.
   */
  adminServer?: boolean;
  /**
   * Whether `start()` also starts the dynamic DNS self-update when the config has `ddns:`;
   * default true. A worker pool turns it off in workers and runs it in the primary.
   */
  ddns?: boolean;
}

/**
 * One Herald process: its lifecycle. `start()` opens the store, starts the SIP core
 * (transports, the cross-worker relay, the transaction layer with the request handler as
 * its transaction user), has `compose.ts` build the services and the request chain, and
 * starts the admin API; `stop()` drains and closes them in the reverse order.
 */
export class HeraldServer {
  private transport: TransportLayer | null = null;
  private relay: FlowRelay | null = null;
  private transactions: TransactionLayer | null = null;
  private handler: RequestHandler | null = null;
  private services: Services | null = null;
  private openedStore: Store | null = null;
  private admin: AdminServer | null = null;
  private storeWatch: StoreLossWatch | null = null;
  private runtimeLists: RuntimeListsService | null = null;
  private stopFederationReports: (() => Promise<void>) | null = null;
  private communityStates: RuntimeSettingService<RuntimeCommunityStates> | null = null;
  private prober: ConnectorProber | null = null;
  private stopCommunityReports: (() => Promise<void>) | null = null;
  private ddns: DdnsService | null = null;
  private ddnsMetrics: DdnsMetrics | null = null;
  private directory: DirectoryStore | null = null;
  private readonly clock: Clock;
  private readonly counters: HeraldMetrics;
  private readonly adminEnabled: boolean;
  private readonly ddnsEnabled: boolean;

  constructor(
    private readonly config: HeraldConfig,
    private readonly logger: Logger,
    options: HeraldServerOptions = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.counters = options.metrics ?? new HeraldMetrics();
    this.adminEnabled = options.adminServer ?? true;
    this.ddnsEnabled = options.ddns ?? true;
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
    const { config, logger, clock } = this;
    const { store, markerId } = await this.openStore();
    const receive = (message: SipRequest | SipResponse, flow: Flow) => this.transactions?.receive(message, flow);
    const limits = new LimitReporter(this.counters, logger, () => clock.now());
    // Two trusts: servers Herald connects to, and clients (a short CertificateRequest for phones).
    const tls = config.tls && tlsSettings(config.tls, config.federation, config.communities);
    const { failedTargetMs, ...client } = config.dns;
    // With the system's DNS servers, the system's hosts file first and its own look-up last, as its resolver does.
    const system = client.servers.length === 0 ? { hosts: readHostsFile(), systemLookup } : {};
    const dns = new DnsClient({ ...client, ...system, clock, onQuery: this.counters.dns.query, onCacheHit: this.counters.dns.cacheHit });
    const resolver = new SipResolver({ dns, transports: config.listen.map((l) => l.transport), failedTargetMs, clock });
    // Before the transport, with the run-time lists applied: a blocked address is refused from the first connection on.
    const federation = federationPolicy(config);
    this.runtimeLists = new RuntimeListsService({ store, view: federation, clock, logger });
    await this.runtimeLists.start();
    // Likewise the communities' switches: a community switched off is refused from the first request on.
    this.communityStates = new RuntimeSettingService({ setting: COMMUNITY_STATES, store, apply: (states) => federation.communities.useRuntimeStates(states), clock, logger });
    await this.communityStates.start();
    const transport = new TransportLayer({
      listen: config.listen.map((l) => ({ transport: l.transport, host: l.host, port: l.port, path: l.path, clientCert: l.clientCert })),
      tls,
      // A peer's own CA vouches for its domain only.
      privateAnchors: federation.peerCas,
      // A connection from a blocked address is refused at accept (TCP, TLS, WebSocket).
      refuseSource: (address) => federation.blocksAddress(address),
      limits: config.sip.limits,
      requestBudget: config.sip.requestBudget,
      onLimit: (limit, source) => limits.hit(limit, source),
      onMessage: receive,
      sentByResolver: resolver,
      logger,
      clock,
    });
    this.transport = transport;
    const relay = new FlowRelay(transport, store.bus, receive, logger);
    this.relay = relay;
    const handler = new RequestHandler({
      server: config.sip.userAgent,
      sendOnFlow: (response, flow) => transport.send(response, flow),
      handBack: (response, flow) => relay.handBack(response, flow),
      observer: this.counters,
      logger,
    });
    this.handler = handler;
    const transactions = new TransactionLayer({
      clock,
      timers: config.sip.timers,
      transport: relay,
      tu: handler,
      maxTransactions: config.sip.maxTransactions,
      onOverload: (_, flow) => limits.hit('maxTransactions', flow.remoteAddress),
      statelessImmediateAnswers: true,
      onError: (e) => logger.error('transaction user failed', { error: e }),
    });
    this.transactions = transactions;
    await relay.start();
    await transport.start();
    // ID conversion's mapping from the LDAP directory too, when the store has none (docs/gateways.md).
    this.directory = config.directory ? withDirectory(store, config.directory, clock, logger) : null;
    const services = await composeServices({ config, store: this.directory?.store ?? store, core: { transport, relay, transactions, dns, resolver }, federation, clock, logger, metrics: this.counters });
    this.services = services;
    this.stopFederationReports = await answerFederationReports(
      store.bus,
      { worker: transport.owner, view: federation, peerFlows: () => transport.peerFlows() },
      (error) => logger.warn('federation: could not answer the admin API', { error }),
    );
    const prober = new ConnectorProber({
      communities: config.communities.list,
      isEnabled: (name) => federation.communities.isEnabled(name),
      originate: (request, targets) => services.proxy.originate(request, targets),
      wayTo: (community) =>
        communityProxyUris(community).map((text) => {
          const hop = parseUri(text) as SipUri;
          return { hop, peer: federation.connectorPeer(community.name, hop.host) };
        }),
      host: services.identity.primaryDomain,
      failedTargetMs,
      // Failovers until 2·64·T1 (the proxy core's nonInviteFailoverMs), then one more Timer F.
      probeTimeoutMs: 3 * 64 * config.sip.timers.t1,
      clock,
      logger,
      onProbed: ({ community, connector, up }) => {
        if (up !== null) this.counters.communities.connectorProbed(community, connector, up);
      },
    });
    this.prober = prober;
    this.stopCommunityReports = await answerCommunityReports(
      store.bus,
      { worker: transport.owner, communities: federation.communities, connectors: () => prober.connectors() },
      (error) => logger.warn('communities: could not answer the admin API', { error }),
    );
    handler.serve(composeRequestChain(services), services.proxy);
    await services.start();
    prober.start();
    this.storeWatch = new StoreLossWatch({ store, markerId, reseed: () => seedUsers(store.users, config.users, clock.now()), secret: services.sharedSecret, clock, logger });
    this.storeWatch.start();
    this.counters.collectFrom({ transactions: () => transactions.counts(), acceptedConnections: () => transport.acceptedConnections, registeredAors: () => store.locations.countAors(clock.now()) });
    if (config.admin && this.adminEnabled) {
      this.admin = await startAdminServer({
        admin: config.admin,
        store,
        metrics: () => this.counters.scrape(),
        federation,
        communities: config.communities,
        logger,
        domains: config.domains,
        now: () => clock.now(),
      });
    }
    if (config.ddns && this.ddnsEnabled) {
      // In the background: SIP service never waits on DNS.
      this.ddns = nodeDdns(config.ddns, clock, logger, (this.ddnsMetrics ??= new DdnsMetrics(this.counters.registry)));
      void this.ddns.start();
    }
  }

  /**
   * Opens the configured store, reads its marker (writing one into a store that has none)
   * and then writes the `users:` accounts: a loss after the marker was read shows at the
   * next check, which writes them again.
   */
  private async openStore(): Promise<{ store: Store; markerId: string }> {
    const { config, logger } = this;
    const store = instrumentStore(await openStore(storeOptions(config, logger)), this.counters);
    this.openedStore = store;
    await store.ping();
    const { id: markerId } = await store.marker.check(randomHex(16), this.clock.now());
    await seedUsers(store.users, config.users, this.clock.now());
    if (config.auth.enabled && config.users.length === 0 && (await store.users.list()).length === 0) {
      logger.warn('no user accounts: every REGISTER will be refused; add one with `npx herald user add alice@example.com` (`herald user add` where herald is installed) or under users: in the configuration');
    }
    return { store, markerId };
  }

  /** Lets requests being processed finish (up to a few seconds), then closes everything. */
  async stop(): Promise<void> {
    // Withdrawn first, so that clients stop choosing this node while it drains.
    await this.ddns?.stop();
    this.ddns = null;
    await this.handler?.drain(DRAIN_MS);
    await this.storeWatch?.stop();
    await this.admin?.close();
    await this.stopFederationReports?.();
    await this.runtimeLists?.stop();
    this.prober?.stop();
    await this.stopCommunityReports?.();
    await this.communityStates?.stop();
    this.counters.collectFrom(null);
    await this.services?.stop();
    await this.directory?.close();
    this.transactions?.close();
    await this.relay?.stop();
    await this.transport?.stop();
    await this.openedStore?.close();
    this.admin = null;
    this.storeWatch = null;
    this.stopFederationReports = null;
    this.runtimeLists = null;
    this.prober = null;
    this.stopCommunityReports = null;
    this.communityStates = null;
    this.services = null;
    this.directory = null;
    this.handler = null;
    this.transactions = null;
    this.relay = null;
    this.transport = null;
    this.openedStore = null;
  }
}

function describe(l: ListenerInfo): string {
  return `${l.transport}://${hostPort(l.address, l.port)}${l.path ?? ''}`;
}
