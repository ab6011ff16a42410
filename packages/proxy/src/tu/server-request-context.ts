import type { ResponseOptions, SipRequest, SipResponse, SipUri } from '@herald/sip';
import type { Flow, ServerTransaction } from '@herald/stack';
import type { PeerVerdict } from '../federation/peer-verdict.js';
import type { DialogFlows } from '../routing/flow-tokens.js';
import type { Target } from '../routing/target.js';
import type { AuthenticatedUser, ForwardOptions, ForwardOutcome, RequestContext } from './request-context.js';

/** What answers and forwards the requests of the chain (the request handler). */
export interface RequestAnswerer {
  respond(tx: ServerTransaction | null, req: SipRequest, flow: Flow, status: number, reason?: string, options?: ResponseOptions): void;
  relay(tx: ServerTransaction | null, req: SipRequest, res: SipResponse): void;
  forward(ctx: RequestContext, targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome>;
}

/** What the request chain sees of one request; a class, so that a request costs no closure. */
export class ServerRequestContext implements RequestContext {
  authenticated: AuthenticatedUser | null = null;
  recordRouted: DialogFlows | null = null;
  peer: PeerVerdict | null = null;
  presentedAs?: SipUri;
  statelessAnswer = false;

  constructor(
    private readonly handler: RequestAnswerer,
    readonly transaction: ServerTransaction | null,
    readonly req: SipRequest,
    readonly flow: Flow,
  ) {}

  respond(status: number, reason?: string, options?: ResponseOptions): void {
    if (this.statelessAnswer && status >= 200) this.transaction?.answerStatelessly();
    this.handler.respond(this.transaction, this.req, this.flow, status, reason, options);
  }

  relay(response: SipResponse): void {
    this.handler.relay(this.transaction, this.req, response);
  }

  forward(targets: readonly Target[], options?: ForwardOptions): Promise<ForwardOutcome> {
    return this.handler.forward(this, targets, options);
  }
}
