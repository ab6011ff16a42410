import type { LocalIdentity } from '../routing/local-identity.js';
import { relayingDenied } from '../proxy-errors.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * Only Herald's own users may send a request out of Herald's domains (anything else would
 * make Herald an open relay): 403 unless the request was authenticated, or, with digest
 * authentication off (`trustLocalFrom`), its From is a served domain.
 */
export function refuseRelaying(identity: LocalIdentity, { trustLocalFrom }: { trustLocalFrom: boolean }): RequestProcessor {
  return {
    name: 'refuse-relaying',
    process(ctx) {
      if (ctx.authenticated === null && !(trustLocalFrom && identity.isLocal(ctx.req.from.uri))) throw relayingDenied();
      return 'continue';
    },
  };
}
