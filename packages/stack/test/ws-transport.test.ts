import { type SipRequest, createResponse, parseMessage } from '@herald/sip';
import { TransportError } from '../src/index.js';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';
import { createTestCertificate, requestText, type TestCertificate, WsClient } from '@herald/test-kit';

let certificate: TestCertificate;

beforeAll(async () => {
  certificate = await createTestCertificate();
});

describe.each(['ws', 'wss'] as const)('RFC 7118 %s transport', (transport) => {
  const VIA = transport.toUpperCase();
  let run: RunningLayer;
  let url: string;

  beforeEach(async () => {
    run = await startLayer([{ transport, host: '127.0.0.1', port: 0, path: '/sip' }], { tls: certificate, limits: { maxMessageSize: 4000 } });
    url = `${transport}://127.0.0.1:${run.port(transport)}/sip`;
  });

  afterEach(async () => {
    await run.layer.stop();
  });

  describe('normal path', () => {
    it('hands a request over with its flow and sends the response back on the same connection', async () => {
      const client = await WsClient.connect(url);
      await client.send(requestText({ transport: VIA, sentBy: 'df7jal23ls0d.invalid', rport: true }));
      const { message, flow } = await run.received.next();
      expect(flow).toMatchObject({ transport, localPort: run.port(transport), remoteAddress: '127.0.0.1', remotePort: client.localPort });
      expect(message.topVia).toMatchObject({ transport: VIA, host: 'df7jal23ls0d.invalid' });
      expect(message.topVia.params.get('received')).toBe('127.0.0.1');
      expect(message.topVia.params.get('rport')).toBe(String(client.localPort));
      await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), flow);
      expect(await client.nextMessage()).toMatchObject({ status: 200, callId: message.callId });
      client.close();
    });

    it('takes a SIP message in a binary WebSocket message too, without Content-Length', async () => {
      const client = await WsClient.connect(url);
      await client.send(Buffer.from(requestText({ transport: VIA, callId: 'binary', noContentLength: true })), true);
      expect((await run.received.next()).message.callId).toBe('binary');
      client.close();
    });

    it('sends a request to a client over its flow (flowId)', async () => {
      const client = await WsClient.connect(url);
      await client.send(requestText({ transport: VIA, method: 'REGISTER' }));
      const { flow } = await run.received.next();
      const request = parseMessage(Buffer.from(requestText({ transport: VIA, method: 'MESSAGE', body: 'hello', callId: 'to-client' })));
      const sent = await run.layer.send(request, { transport, address: '127.0.0.1', port: client.localPort, flowId: flow.id });
      expect(sent.id).toBe(flow.id);
      expect(await client.nextMessage()).toMatchObject({ method: 'MESSAGE', callId: 'to-client' });
      client.close();
    });

    it('reports the flow closed when the client goes away', async () => {
      const client = await WsClient.connect(url);
      await client.send(requestText({ transport: VIA }));
      const { flow } = await run.received.next();
      client.close();
      expect((await run.closedFlows.next()).id).toBe(flow.id);
      expect(run.layer.flow(flow.id)).toBeUndefined();
    });
  });

  describe('failure path', () => {
    it('refuses a handshake without the sip subprotocol', async () => {
      await expect(WsClient.connect(url, [])).rejects.toThrow('handshake refused: 400');
      await expect(WsClient.connect(url, ['chat'])).rejects.toThrow('handshake refused: 400');
    });

    it('refuses a handshake on another path', async () => {
      await expect(WsClient.connect(url.replace('/sip', '/other'))).rejects.toThrow('handshake refused: 404');
    });

    it('cannot send a request to a WebSocket destination without an open flow', async () => {
      const request = parseMessage(Buffer.from(requestText({ transport: VIA })));
      const sending = run.layer.send(request, { transport, address: '127.0.0.1', port: 1 });
      await expect(sending).rejects.toBeInstanceOf(TransportError);
      await expect(sending).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_FLOW_CLOSED' });
    });

    it('answers a malformed request with 400 on the same connection', async () => {
      const client = await WsClient.connect(url);
      await client.send(requestText({ transport: VIA, callId: 'bad' }).replace('SIP/2.0\r\n', 'SIP/2.0 \r\n'));
      expect(await client.nextMessage()).toMatchObject({ status: 400, reason: 'Malformed Request-Line', callId: 'bad' });
      client.close();
    });

    it('closes a connection that sends a message over maxMessageSize', async () => {
      const client = await WsClient.connect(url);
      await client.send(requestText({ transport: VIA, method: 'MESSAGE', body: 'x'.repeat(5000) }));
      await client.closed;
    });
  });
});
