import { type SipRequest, createResponse, parseMessage } from '@herald/sip';
import { StreamClient, UdpClient, requestText } from '@herald/test-kit';
import type { TransportLogger } from '../src/index.js';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';

/** Collects warnings; everything else is dropped. */
function warnings(): TransportLogger & { lines: { message: string; meta?: Record<string, unknown> }[] } {
  const lines: { message: string; meta?: Record<string, unknown> }[] = [];
  return {
    lines,
    debug: () => undefined,
    info: () => undefined,
    warn: (message, meta) => lines.push({ message, meta }),
    error: () => undefined,
    isDebugEnabled: () => false,
  };
}

function request(callId: string): SipRequest {
  return parseMessage(Buffer.from(requestText({ callId })), { datagram: true }) as SipRequest;
}

function sendError(): { errors: Error[]; onError: (error: Error) => void } {
  const errors: Error[] = [];
  return { errors, onError: (error) => errors.push(error) };
}

describe('RFC 3261 §18.2.2 the transport as the transaction layer uses it', () => {
  describe('UDP', () => {
    let run: RunningLayer;
    let client: UdpClient;

    beforeEach(async () => {
      run = await startLayer([{ transport: 'udp', host: '127.0.0.1', port: 0 }]);
      client = await UdpClient.bind();
    });

    afterEach(async () => {
      await client.close();
      await run.layer.stop();
    });

    it('routes responses to received/rport (RFC 3581 §4) and sends bytes there from the socket of the flow', async () => {
      await client.send(requestText({ sentBy: 'client.invalid:5999', rport: true, callId: 'rport-1' }), run.port('udp'));
      const { message, flow } = await run.received.next();
      const destination = run.layer.responseDestination(message, flow);
      expect(destination).toEqual({ transport: 'udp', address: '127.0.0.1', port: client.port, flowId: flow.id });
      const { errors, onError } = sendError();
      run.layer.transmit(createResponse(message as SipRequest, 200).toBuffer(), destination, onError);
      expect(await client.nextMessage()).toMatchObject({ status: 200, callId: 'rport-1' });
      expect(errors).toEqual([]);
    });

    it('routes a response without rport to the sent-by port (RFC 3261 §18.2.2)', async () => {
      await client.send(requestText({ sentBy: '127.0.0.1:5999' }), run.port('udp'));
      const { message, flow } = await run.received.next();
      expect(run.layer.responseDestination(message, flow)).toMatchObject({ address: '127.0.0.1', port: 5999 });
    });

    it('sends datagrams in the order they are handed over, whether through send or transmit', async () => {
      const destination = { transport: 'udp' as const, address: '127.0.0.1', port: client.port };
      const first = run.layer.send(request('first'), destination);
      run.layer.transmit(request('second').toBuffer(), destination, () => undefined);
      await first;
      expect((await client.nextMessage()).callId).toBe('first');
      expect((await client.nextMessage()).callId).toBe('second');
    });

    it('reports a send that cannot happen to onError instead of throwing', async () => {
      const { errors, onError } = sendError();
      run.layer.transmit(Buffer.from('x'), { transport: 'udp', address: '127.0.0.1', port: 0 }, onError);
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['SIP_ERR_TRANSPORT_SEND']);
      await run.layer.stop();
      run.layer.transmit(Buffer.from('x'), { transport: 'udp', address: '127.0.0.1', port: client.port }, onError);
      expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['SIP_ERR_TRANSPORT_SEND', 'SIP_ERR_TRANSPORT_STATE']);
    });
  });

  it('falls back to the flow of an open connection when the Via names nowhere', async () => {
    const run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
    const client = await StreamClient.connect('tcp', run.port('tcp'));
    try {
      await client.write(requestText({ transport: 'TCP', sentBy: 'client.invalid', callId: 'tcp-1' }));
      const { message, flow } = await run.received.next();
      // An SCTP Via is one Herald cannot send to; the open connection is still there.
      message.replaceFirstValue('via', 'SIP/2.0/SCTP client.invalid;branch=z9hG4bKsctp');
      const destination = run.layer.responseDestination(message, flow);
      expect(destination).toMatchObject({ transport: 'tcp', flowId: flow.id });
      run.layer.transmit(createResponse(message as SipRequest, 200).toBuffer(), destination, () => undefined);
      expect(await client.nextMessage()).toMatchObject({ status: 200, callId: 'tcp-1' });
    } finally {
      client.destroy();
      await run.layer.stop();
    }
  });

  it('warns when the kernel grants smaller UDP socket buffers than configured', async () => {
    const logger = warnings();
    const run = await startLayer([{ transport: 'udp', host: '127.0.0.1', port: 0 }], { logger, udpBuffers: { receive: 2 ** 30 } });
    try {
      expect(logger.lines.map((l) => l.message)).toEqual([expect.stringContaining('UDP socket buffers smaller than configured')]);
    } finally {
      await run.layer.stop();
    }
  });
});
