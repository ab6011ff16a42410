// RFC 3261 §25.1: a Reason-Phrase holds no control character but HTAB.
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09) || c === 0x7f;
}

/** A reason that quotes what a client sent, with its control characters written out (`\r` → `\x0d`). */
function printable(reason: string): string {
  let i = 0;
  while (i < reason.length && !isControl(reason.charCodeAt(i))) i++;
  if (i === reason.length) return reason;
  let out = reason.slice(0, i);
  for (; i < reason.length; i++) {
    const c = reason.charCodeAt(i);
    out += isControl(c) ? `\\x${c.toString(16).padStart(2, '0')}` : reason[i];
  }
  return out;
}

/**
 * A protocol error: carries the SIP status and reason phrase of the response it should
 * become, extra headers for that response, and a stable code for logs and tests.
 * Turned into a response in one place (the server's error boundary).
 *
 * It is the normal answer to many requests (every digest challenge is one), not a bug,
 * so it captures no stack trace: that would cost more than the rest of building it.
 */
export class SipError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly code: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;

  constructor(status: number, reason: string, code: string, headers: ReadonlyArray<readonly [string, string]> = []) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(`${status} ${reason}`);
    Error.stackTraceLimit = limit;
    this.name = 'SipError';
    this.status = status;
    this.reason = printable(reason);
    this.code = code;
    this.headers = headers;
  }
}

/** 400 Bad Request whose reason phrase names the problem (RFC 3261 §21.4.1). */
export function badRequest(reason: string, code = 'SIP_ERR_PARSE_MALFORMED'): SipError {
  return new SipError(400, reason, code);
}
