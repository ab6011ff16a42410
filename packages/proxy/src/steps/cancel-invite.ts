import type { ProxyCore } from '../forwarding/proxy-core.js';
import { noTransactionToCancel } from '../proxy-errors.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/** A CANCEL: the INVITE it names is cancelled, whatever the CANCEL's credentials; 481 when there is none. @see RFC 3261 §16.10, §22.1 */
export function cancelInvite(core: ProxyCore): RequestProcessor {
  return {
    name: 'cancel-invite',
    process(ctx) {
      if (!core.cancel(ctx)) throw noTransactionToCancel();
      return 'stop';
    },
  };
}
