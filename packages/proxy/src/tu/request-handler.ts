import { type ResponseOptions, type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import type { Flow, ServerTransaction, TransactionUser } from '@herald/stack';
import type { ProxyCore } from '../forwarding/proxy-core.js';
import type { Target } from '../routing/target.js';
import { ErrorBoundary } from './error-boundary.js';
import type { ForwardOptions, ForwardOutcome, RequestContext } from './request-context.js';
import { type RequestProcessor, runChain } from './request-processor.js';
import { type RequestAnswerer, ServerRequestContext } from './server-request-context.js';

/** What the request handler reports, for metrics. */
export interface RequestObserver {
  request(method: string): void;
  response(method: string, status: number): void;
}

export interface RequestHandlerLogger {
  isDebugEnabled(): boolean;
  debug(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  error(message: string, meta?: Record<string, unknown>): unknown;
}

export interface RequestHandlerOptions {
  /** The Server header every response carries. @see RFC 3261 §20.35 */
  server: string;
  /** Sends a response that has no server transaction back on the flow of its request. */
  sendOnFlow(response: SipResponse, flow: Flow): Promise<unknown>;
  /** A response that matched no client transaction here: true when another worker sent its request and now has it. */
  handBack(response: SipResponse, flow: Flow): boolean;
  observer?: RequestObserver;
  logger: RequestHandlerLogger;
}

/**
 * Herald's transaction user: each request the transaction layer hands up (never a
 * retransmission) runs through the request chain with a request context; what a
 * processor throws is answered in one place (`ErrorBoundary`); responses from downstream
 * go upstream through the server transaction. A response that matches no transaction goes
 * to the worker that sent its request, or on to the next Via.
 * @see RFC 3261 §16 (the proxy core), §17 (the transaction user)
 */
export class RequestHandler implements TransactionUser, RequestAnswerer {
  private chain: readonly RequestProcessor[] = [];
  private proxy: ProxyCore | null = null;
  private inFlight = 0;
  private readonly boundary: ErrorBoundary;
  private readonly serverHeader: readonly [string, string];

  constructor(private readonly options: RequestHandlerOptions) {
    this.boundary = new ErrorBoundary(options.logger);
    this.serverHeader = ['Server', options.server];
  }

  /** Starts routing requests through `chain`, forwarding with `proxy`; until then no request is answered. */
  serve(chain: readonly RequestProcessor[], proxy: ProxyCore): void {
    this.chain = chain;
    this.proxy = proxy;
  }

  onRequest(tx: ServerTransaction | null, req: SipRequest, flow: Flow): void {
    this.options.observer?.request(req.method);
    const ctx = new ServerRequestContext(this, tx, req, flow);
    let verdict;
    try {
      verdict = runChain(this.chain, ctx);
    } catch (e) {
      this.boundary.answer(ctx, e);
      return;
    }
    if (typeof verdict === 'string') return;
    this.inFlight++;
    // One reaction rather than catch() and finally(), which cost three promises more per request.
    verdict.then(
      () => {
        this.inFlight--;
      },
      (e: unknown) => {
        try {
          this.boundary.answer(ctx, e);
        } finally {
          this.inFlight--;
        }
      },
    );
  }

  /** The ACK for a 2xx is a request of its own, forwarded along the dialog's route. @see RFC 3261 §13.2.2.4, §16.11 */
  onAck(ack: SipRequest, flow: Flow): void {
    this.onRequest(null, ack, flow);
  }

  onStrayResponse(response: SipResponse, flow: Flow): void {
    if (!this.options.handBack(response, flow)) this.proxy?.forwardStray(response);
  }

  /** Waits until no request is being processed, or `ms` have passed. */
  async drain(ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.inFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }

  /** Answers `req` through its server transaction, or on its flow when it has none; an ACK gets no answer. */
  respond(tx: ServerTransaction | null, req: SipRequest, flow: Flow, status: number, reason?: string, options: ResponseOptions = {}): void {
    if (req.method === 'ACK') return;
    const extra = options.headers;
    const headers = extra === undefined || extra.length === 0 ? [this.serverHeader] : [...extra, this.serverHeader];
    const res: SipResponse = createResponse(req, status, reason, { ...options, headers });
    this.options.observer?.response(req.method, status);
    if (tx) tx.respond(res);
    else void this.options.sendOnFlow(res, flow).catch((e: Error) => this.options.logger.debug('response not sent', { error: e.message }));
  }

  /** Sends a response from downstream upstream, through the server transaction. */
  relay(tx: ServerTransaction | null, req: SipRequest, res: SipResponse): void {
    this.options.observer?.response(req.method, res.status);
    tx?.respond(res);
  }

  forward(ctx: RequestContext, targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome> {
    if (this.proxy === null) throw new Error('forward before serve');
    return this.proxy.forward(ctx, targets, options);
  }
}

