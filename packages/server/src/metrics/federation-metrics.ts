import { Counter, type Registry } from 'prom-client';
import { DirectedTallies, type Direction } from './directed-tallies.js';

/**
 * Requests to and from other domains as the federation policy judged them: by peer (the
 * configured peer entry, else `other`, so that senders cannot mint label values), direction
 * and result (`accepted` or the refusal's `SIP_ERR_FEDERATION_*` code).
 */
export class FederationMetrics {
  private readonly tallies: DirectedTallies;

  constructor(registry: Registry) {
    const requests: Counter = new Counter({
      name: 'herald_federation_requests_total',
      help: 'Requests from (in) and to (out) other domains, by peer entry (other: none) and result (accepted, or the refusal code)',
      labelNames: ['peer', 'direction', 'result'],
      registers: [registry],
      collect: () => this.tallies.flush(),
    });
    this.tallies = new DirectedTallies(requests);
  }

  /** For the federation steps' `observe`: counted at once, added to the counter when it is scraped. */
  readonly request = (peer: string, direction: Direction, result: string): void => this.tallies.add(peer, direction, result);
}
