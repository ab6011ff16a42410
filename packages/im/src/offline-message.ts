import { SipRequest, newCallId } from '@herald/sip';
import type { MessageSender, NewStoredMessage, StoredMessage } from '@herald/store';

/**
 * Headers that belong to one hop, not to the message: not kept. Call-ID and CSeq are: a
 * message delivered again (a crash between the recipient's 2xx and its removal) carries
 * them unchanged, so that the recipient recognises the repeat.
 */
const NOT_KEPT = new Set([
  'via',
  'route',
  'record-route',
  'max-forwards',
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
 * What is kept of a MESSAGE for later: its headers but the per-hop ones (its Call-ID and
 * CSeq included), a Date (the time it was sent, added when the sender gave none), its
 * Content-Type and body unchanged, and who sent it.
 * @see RFC 3428 §7, RFC 3261 §20.17
 */
export function offlineRecord(req: SipRequest, recipient: string, sender: MessageSender, now: number, storeForMs: number): NewStoredMessage {
  const headers: Array<[string, string]> = [];
  for (const h of req.headers) if (!NOT_KEPT.has(h.key)) headers.push([h.name, h.value]);
  if (!req.hasHeader('date')) headers.push(['Date', new Date(now).toUTCString()]);
  return { recipient, headers, contentType: req.header('content-type') ?? null, body: req.body, storedAt: now, expiresAt: now + storeForMs, sender };
}

/**
 * The MESSAGE that delivers a stored one: its From, To, Date, Call-ID and CSeq as they were,
 * so that every delivery of it is the same request to the recipient (RFC 3261 §8.2.2.2); a
 * message stored without them gets a new Call-ID. No Via: the proxy core adds its own.
 */
export function deliveryRequest(message: StoredMessage, host: string): SipRequest {
  const request = new SipRequest('MESSAGE', message.recipient, [], message.body);
  for (const [name, value] of message.headers) request.addHeader(name, value);
  if (!request.hasHeader('call-id')) request.addHeader('Call-ID', newCallId(host));
  if (!request.hasHeader('cseq')) request.addHeader('CSeq', '1 MESSAGE');
  request.addHeader('Max-Forwards', '70');
  if (message.contentType !== null) request.addHeader('Content-Type', message.contentType);
  return request;
}
