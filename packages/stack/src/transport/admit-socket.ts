import type { Socket } from 'node:net';
import type { TransportContext } from './transport-context.js';
import { debugEnabled } from './transport-logger.js';

/**
 * Counts a newly accepted socket against the per-source connection limit, or destroys it
 * when the source is at the limit. An admitted socket is kept in `sockets` until it
 * closes, so that a listener can destroy what never became a flow.
 */
export function admitSocket(socket: Socket, sockets: Set<Socket>, ctx: TransportContext): boolean {
  const source = socket.remoteAddress;
  socket.on('error', () => undefined);
  if (source === undefined || !ctx.table.admit(source)) {
    if (debugEnabled(ctx.logger)) ctx.logger.debug('transport: connection refused, per-source limit', { source });
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
