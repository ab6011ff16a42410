// RFC 3261 §25.1: a Reason-Phrase holds no control character but HTAB.
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f]/;
const CONTROLS = /[\x00-\x08\x0a-\x1f\x7f]/g;

/** A reason that quotes what a client sent, with its control characters written out (`\r` → `\x0d`). */
function printable(reason: string): string {
  return reason.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
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
    this.reason = CONTROL.test(reason) ? printable(reason) : reason;
    this.code = code;
    this.headers = headers;
  }
}

/** 400 Bad Request whose reason phrase names the problem (RFC 3261 §21.4.1). */
export function badRequest(reason: string, code = 'SIP_ERR_PARSE_MALFORMED'): SipError {
  return new SipError(400, reason, code);
}
