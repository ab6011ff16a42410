import { randomBytes } from 'node:crypto';

export interface RequestText {
  method?: string;
  uri?: string;
  /** Via transport token, e.g. UDP, TCP, TLS, WS, WSS. */
  transport?: string;
  /** sent-by host and port of the Via. */
  sentBy?: string;
  /** Adds an empty `rport` to the Via (RFC 3581). */
  rport?: boolean;
  branch?: string;
  callId?: string;
  cseq?: number;
  /** The From header's value (default `<sip:alice@herald.test>;tag=a1`). */
  from?: string;
  /** The To header's value (default `<sip:bob@herald.test>`). */
  to?: string;
  headers?: string[];
  body?: string;
  /** Leave out the Content-Length header. */
  noContentLength?: boolean;
}

/** A unique RFC 3261 branch. */
export function branch(): string {
  return 'z9hG4bK' + randomBytes(6).toString('hex');
}

/** The text of a small, valid SIP request. */
export function requestText(options: RequestText = {}): string {
  const method = options.method ?? 'OPTIONS';
  const body = options.body ?? '';
  const via = `SIP/2.0/${options.transport ?? 'UDP'} ${options.sentBy ?? 'client.invalid'}${options.rport ? ';rport' : ''};branch=${options.branch ?? branch()}`;
  const lines = [
    `${method} ${options.uri ?? 'sip:herald.test'} SIP/2.0`,
    `Via: ${via}`,
    'Max-Forwards: 70',
    `From: ${options.from ?? '<sip:alice@herald.test>;tag=a1'}`,
    `To: ${options.to ?? '<sip:bob@herald.test>'}`,
    `Call-ID: ${options.callId ?? randomBytes(8).toString('hex')}`,
    `CSeq: ${options.cseq ?? 1} ${method}`,
    ...(options.headers ?? []),
  ];
  if (!options.noContentLength) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return lines.join('\r\n') + '\r\n\r\n' + body;
}

/** The text of a response to a request written by `requestText` (Via etc. copied by the caller). */
export function responseText(status: number, reason: string, headers: string[]): string {
  return [`SIP/2.0 ${status} ${reason}`, ...headers, 'Content-Length: 0'].join('\r\n') + '\r\n\r\n';
}
