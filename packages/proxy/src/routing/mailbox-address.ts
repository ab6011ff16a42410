import { type MailboxUri, formatUri } from '@herald/sip';

/**
 * The SIP URI of the principal an `im:` or `pres:` URI names: the same user and domain
 * (`im:alice@example.com` → `sip:alice@example.com`), without URI headers, which a
 * Request-URI may not carry.
 * @see RFC 3861 §3, RFC 3261 §19.1.5
 */
export function sipAddressOfMailbox(uri: MailboxUri): string {
  return formatUri({ scheme: 'sip', user: uri.user, password: null, host: uri.host, port: null, params: new Map(), headers: [] });
}
