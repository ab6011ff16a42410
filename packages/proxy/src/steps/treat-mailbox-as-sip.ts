import type { MailboxUri } from '@herald/sip';
import { sipAddressOfMailbox } from '../routing/mailbox-address.js';
import type { RequestProcessor } from '../tu/request-processor.js';

/**
 * An `im:` or `pres:` Request-URI of a served domain names the same user as
 * `sip:user@domain`, and Herald is the server RFC 3861 resolution would find for it: the
 * Request-URI becomes that SIP URI, so the request reaches the IM relay (with
 * store-and-forward), the presence agent or the location service exactly as a `sip:` one does,
 * and a contact it is forwarded to sees a SIP Request-URI.
 * @see RFC 3861 §3, RFC 3428 §5, RFC 3856 §4.1
 */
export function treatMailboxAsSip(): RequestProcessor {
  return {
    name: 'treat-mailbox-as-sip',
    process(ctx) {
      ctx.req.setUri(sipAddressOfMailbox(ctx.req.uri as MailboxUri));
      return 'continue';
    },
  };
}
