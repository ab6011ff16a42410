import type { Flow } from '../transaction/flow.js';

/** One open connection (TCP, TLS, WebSocket), in either direction. */
export interface Connection {
  readonly flow: Flow;
  /** Resolves when the connection has closed, however it closed. */
  readonly closed: Promise<void>;
  /** Writes one serialised message; rejects with a `TransportError` when it cannot. */
  send(data: Buffer): Promise<void>;
  /** Closes after what was written has been flushed; forced after a short grace period. */
  close(): void;
}
