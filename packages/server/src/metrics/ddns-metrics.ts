import { Counter, type Registry } from 'prom-client';
import type { DdnsResult } from '../ddns/ddns-service.js';

const RESULTS: readonly DdnsResult[] = ['ok', 'conflict', 'refused', 'notauth', 'failed'];

/**
 * `herald_ddns_updates_total{result}`: the dynamic DNS updates this node sent, by outcome.
 * Registered only where the updates are sent (one process per node), every label at 0 from
 * the start so that rate() sees the first failure.
 * @see docs/operations.md (Dynamic DNS)
 */
export class DdnsMetrics {
  private readonly updates: Counter<'result'>;

  constructor(registry: Registry) {
    this.updates = new Counter({
      name: 'herald_ddns_updates_total',
      help: 'Dynamic DNS updates (RFC 2136) sent: ok, conflict (a prerequisite failed: another node or the operator holds the record), refused, notauth (TSIG key not accepted) or failed (no answer, or an answer that did not verify)',
      labelNames: ['result'],
      registers: [registry],
    });
    for (const result of RESULTS) this.updates.labels(result).inc(0);
  }

  update(result: DdnsResult): void {
    this.updates.labels(result).inc();
  }
}
