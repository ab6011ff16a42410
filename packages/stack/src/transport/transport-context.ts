import type { Flow } from '../flow/flow.js';
import type { ConnectionTable } from './connection-table.js';
import type { LimitName, TransportLimits } from './transport-limits.js';
import type { TransportLogger } from './transport-logger.js';

/** What a transport needs from the layer: the glue between sockets and messages. */
export interface TransportContext {
  readonly limits: TransportLimits;
  readonly table: ConnectionTable;
  readonly logger: TransportLogger;
  /** This worker: the owner of every flow the layer opens or accepts. */
  readonly owner: string;
  /** Hands over the bytes of one received message; never throws. */
  deliver(data: Buffer, flow: Flow): void;
  /** A limit refused a connection or closed one; `source` is the remote address. */
  limitHit(limit: LimitName, source: string): void;
  /** A new, unique flow id for a connection. */
  nextFlowId(transport: Flow['transport']): string;
  /** A source to refuse at accept (`TransportLayerOptions.refuseSource`). */
  refusesSource(address: string): boolean;
}
