import { type CommunitySettings, type ForwardOutcome, type OutboundPeer, type Target } from '@herald/proxy';
import { SipRequest, type SipUri, newCallId, newTag } from '@herald/sip';
import type { Clock, TimerHandle } from '@herald/stack';
import type { Logger } from '../logger.js';

/** What a worker last learnt of one connector (a `proxies` entry of a community). */
export interface ConnectorHealth {
  community: string;
  /** The `proxies` entry, as configured. */
  connector: string;
  /** Whether it answered the last OPTIONS; `null` before the first answer or timeout. */
  up: boolean | null;
  /** The final status of the last OPTIONS (408: no answer; made up by Herald when `up` is false), `null` before the first. */
  lastStatus: number | null;
  /** When the last OPTIONS ended, ms since the epoch; `null` before the first. */
  lastCheckedAt: number | null;
}

export interface ConnectorProberOptions {
  communities: readonly CommunitySettings[];
  /** Whether a community is switched on now: only those are probed. */
  isEnabled(name: string): boolean;
  /** Sends a request Herald originates, as the proxy core does (`ProxyCore.originate`). */
  originate(request: SipRequest, targets: readonly Target[]): Promise<ForwardOutcome>;
  /**
   * The way to each of a community's connectors, in the order of `proxies`, as its requests
   * take it: the next hop (the community's `transport` added), and what its level asks of the
   * connection (TLS only, the certificate checked: `FederationPolicy.connectorPeer`).
   */
  wayTo(community: CommunitySettings): ReadonlyArray<{ hop: SipUri; peer: OutboundPeer | undefined }>;
  /** Herald's own address, the From and Call-ID host of the probes: its primary domain. */
  host: string;
  /** How long the resolver tries a destination that failed last (`dns.failedTargetTime`). */
  failedTargetMs: number;
  /** The longest a probe waits for its answer, failovers included. */
  probeTimeoutMs: number;
  clock: Clock;
  logger: Logger;
  /** A connector's health after each probe. */
  onProbed?(health: ConnectorHealth): void;
}

/**
 * Sends each switched-on community's connectors an OPTIONS every `probeIntervalMs` (0: never)
 * to learn whether they are up. The proxy core marks a connector that does not answer
 * failed in the resolver (tried last) and clears the mark when it answers (RFC 3263 §4.3),
 * so the probes keep that memory fresh: a dead connector is skipped until it answers again.
 * The next round of a community starts when the last one ended, so probes never pile up.
 * @see RFC 3261 §11 (OPTIONS to learn a server's state)
 */
export class ConnectorProber {
  private readonly health = new Map<string, ConnectorHealth>();
  private readonly timers = new Set<TimerHandle>();
  private stopped = false;

  constructor(private readonly options: ConnectorProberOptions) {
    for (const c of options.communities) for (const connector of c.proxies) this.health.set(key(c.name, connector), { community: c.name, connector, up: null, lastStatus: null, lastCheckedAt: null });
  }

  /** Probes every community with connectors and an interval at once, then every interval. */
  start(): void {
    for (const community of this.options.communities) {
      if (community.probeIntervalMs > 0 && community.proxies.length > 0) void this.round(community);
    }
  }

  /** No more rounds; a probe under way is forgotten (the transaction layer ends it when it closes). */
  stop(): void {
    this.stopped = true;
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers.clear();
  }

  /** Every connector's health, in the configuration's order. */
  connectors(): ConnectorHealth[] {
    return [...this.health.values()].map((h) => ({ ...h }));
  }

  private async round(community: CommunitySettings): Promise<void> {
    if (this.stopped) return;
    if (this.options.isEnabled(community.name)) {
      const ways = this.options.wayTo(community);
      await Promise.all(community.proxies.map((connector, i) => ways[i] !== undefined && this.probe(community, connector, ways[i].hop, ways[i].peer)));
    }
    if (this.stopped) return;
    const timer = this.options.clock.setTimeout(() => {
      this.timers.delete(timer);
      void this.round(community);
    }, community.probeIntervalMs);
    this.timers.add(timer);
  }

  private async probe(community: CommunitySettings, connector: string, hop: SipUri, peer: OutboundPeer | undefined): Promise<void> {
    const { originate, host, clock, logger } = this.options;
    // RFC 3263 §4.3: a connector that fails its probe stays tried last until the next probe has
    // had its time to find it back, however long the interval; an answer lifts the mark sooner.
    const failedForMs = Math.max(this.options.failedTargetMs, community.probeIntervalMs + this.options.probeTimeoutMs);
    const target: Target = { uri: connector, q: null, route: [], flow: null, flowOnly: false, nextHops: [hop], ...(peer !== undefined && { peer }), failedForMs };
    let outcome: ForwardOutcome;
    try {
      outcome = await originate(optionsRequest(connector, host), [target]);
    } catch (error) {
      // A connector that names no host DNS knows: the config reader let it through, nothing answers it.
      logger.warn('communities: a connector could not be probed', { community: community.name, connector, error: (error as Error).message });
      outcome = { status: 503, response: null, handled: false };
    }
    if (this.stopped) return;
    // A response from the connector, whatever its status, says it is there. The proxy core's own
    // responses say it is not: 408 (no answer), 500 for a transport error or the connector's
    // 503, 404 or 504 for a name DNS does not know, 503 for a TLS connection that failed.
    const up = outcome.received === true;
    const health = this.health.get(key(community.name, connector))!;
    if (health.up !== up) logger.info(`communities: connector ${up ? 'up' : 'down'}`, { community: community.name, connector, status: outcome.status });
    Object.assign(health, { up, lastStatus: outcome.response?.status ?? outcome.status, lastCheckedAt: clock.now() });
    this.options.onProbed?.({ ...health });
  }
}

function key(community: string, connector: string): string {
  return `${community} ${connector}`;
}

/** An OPTIONS from Herald to a connector; the proxy core adds Via and Max-Forwards (70). */
function optionsRequest(connector: string, host: string): SipRequest {
  return new SipRequest('OPTIONS', connector, [], Buffer.alloc(0))
    .addHeader('From', `<sip:herald@${host}>;tag=${newTag()}`)
    .addHeader('To', `<${connector}>`)
    .addHeader('Call-ID', newCallId(host))
    .addHeader('CSeq', '1 OPTIONS')
    .addHeader('Accept', 'application/sdp');
}
