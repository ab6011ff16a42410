import { SipRequest, newCallId } from '@herald/sip';
import type { NewStoredMessage, StoredMessage } from '@herald/store';

/** Headers that belong to one hop or one transaction, not to the message: not kept. */
const NOT_KEPT = new Set([
  'via',
  'route',
  'record-route',
  'max-forwards',
  'call-id',
  'cseq',
  'contact',
  'content-length',
  'content-type',
  'authorization',
  'proxy-authorization',
  'proxy-require',
]);

/** Indications that only matter now. @see RFC 3994 §3: isComposing is never stored */
const NOT_STORED = new Set(['application/im-iscomposing+xml']);

/** Whether a MESSAGE is worth keeping for a recipient who is away. */
export function isStorable(req: SipRequest): boolean {
  const type = req.contentType;
  return type === undefined || !NOT_STORED.has(`${type.type}/${type.subtype}`.toLowerCase());
}

/**
 * What is kept of a MESSAGE for later: its headers but the per-hop ones, a Date (the
 * time it was sent, added when the sender gave none), its Content-Type and body unchanged.
 * @see RFC 3428 §7, RFC 3261 §20.17
 */
export function offlineRecord(req: SipRequest, recipient: string, now: number, storeForMs: number): NewStoredMessage {
  const headers: Array<[string, string]> = [];
  for (const h of req.headers) if (!NOT_KEPT.has(h.key)) headers.push([h.name, h.value]);
  if (!req.hasHeader('date')) headers.push(['Date', new Date(now).toUTCString()]);
  return { recipient, headers, contentType: req.header('content-type') ?? null, body: req.body, storedAt: now, expiresAt: now + storeForMs };
}

/** The MESSAGE that delivers a stored one: its From, To and Date as they were, a new Call-ID. No Via: the proxy core adds its own. */
export function deliveryRequest(message: StoredMessage, host: string): SipRequest {
  const request = new SipRequest('MESSAGE', message.recipient, [], message.body);
  for (const [name, value] of message.headers) request.addHeader(name, value);
  request.addHeader('Call-ID', newCallId(host)).addHeader('CSeq', '1 MESSAGE').addHeader('Max-Forwards', '70');
  if (message.contentType !== null) request.addHeader('Content-Type', message.contentType);
  return request;
}
