import type net from 'node:net';
import type { Listener, ListenerInfo } from './listener.js';

/** A listener over a `net.Server` (TCP, TLS, HTTP for WebSocket) and the sockets it accepted. */
export class ServerListener implements Listener {
  private stopped: Promise<void> | null = null;

  protected constructor(
    private readonly server: net.Server,
    readonly info: ListenerInfo,
    /** Accepted sockets still open, flows or not (a handshake in progress is not yet a flow). */
    private readonly sockets: Set<net.Socket>,
  ) {}

  stopAccepting(): void {
    this.stopped ??= new Promise((resolve) => this.server.close(() => resolve()));
  }

  close(): Promise<void> {
    this.stopAccepting();
    for (const socket of this.sockets) socket.destroy();
    return this.stopped as Promise<void>;
  }
}
