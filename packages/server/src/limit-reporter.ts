import type { LimitName } from '@herald/stack';
import type { Logger } from './logger.js';
import type { HeraldMetrics } from './metrics/herald-metrics.js';

/** At most one log line per limit in this long: a flood must not become a flood of log lines. */
const LOG_EVERY_MS = 10_000;

interface Bitten {
  loggedAt: number;
  /** Hits since the last line. */
  since: number;
}

/**
 * Where the limits of docs/operations.md ("Limits and protection") report each refusal: a
 * count in `herald_limit_hits_total`, and a warning when a limit starts biting, then at
 * most every 10 s with the number of hits in between.
 */
export class LimitReporter {
  private readonly bitten = new Map<LimitName, Bitten>();

  constructor(
    private readonly metrics: HeraldMetrics,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  hit(limit: LimitName, source: string): void {
    this.metrics.limitHit(limit);
    const now = this.now();
    let entry = this.bitten.get(limit);
    if (entry === undefined) this.bitten.set(limit, (entry = { loggedAt: -Infinity, since: 0 }));
    entry.since++;
    if (now - entry.loggedAt < LOG_EVERY_MS) return;
    this.logger.warn(`limit reached: ${limit}`, { limit, source, hits: entry.since, see: 'docs/operations.md#limits-and-protection' });
    entry.loggedAt = now;
    entry.since = 0;
  }
}
