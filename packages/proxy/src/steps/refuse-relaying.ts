import { relayingDenied } from '../proxy-errors.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * 403 for a request the chain found to leave Herald's domains without a sender Herald
 * knows: only Herald's own users may send out (anything else would make Herald an open
 * relay).
 */
export function refuseRelaying(): RequestProcessor {
  return {
    name: 'refuse-relaying',
    process() {
      throw relayingDenied();
    },
  };
}
