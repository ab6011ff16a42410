import { type Header, SipRequest } from '@herald/sip';

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'route', 'max-forwards']);
const EMPTY = Buffer.alloc(0);

/**
 * The CANCEL for a request Herald sent: the same Request-URI, Call-ID, To, From, Route and
 * top Via (only that one), CSeq number with the method CANCEL.
 * @see RFC 3261 §9.1
 */
export function createCancel(request: SipRequest): SipRequest {
  const headers: Header[] = [];
  let via = false;
  for (const h of request.headers) {
    if (!COPIED.has(h.key)) continue;
    if (h.key === 'via') {
      if (via) continue;
      via = true;
      headers.push({ name: h.name, key: h.key, value: request.headerValues('via')[0] });
      continue;
    }
    headers.push(h);
  }
  headers.push({ name: 'CSeq', key: 'cseq', value: `${request.cseq.seq} CANCEL` });
  return new SipRequest('CANCEL', request.uriText, headers, EMPTY);
}

