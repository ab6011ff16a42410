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

  /** The counter of each label set seen, so that a request costs a Map look-up rather than prom-client's label hashing. */
  private readonly children = new Map<string, Counter.Internal>();

  /** For the federation steps' `observe`. */
  readonly request = (peer: string, direction: 'in' | 'out', result: string): void => {
    const key = `${peer} ${direction} ${result}`;
    let child = this.children.get(key);
    if (child === undefined) this.children.set(key, (child = this.requests.labels(peer, direction, result)));
    child.inc();
  };
}
