import { BRANCH_COOKIE, type SipRequest, formatVia } from '@herald/sip';

/** Whether a branch was made by an RFC 3261 element, so that it alone identifies the transaction. @see RFC 3261 §8.1.1.7 */
export function isRfc3261Branch(branch: string | null | undefined): branch is string {
  return typeof branch === 'string' && branch.startsWith(BRANCH_COOKIE);
}

// The server keys are built with join(), which writes one flat string: a key made with `+` is
// a tree of ConsStrings over slices of the header text, and a transaction lingering 32 s in
// Completed would keep the whole parsed header block alive through it.

/**
 * The key a client transaction is found by: the branch of its request's top Via, which
 * Herald wrote itself (the proxy core's Via, or the INVITE's for a CANCEL) and made unique,
 * so that the key keeps no received text alive and a response is matched without building
 * one; a CANCEL shares its INVITE's branch (RFC 3261 §9.1) and so has the method too. The
 * CSeq method is compared with the transaction's as the response is matched.
 * @see RFC 3261 §17.1.3
 */
export function clientTransactionKey(branch: string, method: string): string {
  return method === 'CANCEL' ? [branch, method].join(' ') : branch;
}

/**
 * The key a request is matched on, as if its method were `method` (INVITE for an ACK or,
 * RFC 3261 §9.2, for a CANCEL looking for its INVITE). With the magic cookie: branch, sent-by
 * and method. Without it, the RFC 2543 fields: Request-URI, To tag (`toTag` when given),
 * From tag, Call-ID, CSeq and top Via.
 * @see RFC 3261 §17.2.3
 */
export function serverTransactionKey(request: SipRequest, method: string = request.method, toTag?: string): string {
  const via = request.topVia;
  const branch = via.params.get('branch');
  if (isRfc3261Branch(branch)) {
    return [branch, via.host + ':' + (via.port ?? ''), method].join(' ');
  }
  // Header values never hold a raw line break, so '\n' cannot occur inside a field.
  return [
    '2543',
    request.uriText,
    toTag ?? request.to.params.get('tag') ?? '',
    request.from.params.get('tag') ?? '',
    request.callId,
    request.cseq.seq,
    method,
    formatVia(via),
  ].join('\n');
}
