import type { Socket } from 'node:net';
import type { TransportContext } from './transport-context.js';
import { socketAddress } from './socket-address.js';

/**
 * Counts a newly accepted socket against the connection limits (all sources, and its own),
 * or destroys it when one is reached or its source is refused. An admitted socket is kept in `sockets` until it
 * closes, so that a listener can destroy what never became a flow.
 */
export function admitSocket(socket: Socket, sockets: Set<Socket>, ctx: TransportContext): boolean {
  const source = socket.remoteAddress;
  socket.on('error', () => undefined);
  if (source === undefined) {
    socket.destroy();
    return false;
  }
  const refused = ctx.refusesSource(socketAddress(source)) ? 'refusedSource' : ctx.table.admit(source);
  if (refused !== null) {
    ctx.limitHit(refused, source);
    socket.destroy();
    return false;
  }
  sockets.add(socket);
  socket.once('close', () => {
    sockets.delete(socket);
    ctx.table.release(source);
  });
  return true;
}
