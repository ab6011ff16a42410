import { type SipRequest, type SipResponse, type SipUri, formatNameAddr, isSipUri, parseNameAddr } from '@herald/sip';

/**
 * The forwarded copy of a request to a `convertIds` community names the sender by its
 * external form: From's URI (display name, tag and other parameters kept) and every SIP
 * URI of P-Asserted-Identity, which Herald asserts about the sender alone (a `tel:` one
 * stays). The request the sender sent is left as it is.
 * DEVIATION(RFC 3261 §16.6): a proxy must not change From, which is end to end
 * (§8.1.1.3); a gateway community (IBM Sametime's ID conversion) knows Herald's users only
 * by their external form. The sender gets its own From back (`restoreFrom`), and every
 * request Herald builds from the copy (CANCEL, the ACK of a non-2xx) carries the copy's.
 * @see RFC 3325 §9.1 (P-Asserted-Identity)
 */
export function presentAs(copy: SipRequest, external: SipUri): void {
  copy.setHeader('From', formatNameAddr({ ...copy.from, uri: external }));
  const asserted = copy.headerValues('p-asserted-identity');
  if (asserted.length === 0) return;
  copy.removeHeader('p-asserted-identity');
  for (const value of asserted) copy.addHeader('P-Asserted-Identity', assertedAs(value, external));
}

/**
 * A response to a copy sent with another From, on its way upstream: the From of the
 * request the sender sent, as it wrote it, so that it matches its transaction and dialog.
 * @see RFC 3261 §8.2.6.2 (From copied from the request), §16.7 step 9
 */
export function restoreFrom(response: SipResponse, request: SipRequest): void {
  const from = request.header('from');
  if (from !== undefined) response.setHeader('From', from);
}

function assertedAs(value: string, external: SipUri): string {
  try {
    const identity = parseNameAddr(value);
    return isSipUri(identity.uri) ? formatNameAddr({ ...identity, uri: external }) : value;
  } catch {
    return value;
  }
}
