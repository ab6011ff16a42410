import type { ProxyCore } from '../forwarding/proxy-core.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * An in-dialog request of a dialog Herald record-routed goes on without authentication: the
 * flow token proves Herald put itself in the route set of this Call-ID.
 * @see RFC 3261 §16.4, §12.2
 */
export function forwardInDialog(core: ProxyCore): RequestProcessor {
  return {
    name: 'forward-in-dialog',
    process(ctx) {
      const flows = ctx.recordRouted;
      if (flows === null) return 'continue';
      const forwarded = core.forwardInDialog(ctx, flows);
      return forwarded === null ? 'stop' : forwarded.then(() => 'stop' as const);
    },
  };
}
