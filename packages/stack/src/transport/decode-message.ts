import {
  SipError,
  SipParseError,
  type SipRequest,
  type SipResponse,
  createResponse,
  headerBlockEnd,
  parseMessage,
} from '@herald/sip';
import type { Flow } from '../flow/flow.js';
import { stampVia } from './stamp-via.js';
import type { TransportLimits } from './transport-limits.js';

/** What to do with the bytes of one received message. */
export type Decoded =
  /** A message for the transaction layer; a request has its top Via stamped. */
  | { kind: 'message'; message: SipRequest | SipResponse }
  /** A request that cannot be processed: send `response` back on the flow it came in on. */
  | { kind: 'reply'; response: SipResponse }
  /** Nothing to do; `reason` is null for a keep-alive, which is not worth a log line. */
  | { kind: 'drop'; reason: string | null };

/**
 * Turns one received message (a datagram, a framed stream message or a WebSocket message)
 * into a message, an error response or nothing. Never throws for bad input.
 * @see RFC 3261 §18.2.1, §18.3, RFC 3581 §4
 */
export function decodeMessage(data: Buffer, flow: Flow, datagram: boolean, limits: TransportLimits): Decoded {
  if (isKeepAlive(data)) return { kind: 'drop', reason: null };
  if (tooLarge(data, limits)) return tooLargeReply(data, datagram);

  let message: SipRequest | SipResponse;
  try {
    message = parseMessage(data, { datagram });
  } catch (err) {
    if (!(err instanceof SipParseError)) throw err;
    const partial = err.partial;
    if (!partial || !answerable(partial)) return { kind: 'drop', reason: `unparseable message: ${err.reason}` };
    return { kind: 'reply', response: createResponse(partial, err.status, err.reason) };
  }
  try {
    if (message.isRequest()) stampVia(message, { address: flow.remoteAddress, port: flow.remotePort });
    else void message.topVia;
  } catch (err) {
    // The reply goes back on the flow, so a request whose Via is malformed can still be told why.
    if (message.isRequest() && err instanceof SipError && answerable(message)) {
      return { kind: 'reply', response: createResponse(message, err.status, err.reason) };
    }
    return { kind: 'drop', reason: 'message without a usable Via' };
  }
  return { kind: 'message', message };
}

/**
 * Only CR and LF: the CRLF keep-alive of a UDP client, or a stray one on a stream.
 * @see RFC 5626 §4.4.1
 */
function isKeepAlive(data: Buffer): boolean {
  for (let i = 0; i < data.length; i++) if (data[i] !== 0x0d && data[i] !== 0x0a) return false;
  return true;
}

function tooLarge(data: Buffer, limits: TransportLimits): boolean {
  if (data.length > limits.maxMessageSize) return true;
  if (data.length <= limits.maxHeaderSize && data.length <= limits.maxBodySize) return false;
  const block = headerBlockEnd(data);
  const headerSize = block ? block.bodyStart : data.length;
  return headerSize > limits.maxHeaderSize || data.length - headerSize > limits.maxBodySize;
}

// RFC 3261 §21.5.14: 513 Message Too Large, when the request can still be read.
function tooLargeReply(data: Buffer, datagram: boolean): Decoded {
  let message: SipRequest | SipResponse;
  try {
    message = parseMessage(data, { datagram });
  } catch {
    return { kind: 'drop', reason: 'message larger than the limit' };
  }
  if (!message.isRequest() || !answerable(message)) return { kind: 'drop', reason: 'message larger than the limit' };
  return { kind: 'reply', response: createResponse(message, 513, 'Message Too Large') };
}

/**
 * A bad request is answered on the flow it came in on, so it needs only a Via to copy,
 * well formed or not; an ACK is never answered (RFC 3261 §17.1.1.3).
 */
function answerable(req: SipRequest): boolean {
  return req.method !== 'ACK' && req.hasHeader('via');
}
