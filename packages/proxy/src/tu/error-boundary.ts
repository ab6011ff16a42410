import { SipError, type SipRequest } from '@herald/sip';
import { STORE_RETRY_AFTER_SECONDS, StoreUnavailableError } from '@herald/store';
import type { RequestContext } from './request-context.js';

/** During a store outage, one warning per this many ms, with the count of requests refused. */
const STORE_WARNING_MS = 5000;

export interface ErrorBoundaryLogger {
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

/**
 * The one place errors become responses: a `SipError` is answered as it says; a store
 * outage is 503 with Retry-After (and a warning at most every few seconds, with the count
 * refused); anything else is a bug, logged with Call-ID and branch and answered 500.
 */
export class ErrorBoundary {
  private storeFailures = 0;
  private storeWarnedAt = -Infinity;

  constructor(
    private readonly logger: ErrorBoundaryLogger,
    private readonly now: () => number = Date.now,
  ) {}

  answer(ctx: RequestContext, e: unknown): void {
    if (e instanceof SipError) {
      ctx.respond(e.status, e.reason, { headers: e.headers });
      return;
    }
    const { req } = ctx;
    if (e instanceof StoreUnavailableError) {
      this.storeOutage(e, req);
      ctx.respond(503, 'Service Unavailable', { headers: [['Retry-After', String(STORE_RETRY_AFTER_SECONDS)]] });
      return;
    }
    this.logger.error('request failed', { callId: req.header('call-id'), branch: req.topViaOrNull?.params.get('branch'), method: req.method, error: e });
    ctx.respond(500, 'Server Internal Error');
  }

  private storeOutage(e: StoreUnavailableError, req: SipRequest): void {
    this.storeFailures++;
    const now = this.now();
    if (now - this.storeWarnedAt < STORE_WARNING_MS) return;
    this.logger.warn('store unavailable: answering 503', { error: e.message, refused: this.storeFailures, lastCallId: req.header('call-id'), method: req.method });
    this.storeWarnedAt = now;
    this.storeFailures = 0;
  }
}
