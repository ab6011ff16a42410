import type { AddressInfo, Server } from 'node:net';
import type { ListenerInfo, ListenSpec } from './listener.js';

/** Binds a server (net, tls, http, https) to a spec; resolves with the bound address. */
export function listenOn(server: Server, spec: ListenSpec): Promise<ListenerInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: spec.host, port: spec.port }, () => {
      server.off('error', reject);
      const { address, port } = server.address() as AddressInfo;
      resolve({ transport: spec.transport, address, port, ...(spec.path !== undefined && { path: spec.path }) });
    });
  });
}
