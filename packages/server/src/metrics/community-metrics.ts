import { Counter, Gauge, type Registry } from 'prom-client';
import { DirectedTallies, type Direction } from './directed-tallies.js';

/**
 * Per gateway community (by its configured name, so senders cannot mint label values): its
 * requests as the federation policy judged them, the failovers between its connectors,
 * and whether each connector answered its last probe.
 */
export class CommunityMetrics {
  private readonly requests: DirectedTallies;
  private readonly failovers: Counter;
  private readonly connectorUp: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const requests: Counter = new Counter({
      name: 'herald_community_requests_total',
      help: 'Requests from (in) and to (out) a gateway community, by community and result (accepted, or the refusal code)',
      labelNames: ['community', 'direction', 'result'],
      registers,
      collect: () => this.requests.flush(),
    });
    this.requests = new DirectedTallies(requests);
    this.failovers = new Counter({
      name: 'herald_community_failovers_total',
      help: "Branches to a gateway community moved on to the next of its connectors' destinations (RFC 3263 §4.3)",
      labelNames: ['community'],
      registers,
    });
    this.connectorUp = new Gauge({
      name: 'herald_community_connector_up',
      help: "1 when a community's connector answered the last OPTIONS probe, 0 when it did not (each worker probes; the lowest counts)",
      labelNames: ['community', 'connector'],
      registers,
      // Every worker probes on its own: a connector one of them finds down is down.
      aggregator: 'min',
    });
  }

  /** A request to or from `community`, and what the federation policy made of it: counted at once, added to the counter when it is scraped. */
  request(community: string, direction: Direction, result: string): void {
    this.requests.add(community, direction, result);
  }

  failedOver(community: string): void {
    this.failovers.labels(community).inc();
  }

  connectorProbed(community: string, connector: string, up: boolean): void {
    this.connectorUp.labels(community, connector).set(up ? 1 : 0);
  }
}
