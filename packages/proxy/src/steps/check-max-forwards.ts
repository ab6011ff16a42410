import { tooManyHops } from '../proxy-errors.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/** 483 for a request that may go no further, before any policy decides about it. @see RFC 3261 §16.3 step 3 */
export function checkMaxForwards(): RequestProcessor {
  return {
    name: 'check-max-forwards',
    process(ctx) {
      if (ctx.req.maxForwards === 0) throw tooManyHops();
      return 'continue';
    },
  };
}
