import type { SipRequest, SipResponse } from '@herald/sip';
import { type Flow, type ListenSpec, TransportLayer, type TransportLayerOptions } from '../../src/index.js';
import { Inbox } from '@herald/test-kit';

export interface Received {
  message: SipRequest | SipResponse;
  flow: Flow;
}

export interface RunningLayer {
  layer: TransportLayer;
  received: Inbox<Received>;
  closedFlows: Inbox<Flow>;
  /** The bound port of the first listener of `transport`. */
  port(transport: Flow['transport']): number;
}

/** Starts a transport layer whose messages and closed flows land in inboxes. */
export async function startLayer(listen: ListenSpec[], options: Partial<TransportLayerOptions> = {}): Promise<RunningLayer> {
  const received = new Inbox<Received>();
  const closedFlows = new Inbox<Flow>();
  const layer = new TransportLayer({
    listen,
    onMessage: (message, flow) => received.push({ message, flow }),
    ...options,
  });
  layer.onFlowClosed((flow) => closedFlows.push(flow));
  await layer.start();
  return {
    layer,
    received,
    closedFlows,
    port(transport) {
      const info = layer.listeners.find((l) => l.transport === transport);
      if (!info) throw new Error(`no ${transport} listener`);
      return info.port;
    },
  };
}
