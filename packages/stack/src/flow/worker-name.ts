import { hostname } from 'node:os';
import { randomHex } from '@herald/sip';

/**
 * The Via parameter naming the worker that sent a request, so that a response arriving at
 * another worker (a shared UDP socket, another node) is handed back to it.
 */
export const OWNER_VIA_PARAM = 'herald';

/**
 * A name for this worker, unique across nodes and restarts: host, pid and a random part (a
 * pid is reused after a restart), in characters a Via parameter and a flow token take as
 * they are. It is the `owner` of every flow the worker's transport layer opens or accepts.
 */
export function workerName(): string {
  return `${hostname().replace(/[^A-Za-z0-9.-]/g, '-')}~${process.pid}~${randomHex(2)}`;
}
