/**
 * A protocol error: carries the SIP status and reason phrase of the response it should
 * become, extra headers for that response, and a stable code for logs and tests.
 * Turned into a response in one place (the server's error boundary).
 */
export class SipError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly code: string,
    readonly headers: ReadonlyArray<readonly [string, string]> = [],
  ) {
    super(`${status} ${reason}`);
    this.name = 'SipError';
  }
}

/** 400 Bad Request whose reason phrase names the problem (RFC 3261 §21.4.1). */
export function badRequest(reason: string, code = 'SIP_ERR_PARSE_MALFORMED'): SipError {
  return new SipError(400, reason, code);
}
