import { Counter, type Registry } from 'prom-client';

/**
 * Requests to and from other domains as the federation policy judged them: by peer (the
 * configured peer entry, else `other`, so that senders cannot mint label values), direction
 * and result (`accepted` or the refusal's `SIP_ERR_FEDERATION_*` code).
 */
export class FederationMetrics {
  private readonly requests: Counter;

  constructor(registry: Registry) {
    this.requests = new Counter({
      name: 'herald_federation_requests_total',
      help: 'Requests from (in) and to (out) other domains, by peer entry (other: none) and result (accepted, or the refusal code)',
      labelNames: ['peer', 'direction', 'result'],
      registers: [registry],
    });
  }

  /** For the federation steps' `observe`. */
  readonly request = (peer: string, direction: 'in' | 'out', result: string): void => this.requests.labels(peer, direction, result).inc();
}
