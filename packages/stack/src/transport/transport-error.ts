/**
 * A message could not be sent (no such flow, connect failure or timeout, a write that
 * failed, a transport that is not configured). The transaction layer treats it as the
 * transport error of RFC 3261 §17.1.4 / §17.2.4.
 */
export class TransportError extends Error {
  constructor(
    message: string,
    /** Stable code: `SIP_ERR_TRANSPORT_<WHAT>`. */
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TransportError';
  }
}
