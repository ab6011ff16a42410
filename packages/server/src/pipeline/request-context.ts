import type { ResponseOptions, SipRequest } from '@herald/sip';

/**
 * What a request processor sees of one request: the request (never a retransmission),
 * where it came from, and a way to answer it.
 */
export interface RequestContext {
  readonly req: SipRequest;
  /** Transport the request arrived on, lower case: `udp`, `tcp`, `tls`, `ws`, `wss`. */
  readonly transport: string;
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

/** Runs processors in order until one stops. */
export async function runChain(chain: readonly RequestProcessor[], ctx: RequestContext): Promise<'continue' | 'stop'> {
  for (const p of chain) {
    const r = p.process(ctx);
    if ((typeof r === 'string' ? r : await r) === 'stop') return 'stop';
  }
  return 'continue';
}
