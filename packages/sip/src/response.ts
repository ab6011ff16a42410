import { type Header, SipResponse, type SipRequest } from './message.js';
import { requestTag } from './ids.js';
import { canonicalName, headerKey } from './header-names.js';
import { reasonPhrase } from './status.js';

const COPIED = new Set(['via', 'from', 'to', 'call-id', 'cseq']);
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
    if (!COPIED.has(h.key)) continue;
    if (h.key === 'to' && status !== 100 && !hasTag(req, h.value)) {
      headers.push({ name: 'To', key: 'to', value: `${h.value};tag=${options.toTag ?? sameTagForEveryCopy(req)}` });
    } else headers.push(h);
  }
  if (status === 100) {
    // RFC 3261 §8.2.6.1: a Timestamp in the request is copied into the 100.
    const ts = req.header('timestamp');
    if (ts !== undefined) headers.push({ name: 'Timestamp', key: 'timestamp', value: ts });
  }
  for (const [name, value] of options.headers ?? []) headers.push({ name: canonicalName(name), key: headerKey(name), value });
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
  return requestTag([req.header('call-id') ?? '', req.header('from') ?? '', req.header('via') ?? '', req.header('cseq') ?? '']);
}
