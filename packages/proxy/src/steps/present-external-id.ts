import type { SipRequest } from '@herald/sip';
import type { ExternalIds } from '../federation/external-ids.js';
import { uriDomain } from '../federation/uri-domain.js';
import type { LocalIdentity } from '../routing/local-identity.js';
import type { RequestProcessor } from '../tu/request-processor.js';
import { localSenderAor } from './local-sender.js';

/**
 * ID conversion: a request a local user sends to a `convertIds` community leaves with the
 * user's external form in From and P-Asserted-Identity (`ctx.presentedAs`, applied by the
 * proxy core to the forwarded copies; responses get the sender's own From back). One read
 * of the user store for such a request (more when From names an alias and digest is off),
 * none for any other.
 * @see presentAs for the DEVIATION from RFC 3261 §16.6
 */
export function presentExternalId(ids: ExternalIds, identity: Pick<LocalIdentity, 'senderDomain'>): RequestProcessor {
  return {
    name: 'present-external-id',
    process(ctx) {
      const domain = remotePartyDomain(ctx.req);
      if (domain === null || !ids.convertsIdsFor(domain)) return 'continue';
      const sender = localSenderAor(ctx, identity);
      if (sender === null) return 'continue';
      const external = ctx.authenticated !== null ? ids.externalFormOf(sender) : ids.externalFormOfSender(sender);
      return external.then((uri) => {
        if (uri !== null) ctx.presentedAs = uri;
        return 'continue' as const;
      });
    },
  };
}

/**
 * The domain of the party a request is for: within a dialog, To's (the Request-URI is then
 * the remote target, a Contact that may be an address); else the Request-URI's.
 */
function remotePartyDomain(req: SipRequest): string | null {
  const to = req.to;
  return uriDomain(to.params.has('tag') ? to.uri : req.uri);
}
