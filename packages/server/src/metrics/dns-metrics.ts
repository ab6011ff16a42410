import type { DnsQueryOutcome, QuestionType } from '@herald/stack';
import { Counter, type Registry } from 'prom-client';

const TYPES: readonly QuestionType[] = ['A', 'AAAA', 'SRV', 'NAPTR'];
const OUTCOMES: readonly DnsQueryOutcome[] = ['answer', 'nxdomain', 'nodata', 'timeout', 'unreachable', 'servfail', 'refused', 'malformed'];

/**
 * The DNS client's questions: those that went to the servers, by type and how they ended,
 * and those the cache answered. Every label pair is exported at 0 from the start, and the
 * children are made once, so counting a cache hit does not hash labels.
 */
export class DnsMetrics {
  private readonly queries = new Map<string, Counter.Internal>();
  private readonly hits = new Map<string, Counter.Internal>();

  constructor(registry: Registry) {
    const registers = [registry];
    const queries = new Counter({
      name: 'herald_dns_queries_total',
      help: 'DNS questions sent to the servers (retries and TCP after truncation included in one), by type and result',
      labelNames: ['type', 'result'],
      registers,
    });
    const hits = new Counter({
      name: 'herald_dns_cache_hits_total',
      help: 'DNS questions answered from the cache, by type',
      labelNames: ['type'],
      registers,
    });
    for (const type of TYPES) {
      this.hits.set(type, hits.labels(type));
      this.hits.get(type)!.inc(0);
      for (const outcome of OUTCOMES) {
        const child = queries.labels(type, outcome);
        child.inc(0);
        this.queries.set(`${type} ${outcome}`, child);
      }
    }
  }

  /** For DnsClient's `onQuery`. */
  readonly query = (type: string, outcome: DnsQueryOutcome): void => this.queries.get(`${type} ${outcome}`)?.inc();

  /** For DnsClient's `onCacheHit`. */
  readonly cacheHit = (type: string): void => this.hits.get(type)?.inc();
}
