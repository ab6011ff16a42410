import type { AuthenticatedUser, Flow, ForwardOptions, ForwardOutcome, RequestContext, RequestProcessor, Target } from '@herald/proxy';
import { type ResponseOptions, SipError, type SipRequest, type SipResponse, createResponse } from '@herald/sip';

/** The flow a fake request came in on unless a test gives one. */
export const FAKE_FLOW: Flow = { id: 'udp-1', transport: 'udp', owner: 'test~1~00', localAddress: '192.0.2.1', localPort: 5060, remoteAddress: '198.51.100.7', remotePort: 5060 };

export interface FakeRequestContextOptions {
  flow?: Flow;
  authenticated?: AuthenticatedUser | null;
  /** What `forward` resolves to (default: a 200 with no response). */
  forward?(targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome>;
}

/**
 * A request context without a transaction or a transport: it keeps what a processor did
 * (the responses it sent, built as the server builds them, what it relayed, the targets it
 * forwarded to) for a unit test to read.
 */
export class FakeRequestContext implements RequestContext {
  readonly flow: Flow;
  authenticated: AuthenticatedUser | null;
  recordRouted: RequestContext['recordRouted'] = null;
  peer: RequestContext['peer'] = null;
  statelessAnswer = false;
  presentedAs?: RequestContext['presentedAs'];
  readonly transaction = null;
  /** Every response sent, in order. */
  readonly responses: SipResponse[] = [];
  /** Responses relayed from downstream, in order. */
  readonly relayed: SipResponse[] = [];
  /** The targets of each `forward`, in order. */
  readonly forwarded: Array<readonly Target[]> = [];
  private readonly forwardTo: NonNullable<FakeRequestContextOptions['forward']>;

  constructor(
    readonly req: SipRequest,
    options: FakeRequestContextOptions = {},
  ) {
    this.flow = options.flow ?? FAKE_FLOW;
    this.authenticated = options.authenticated ?? null;
    this.forwardTo = options.forward ?? (async () => ({ status: 200, response: null, handled: false }));
  }

  respond(status: number, reason?: string, options?: ResponseOptions): void {
    this.responses.push(createResponse(this.req, status, reason, options));
  }

  relay(response: SipResponse): void {
    this.relayed.push(response);
  }

  forward(targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome> {
    this.forwarded.push([...targets]);
    return this.forwardTo(targets, options);
  }

  /** The last response sent; throws when there is none. */
  get response(): SipResponse {
    const last = this.responses.at(-1);
    if (last === undefined) throw new Error(`no response to ${this.req.method}`);
    return last;
  }

  /**
   * Runs `processor` on this request as the server's chain does: a thrown `SipError` is
   * answered with its status, reason and headers (the one place errors become responses).
   */
  async run(processor: RequestProcessor): Promise<'continue' | 'stop'> {
    try {
      return await processor.process(this);
    } catch (error) {
      if (!(error instanceof SipError)) throw error;
      this.respond(error.status, error.reason, { headers: error.headers });
      return 'stop';
    }
  }
}
