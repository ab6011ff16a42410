import { type Header, SipResponse, type SipRequest } from './message.js';
import { requestTag } from './ids.js';
import { canonicalName, headerKey } from './header-names.js';
import { reasonPhrase } from './status.js';

const EMPTY = Buffer.alloc(0);

export interface ResponseOptions {
  /** Tag for the To header when the request had none (by default the same for every copy of the request). */
  toTag?: string;
  /** Extra headers, in order. */
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Buffer | string;
  contentType?: string;
}

/**
 * Builds a response to `req`: Via, From, Call-ID and CSeq copied as received, To copied
 * with a tag added for anything but 100, Timestamp echoed on 100.
 * Works on a request that failed to parse (copies the raw lines it has).
 * @see RFC 3261 §8.2.6.2
 */
export function createResponse(req: SipRequest, status: number, reason?: string, options: ResponseOptions = {}): SipResponse {
  const headers: Header[] = [];
  for (const h of req.headers) {
    const key = h.key;
    if (key !== 'via' && key !== 'from' && key !== 'to' && key !== 'call-id' && key !== 'cseq') continue;
    if (key === 'to' && status !== 100 && !hasTag(req, h.value)) {
      headers.push({ name: 'To', key: 'to', value: `${h.value};tag=${options.toTag ?? sameTagForEveryCopy(req)}` });
    } else headers.push(h);
  }
  if (status === 100) {
    // RFC 3261 §8.2.6.1: a Timestamp in the request is copied into the 100.
    const ts = req.header('timestamp');
    if (ts !== undefined) headers.push({ name: 'Timestamp', key: 'timestamp', value: ts });
  }
  const extra = options.headers;
  if (extra !== undefined) {
    for (let i = 0; i < extra.length; i++) {
      const key = headerKey(extra[i][0]);
      headers.push({ name: canonicalName(key), key, value: extra[i][1] });
    }
  }
  const res = new SipResponse(status, reason ?? reasonPhrase(status), headers, EMPTY);
  if (options.body !== undefined) res.setBody(options.body, options.contentType);
  return res;
}

/** Whether To carries a tag parameter; for a To that does not parse, a `;tag=` after its `>`. */
function hasTag(req: SipRequest, toValue: string): boolean {
  try {
    return req.to.params.has('tag');
  } catch {
    return /;\s*tag\s*=/i.test(toValue.slice(toValue.lastIndexOf('>') + 1));
  }
}

/**
 * RFC 3261 §8.2.7: a response sent without a transaction (a refusal, an OPTIONS answer, a 503
 * when the table is full) is sent afresh for each retransmission of the request, and its To
 * tag must come out the same each time. Raw values: the request may be answered because one
 * of them does not parse.
 */
function sameTagForEveryCopy(req: SipRequest): string {
  let callId: string | undefined;
  let from: string | undefined;
  let via: string | undefined;
  let cseq: string | undefined;
  for (const h of req.headers) {
    if (h.key === 'call-id') callId ??= h.value;
    else if (h.key === 'from') from ??= h.value;
    else if (h.key === 'via') via ??= h.value;
    else if (h.key === 'cseq') cseq ??= h.value;
  }
  return requestTag([callId ?? '', from ?? '', via ?? '', cseq ?? '']);
}
