import { socketAddress } from './socket-address.js';
import { TransportError } from './transport-error.js';

/** How many requests one source address may send, as a token bucket per address. */
export interface RequestBudget {
  /** Sustained requests per second from one address; 0 turns the budget off. */
  requestsPerSecond: number;
  /** Requests one address may send at once before the rate applies. */
  burst: number;
  /** Addresses without a budget: peer proxies and gateways that carry many users' traffic. */
  exempt: readonly string[];
}

export const DEFAULT_REQUEST_BUDGET: Readonly<RequestBudget> = Object.freeze({ requestsPerSecond: 500, burst: 1000, exempt: Object.freeze([]) });

/** What the budget says of one request: take it, refuse it with 503 (once a second per source), or drop it unseen. */
export type BudgetVerdict = 'take' | 'refuse' | 'drop';

interface Bucket {
  tokens: number;
  at: number;
  refusedAt: number;
}

/** Sources tracked before the table is cleared outright (a spoofed-source flood). */
const MAX_SOURCES = 200_000;
/** At most one 503 per source in this long: enough for a client to back off, too few to reflect. */
const REFUSE_EVERY_MS = 1000;

/**
 * The per-source request budget (what Kamailio's pike module does): a token bucket per source
 * address, checked before a message is parsed, so that one flooding address costs little and
 * the others are still served. Buckets that have refilled are swept away.
 */
export class SourceBudget {
  private readonly buckets = new Map<string, Bucket>();
  private readonly exempt: ReadonlySet<string>;
  private readonly perMs: number;
  private readonly refillMs: number;
  private sweptAt = 0;

  constructor(private readonly budget: RequestBudget) {
    checkBudget(budget);
    this.exempt = new Set(budget.exempt.map(socketAddress));
    this.perMs = budget.requestsPerSecond / 1000;
    this.refillMs = budget.requestsPerSecond === 0 ? 0 : Math.ceil(budget.burst / this.perMs);
  }

  get enabled(): boolean {
    return this.budget.requestsPerSecond > 0;
  }

  /** Sources with a bucket that has not refilled yet. */
  get size(): number {
    return this.buckets.size;
  }

  take(address: string, now: number): BudgetVerdict {
    if (!this.enabled || this.exempt.has(address)) return 'take';
    let bucket = this.buckets.get(address);
    if (bucket === undefined) {
      this.sweep(now);
      bucket = { tokens: this.budget.burst, at: now, refusedAt: -Infinity };
      this.buckets.set(address, bucket);
    } else {
      bucket.tokens = Math.min(this.budget.burst, bucket.tokens + (now - bucket.at) * this.perMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens--;
      return 'take';
    }
    if (now - bucket.refusedAt < REFUSE_EVERY_MS) return 'drop';
    bucket.refusedAt = now;
    return 'refuse';
  }

  /** Whole seconds until the source may send again, for Retry-After (RFC 3261 §20.33). */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(1 / this.perMs / 1000));
  }

  private sweep(now: number): void {
    if (this.buckets.size >= MAX_SOURCES) {
      this.buckets.clear();
    } else if (now - this.sweptAt >= this.refillMs) {
      for (const [address, bucket] of this.buckets) {
        if (now - bucket.at >= this.refillMs) this.buckets.delete(address);
      }
    } else {
      return;
    }
    this.sweptAt = now;
  }
}

function checkBudget(budget: RequestBudget): void {
  const { requestsPerSecond, burst } = budget;
  if (!Number.isFinite(requestsPerSecond) || requestsPerSecond < 0) {
    throw new TransportError(`rateLimit.requestsPerSecond must be 0 (off) or more, not ${String(requestsPerSecond)}`, 'SIP_ERR_TRANSPORT_CONFIG');
  }
  if (requestsPerSecond > 0 && (!Number.isSafeInteger(burst) || burst < 1)) {
    throw new TransportError(`rateLimit.burst must be a whole number of at least 1, not ${String(burst)}`, 'SIP_ERR_TRANSPORT_CONFIG');
  }
}
