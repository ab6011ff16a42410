import tls from 'node:tls';
import { Inbox, StreamClient } from '@herald/test-kit';

/** A connection Herald opened to one of the servers, and the name of that server. */
export interface AcceptedConnection {
  client: StreamClient;
  socket: tls.TLSSocket;
  server: string;
}

/**
 * Other domains' TLS servers on loopback addresses, each with its own certificate, asking
 * Herald for its client certificate (checked against `ca`, never refused): every connection
 * Herald opens arrives in `accepted`.
 */
export class PeerTlsServers {
  readonly accepted = new Inbox<AcceptedConnection>();
  private readonly servers: tls.Server[] = [];

  constructor(private readonly ca: string) {}

  /** A server named `name` on `host` (`port` 0: a free one); resolves with its port. */
  async listen(name: string, host: string, identity: { cert: string; key: string }, port = 0): Promise<number> {
    const server = tls.createServer({ ...identity, ca: [this.ca], requestCert: true, rejectUnauthorized: false }, (socket) => this.accepted.push({ client: StreamClient.wrap(socket), socket, server: name }));
    this.servers.push(server);
    await new Promise<void>((resolve) => server.listen(port, host, resolve));
    return (server.address() as { port: number }).port;
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}
