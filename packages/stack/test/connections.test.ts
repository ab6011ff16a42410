import net from 'node:net';
import tls from 'node:tls';
import { type SipRequest, createResponse, parseMessage } from '@herald/sip';
import { TransportError, TransportLayer } from '../src/index.js';
import { createTestCertificate, Inbox, requestText, StreamClient, type TestCertificate, WsClient } from '@herald/test-kit';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';

let certificate: TestCertificate;

beforeAll(async () => {
  certificate = await createTestCertificate();
});

/** A TCP or TLS server for the layer to connect to: its accepted connections land in an inbox. */
async function peerServer(transport: 'tcp' | 'tls'): Promise<{ port: number; accepted: Inbox<StreamClient>; close(): Promise<void> }> {
  const accepted = new Inbox<StreamClient>();
  const sockets = new Set<net.Socket>();
  const onSocket = (socket: net.Socket) => {
    sockets.add(socket);
    accepted.push(StreamClient.wrap(socket));
  };
  const server = transport === 'tls' ? tls.createServer(certificate, onSocket) : net.createServer(onSocket);
  // A TLS connection whose handshake the client gave up on is never accepted: closed with the rest.
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    accepted,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function request(callId: string, transport = 'TCP'): SipRequest {
  return parseMessage(Buffer.from(requestText({ transport, sentBy: 'herald.invalid', callId }))) as SipRequest;
}

describe('connection table', () => {
  let run: RunningLayer | undefined;

  afterEach(async () => {
    await run?.layer.stop();
    run = undefined;
  });

  describe('normal path', () => {
    it.each(['tcp', 'tls'] as const)('reuses one %s connection for requests to the same target (RFC 3261 §18.1.1)', async (transport) => {
      run = await startLayer([{ transport, host: '127.0.0.1', port: 0 }], { tls: { ...certificate, ca: certificate.cert } });
      const peer = await peerServer(transport);
      try {
        const target = { transport, address: '127.0.0.1', port: peer.port };
        const [a, b] = await Promise.all([run.layer.send(request('r1'), target), run.layer.send(request('r2'), target)]);
        const c = await run.layer.send(request('r3'), target);
        expect(a.id).toBe(b.id);
        expect(c.id).toBe(a.id);
        expect(a).toMatchObject({ transport, remoteAddress: '127.0.0.1', remotePort: peer.port });
        const connection = await peer.accepted.next();
        const callIds = [(await connection.nextMessage()).callId, (await connection.nextMessage()).callId, (await connection.nextMessage()).callId];
        expect(callIds.sort()).toEqual(['r1', 'r2', 'r3']);
        expect(peer.accepted.length).toBe(0);

        // A request from the peer on that connection comes in on the same flow.
        await connection.write(requestText({ transport: transport.toUpperCase(), callId: 'from-peer' }));
        const got = await run.received.next();
        expect(got.message.callId).toBe('from-peer');
        expect(got.flow.id).toBe(a.id);
      } finally {
        await peer.close();
      }
    });

    it('sends a request over the connection a client opened to us (RFC 3261 §18.1.1)', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
      const client = await StreamClient.connect('tcp', run.port('tcp'));
      await client.write(requestText({ transport: 'TCP', method: 'REGISTER' }));
      const { flow } = await run.received.next();
      const sent = await run.layer.send(request('to-client'), { transport: 'tcp', address: '127.0.0.1', port: client.localPort });
      expect(sent.id).toBe(flow.id);
      expect((await client.nextMessage()).callId).toBe('to-client');
      client.destroy();
    });

    it('opens a new connection to the sent-by port for a response whose connection is gone (RFC 3261 §18.2.2)', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
      const peer = await peerServer('tcp');
      try {
        const client = await StreamClient.connect('tcp', run.port('tcp'));
        await client.write(requestText({ transport: 'TCP', sentBy: `127.0.0.1:${peer.port}`, callId: 'orphan' }));
        const { message, flow } = await run.received.next();
        client.destroy();
        expect((await run.closedFlows.next()).id).toBe(flow.id);
        const sent = await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), flow);
        expect(sent).toMatchObject({ transport: 'tcp', remotePort: peer.port });
        expect(sent.id).not.toBe(flow.id);
        const connection = await peer.accepted.next();
        expect(await connection.nextMessage()).toMatchObject({ status: 200, callId: 'orphan' });
      } finally {
        await peer.close();
      }
    });

    it('sends a response addressed as a Destination with the flow id on that connection while it is open', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
      const client = await StreamClient.connect('tcp', run.port('tcp'));
      await client.write(requestText({ transport: 'TCP', sentBy: '127.0.0.1:9', callId: 'by-id' }));
      const { message, flow } = await run.received.next();
      const destination = { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id };
      expect((await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), destination)).id).toBe(flow.id);
      expect(await client.nextMessage()).toMatchObject({ status: 200, callId: 'by-id' });
      client.destroy();
    });

    it('closes connections on stop and reports their flows closed', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
      const client = await StreamClient.connect('tcp', run.port('tcp'));
      await client.write(requestText({ transport: 'TCP' }));
      const { flow } = await run.received.next();
      await run.layer.stop();
      await client.closed;
      expect((await run.closedFlows.next()).id).toBe(flow.id);
      await expect(run.layer.send(request('late'), flow)).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_STATE' });
    });
  });

  describe('failure path', () => {
    it('refuses TCP connections from a source beyond maxConnectionsPerSource', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }], { limits: { maxConnectionsPerSource: 2 } });
      const port = run.port('tcp');
      const first = await StreamClient.connect('tcp', port);
      const second = await StreamClient.connect('tcp', port);
      await first.write(requestText({ transport: 'TCP', callId: '1' }));
      await second.write(requestText({ transport: 'TCP', callId: '2' }));
      await run.received.next();
      await run.received.next();
      const third = await StreamClient.connect('tcp', port);
      await third.closed;

      first.destroy();
      await run.closedFlows.next();
      const fourth = await StreamClient.connect('tcp', port);
      await fourth.write(requestText({ transport: 'TCP', callId: '4' }));
      expect((await run.received.next()).message.callId).toBe('4');
      second.destroy();
      fourth.destroy();
    });

    it('counts WebSocket connections against the same per-source limit', async () => {
      run = await startLayer(
        [
          { transport: 'tcp', host: '127.0.0.1', port: 0 },
          { transport: 'ws', host: '127.0.0.1', port: 0 },
        ],
        { limits: { maxConnectionsPerSource: 1 } },
      );
      const client = await StreamClient.connect('tcp', run.port('tcp'));
      await client.write(requestText({ transport: 'TCP' }));
      await run.received.next();
      await expect(WsClient.connect(`ws://127.0.0.1:${run.port('ws')}`)).rejects.toThrow();
      client.destroy();
    });

    it.each(['tcp', 'ws'] as const)('closes an idle %s connection after idleTimeoutMs and reports its flow closed', async (transport) => {
      run = await startLayer([{ transport, host: '127.0.0.1', port: 0 }], { limits: { idleTimeoutMs: 200 } });
      const client = transport === 'tcp' ? await StreamClient.connect('tcp', run.port('tcp')) : await WsClient.connect(`ws://127.0.0.1:${run.port('ws')}`);
      if (client instanceof StreamClient) await client.write(requestText({ transport: 'TCP' }));
      else await client.send(requestText({ transport: 'WS' }));
      const { flow } = await run.received.next();
      await client.closed;
      expect((await run.closedFlows.next()).id).toBe(flow.id);
      expect(run.layer.flow(flow.id)).toBeUndefined();
    });

    it('rejects with a TransportError when a connection cannot be opened', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as net.AddressInfo).port;
      await new Promise((resolve) => closed.close(resolve));
      const sending = run.layer.send(request('nowhere'), { transport: 'tcp', address: '127.0.0.1', port });
      await expect(sending).rejects.toBeInstanceOf(TransportError);
      await expect(sending).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CONNECT' });
    });

    it('rejects a TLS connection to a server whose certificate does not verify', async () => {
      run = await startLayer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: certificate });
      const peer = await peerServer('tls');
      try {
        const sending = run.layer.send(request('untrusted', 'TLS'), { transport: 'tls', address: '127.0.0.1', port: peer.port });
        await expect(sending).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CONNECT' });
      } finally {
        await peer.close();
      }
    });

    it('checks a TLS server found by DNS against the name it was found for, not its address (RFC 5922 §4)', async () => {
      run = await startLayer([{ transport: 'tls', host: '127.0.0.1', port: 0 }], { tls: { ...certificate, ca: certificate.cert } });
      const peer = await peerServer('tls');
      try {
        // The certificate names localhost (and 127.0.0.1), not peer.test.
        const flow = await run.layer.send(request('its-name', 'TLS'), { transport: 'tls', address: '127.0.0.1', port: peer.port, serverName: 'localhost' });
        expect(flow).toMatchObject({ transport: 'tls', remotePort: peer.port });
        // The connection open to the same address and port was checked for localhost only: peer.test needs its own, which fails.
        const wrongName = run.layer.send(request('other-name', 'TLS'), { transport: 'tls', address: '127.0.0.1', port: peer.port, serverName: 'peer.test' });
        await expect(wrongName).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_CONNECT' });
        expect(await run.layer.send(request('its-name-again', 'TLS'), { transport: 'tls', address: '127.0.0.1', port: peer.port, serverName: 'LocalHost' })).toEqual(flow);
      } finally {
        await peer.close();
      }
    });

    it('rejects a request to a closed flow', async () => {
      run = await startLayer([{ transport: 'tcp', host: '127.0.0.1', port: 0 }]);
      const client = await StreamClient.connect('tcp', run.port('tcp'));
      await client.write(requestText({ transport: 'TCP' }));
      const { flow } = await run.received.next();
      client.destroy();
      await run.closedFlows.next();
      await expect(run.layer.send(request('gone'), flow)).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_FLOW_CLOSED' });
    });

    it('validates its options at construction', () => {
      const onMessage = () => undefined;
      expect(() => new TransportLayer({ listen: [{ transport: 'tls', host: '127.0.0.1', port: 0 }], onMessage })).toThrow(
        expect.objectContaining({ code: 'SIP_ERR_TRANSPORT_CONFIG' }),
      );
      expect(() => new TransportLayer({ listen: [], limits: { maxMessageSize: -1 }, onMessage })).toThrow(TransportError);
      expect(() => new TransportLayer({ listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0, path: '/x' }], onMessage })).toThrow(TransportError);
    });

    it('rejects start when a port is taken, leaving nothing bound', async () => {
      const taken = net.createServer();
      await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
      const port = (taken.address() as net.AddressInfo).port;
      try {
        const layer = new TransportLayer({
          listen: [
            { transport: 'udp', host: '127.0.0.1', port: 0 },
            { transport: 'tcp', host: '127.0.0.1', port },
          ],
          onMessage: () => undefined,
        });
        await expect(layer.start()).rejects.toMatchObject({ code: 'EADDRINUSE' });
        expect(layer.listeners).toEqual([]);
      } finally {
        await new Promise((resolve) => taken.close(resolve));
      }
    });

    it('keeps running when onMessage throws', async () => {
      const errors: string[] = [];
      let calls = 0;
      const layer = new TransportLayer({
        listen: [{ transport: 'tcp', host: '127.0.0.1', port: 0 }],
        onMessage: () => {
          calls++;
          throw new Error('bug in the TU');
        },
        logger: { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (m) => errors.push(m) },
      });
      await layer.start();
      const client = await StreamClient.connect('tcp', layer.listeners[0].port);
      await client.write(requestText({ transport: 'TCP' }) + '\r\n\r\n');
      expect(await client.items.next()).toBe('pong');
      expect(calls).toBe(1);
      expect(errors).toEqual(['transport: message handler failed']);
      client.destroy();
      await layer.stop();
    });
  });
});
