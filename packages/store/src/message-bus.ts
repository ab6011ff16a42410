/**
 * Messages between workers and nodes, addressed by channel (a worker's name). Nothing is
 * kept: a message for a channel nobody listens on is lost, and `publish` says so.
 */
export interface MessageBus {
  /** Delivers `payload` to the subscribers of `channel`; resolves with how many got it. */
  publish(channel: string, payload: Buffer): Promise<number>;
  /** Calls `handler` with every payload published to `channel` until the returned function is called. */
  subscribe(channel: string, handler: (payload: Buffer) => void): Promise<() => Promise<void>>;
}
