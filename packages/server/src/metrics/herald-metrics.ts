import type { DigestFailureReason } from '@herald/auth';
import { KNOWN_METHODS } from '@herald/sip';
import type { LimitName, TransactionCounts } from '@herald/stack';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { CommunityMetrics } from './community-metrics.js';
import { DnsMetrics } from './dns-metrics.js';
import { FederationMetrics } from './federation-metrics.js';
import { LimitMetrics } from './limit-metrics.js';
import { PresetHistogram } from './preset-histogram.js';
import { Tally } from './tally.js';

/** What the scrape-time gauges read, once the server is running. */
export interface MetricSources {
  transactions(): TransactionCounts;
  /** Connections accepted and open, counted against `sip.maxConnections`. */
  acceptedConnections(): number;
  /** `store.locations.countAors(now)`. */
  registeredAors(): Promise<number>;
}

/** A scraped exposition, ready to be the body of a `/metrics` response. */
export interface MetricsText {
  contentType: string;
  body: string;
}

export interface HeraldMetricsOptions {
  /** Node process metrics (`process_*`, `nodejs_*`) in the same registry; default true. */
  defaultMetrics?: boolean;
}

/** The outcome of a REGISTER, as `herald_registrations_total` labels it. */
export type RegistrationResult = 'ok' | 'challenged' | 'rejected';

/** Seconds: 50 µs (a memory store) to 1 s (a struggling Redis). */
export const STORE_OPERATION_BUCKETS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** Label for methods outside `KNOWN_METHODS`, so that a client cannot mint label values. */
const OTHER_METHOD = 'other';
/** Response codes are three digits (RFC 3261 §21); a slot per code. */
const STATUS_SLOTS = 700;

/**
 * Tallies of one request method. The hot path only adds to plain numbers; the prom-client
 * counters (whose `inc` hashes its labels on every call) receive the sums at scrape time.
 */
class MethodTally {
  requests = 0;
  readonly responses = new Float64Array(STATUS_SLOTS);
  readonly responseChildren: (Counter.Internal | undefined)[] = [];

  constructor(
    readonly method: string,
    readonly requestChild: Counter.Internal,
  ) {}
}

/**
 * Herald's Prometheus metrics, in a registry of their own (never prom-client's global one,
 * so that several servers in one process, as in tests, do not collide).
 */
export class HeraldMetrics {
  readonly registry = new Registry();
  /** What the limits on strangers refused, and failed sweeps. */
  readonly limits = new LimitMetrics(this.registry);
  /** The DNS client's queries and cache hits. */
  readonly dns = new DnsMetrics(this.registry);
  /** Requests to and from other domains, by peer and how the federation policy judged them. */
  readonly federation = new FederationMetrics(this.registry);
  /** Per gateway community: requests, failovers between its connectors, connectors up. */
  readonly communities = new CommunityMetrics(this.registry);
  private sources: MetricSources | null = null;
  private readonly methods = new Map<string, MethodTally>();
  private readonly requestCounter: Counter<'method'>;
  private readonly registrations: Record<RegistrationResult, Tally>;
  private readonly authFailures = new Map<string, Tally>();
  private readonly authFailureCounter: Counter<'reason'>;
  private readonly limitHits = new Map<LimitName, Tally>();
  private readonly limitCounter: Counter<'limit'>;
  private readonly storeHistogram: PresetHistogram;
  private readonly failovers: Counter;

  constructor(options: HeraldMetricsOptions = {}) {
    const registers = [this.registry];
    const methods = this.methods;
    this.requestCounter = new Counter({
      name: 'herald_sip_requests_total',
      help: 'SIP requests the request chain handled (retransmissions absorbed by the transaction layer are not counted)',
      labelNames: ['method'],
      registers,
      collect() {
        for (const tally of methods.values()) {
          if (tally.requests === 0) continue;
          tally.requestChild.inc(tally.requests);
          tally.requests = 0;
        }
      },
    });
    const responseCounter: Counter<'method' | 'status'> = new Counter({
      name: 'herald_sip_responses_total',
      help: 'SIP responses Herald sent to requests it received, by request method and status code',
      labelNames: ['method', 'status'],
      registers,
      collect() {
        for (const tally of methods.values()) {
          const counts = tally.responses;
          for (let status = 100; status < STATUS_SLOTS; status++) {
            const n = counts[status];
            if (n === 0) continue;
            counts[status] = 0;
            (tally.responseChildren[status] ??= responseCounter.labels(tally.method, String(status))).inc(n);
          }
        }
      },
    });
    const registrations = new Counter({
      name: 'herald_registrations_total',
      help: 'Final responses to REGISTER: ok (2xx), challenged (401/407) or rejected (any other)',
      labelNames: ['result'],
      registers,
      collect: () => {
        for (const tally of Object.values(this.registrations)) tally.flush();
      },
    });
    this.registrations = { ok: new Tally(registrations.labels('ok')), challenged: new Tally(registrations.labels('challenged')), rejected: new Tally(registrations.labels('rejected')) };
    this.authFailureCounter = new Counter({
      name: 'herald_auth_failures_total',
      help: 'Failed digest authentications, by reason',
      labelNames: ['reason'],
      registers,
      collect: () => {
        for (const tally of this.authFailures.values()) tally.flush();
      },
    });
    this.limitCounter = new Counter({
      name: 'herald_limit_hits_total',
      help: 'Requests and connections refused or closed by a limit (docs/operations.md, "Limits and protection"), by limit',
      labelNames: ['limit'],
      registers,
      collect: () => {
        for (const tally of this.limitHits.values()) tally.flush();
      },
    });
    this.failovers = new Counter({
      name: 'herald_proxy_failovers_total',
      help: 'Branches the proxy moved on to their next destination after a timeout, a transport error or a 503 (RFC 3263 §4.3)',
      registers,
    });
    const sources = (): MetricSources | null => this.sources;
    const transactions = new Gauge({
      name: 'herald_transactions_in_flight',
      help: 'SIP transactions in the transaction layer, by kind',
      labelNames: ['kind'],
      registers,
      collect() {
        const counts = sources()?.transactions();
        if (counts === undefined) return;
        kinds.inviteClient.set(counts.inviteClient);
        kinds.nonInviteClient.set(counts.nonInviteClient);
        kinds.inviteServer.set(counts.inviteServer);
        kinds.nonInviteServer.set(counts.nonInviteServer);
      },
    });
    const kinds: Record<keyof TransactionCounts, Gauge.Internal<'kind'>> = {
      inviteClient: transactions.labels('invite_client'),
      nonInviteClient: transactions.labels('non_invite_client'),
      inviteServer: transactions.labels('invite_server'),
      nonInviteServer: transactions.labels('non_invite_server'),
    };
    new Gauge({
      name: 'herald_connections_accepted',
      help: 'TCP, TLS, WS and WSS connections accepted and open (sip.maxConnections bounds them per worker)',
      registers,
      collect() {
        const source = sources();
        if (source !== null) this.set(source.acceptedConnections());
      },
    });
    let registeredAors = 0;
    new Gauge({
      name: 'herald_registered_aors',
      help: 'Addresses-of-record with at least one live binding (the shared store: every worker reports the same count)',
      registers,
      // Workers of one node read the same store: their values are one count, not parts of a sum.
      aggregator: 'max',
      async collect() {
        const source = sources();
        if (source === null) return;
        // A store outage keeps the last value; /healthz reports the outage.
        registeredAors = await source.registeredAors().catch(() => registeredAors);
        this.set(registeredAors);
      },
    });
    this.storeHistogram = new PresetHistogram('herald_store_operation_seconds', 'Duration of store operations, by sub-store and operation', STORE_OPERATION_BUCKETS, this.registry);
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the scrape-time gauges read from; `null` when the server stops. */
  collectFrom(sources: MetricSources | null): void {
    this.sources = sources;
  }

  /** A request the request chain sees. */
  request(method: string): void {
    this.tally(method).requests++;
  }

  /** A response Herald sends to a request it received; REGISTER final responses also count as registrations. */
  response(method: string, status: number): void {
    this.tally(method).responses[status < STATUS_SLOTS ? status : 0]++;
    if (status >= 200 && method === 'REGISTER') {
      this.registrations[status < 300 ? 'ok' : status === 401 || status === 407 ? 'challenged' : 'rejected'].pending++;
    }
  }

  /** For the digest authenticator's `onFailure`. */
  authFailure(reason: DigestFailureReason): void {
    let tally = this.authFailures.get(reason);
    if (tally === undefined) this.authFailures.set(reason, (tally = new Tally(this.authFailureCounter.labels(reason))));
    tally.pending++;
  }

  /** A request or connection a limit refused or closed. */
  limitHit(limit: LimitName): void {
    let tally = this.limitHits.get(limit);
    if (tally === undefined) this.limitHits.set(limit, (tally = new Tally(this.limitCounter.labels(limit))));
    tally.pending++;
  }

  /** The proxy moved a branch on to its next destination. @see RFC 3263 §4.3 */
  failedOver(): void {
    this.failovers.inc();
  }

  /** The observer of one store operation's duration, in seconds; take it once, call it per operation. */
  storeTimer(store: string, operation: string): (seconds: number) => void {
    return this.storeHistogram.observer({ store, operation });
  }

  /** The Prometheus text exposition of every metric. */
  async scrape(): Promise<MetricsText> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private tally(method: string): MethodTally {
    let tally = this.methods.get(method);
    if (tally !== undefined) return tally;
    const label = KNOWN_METHODS.has(method) ? method : OTHER_METHOD;
    tally = this.methods.get(label);
    if (tally === undefined) this.methods.set(label, (tally = new MethodTally(label, this.requestCounter.labels(label))));
    return tally;
  }
}
