import type { RequestContext } from './request-context.js';

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

/** A test on a request, named for what it asks, so that a chain reads like a routing script. */
export type RequestCondition = (ctx: RequestContext) => boolean;

/**
 * The steps that run only when `condition` holds, in order, as one step of a chain: like
 * an `if` block of a routing script (Kamailio's `if (is_method("REGISTER")) route(REGISTRAR);`).
 */
export function when(condition: RequestCondition, steps: RequestProcessor | readonly RequestProcessor[]): RequestProcessor {
  if ('process' in steps) {
    const step = steps;
    return { name: step.name, process: (ctx) => (condition(ctx) ? step.process(ctx) : 'continue') };
  }
  return { name: steps.map((s) => s.name).join(', '), process: (ctx) => (condition(ctx) ? runChain(steps, ctx) : 'continue') };
}
