import type { ResponseOptions, SipRequest } from '@herald/sip';
import type { Flow } from '@herald/stack';

/** The account a request was authenticated as (digest) or asserted for (trusted peer). */
export interface AuthenticatedUser {
  user: string;
  domain: string;
  /** `sip:user@domain` */
  aor: string;
}

/**
 * What a request processor sees of one request: the request (never a retransmission),
 * the flow it came in on, and a way to answer it.
 */
export interface RequestContext {
  readonly req: SipRequest;
  /** The flow the request arrived on: transport, source address, connection id. */
  readonly flow: Flow;
  /** Set by the authenticator once the credentials check out. */
  authenticated: AuthenticatedUser | null;
  /** Sends a final or provisional response through the server transaction. */
  respond(status: number, reason?: string, options?: ResponseOptions): void;
}

/**
 * A processor makes one decision about a request: it answers it (`'stop'`) or leaves it
 * to the next one (`'continue'`). Throwing a `SipError` answers with that error.
 */
export interface RequestProcessor {
  readonly name: string;
  process(ctx: RequestContext): 'continue' | 'stop' | Promise<'continue' | 'stop'>;
}

type Verdict = 'continue' | 'stop';

/**
 * Runs processors in order until one stops. Stays synchronous while the processors are,
 * so that requests arriving together are answered in the order they arrived and the
 * common path allocates no promise; a processor that returns a promise makes the rest
 * of the chain asynchronous.
 */
export function runChain(chain: readonly RequestProcessor[], ctx: RequestContext, from = 0): Verdict | Promise<Verdict> {
  for (let i = from; i < chain.length; i++) {
    const r = chain[i].process(ctx);
    if (typeof r !== 'string') return r.then((v) => (v === 'stop' ? v : runChain(chain, ctx, i + 1)));
    if (r === 'stop') return 'stop';
  }
  return 'continue';
}
