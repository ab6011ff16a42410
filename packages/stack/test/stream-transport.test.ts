import { type SipRequest, createResponse } from '@herald/sip';
import { createTestCertificate, requestText, StreamClient, type TestCertificate } from '@herald/test-kit';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';

let certificate: TestCertificate;

beforeAll(async () => {
  certificate = await createTestCertificate();
});

describe.each(['tcp', 'tls'] as const)('RFC 3261 §18.3 %s transport', (transport) => {
  const VIA = transport.toUpperCase();
  let run: RunningLayer;
  let client: StreamClient;

  beforeEach(async () => {
    run = await startLayer([{ transport, host: '127.0.0.1', port: 0 }], {
      tls: certificate,
      limits: { maxHeaderSize: 2048, maxMessageSize: 8000 },
    });
    client = await StreamClient.connect(transport, run.port(transport));
  });

  afterEach(async () => {
    client.destroy();
    await run.layer.stop();
  });

  describe('normal path', () => {
    it('hands a request over with its flow and sends the response back on the same connection', async () => {
      await client.write(requestText({ transport: VIA, sentBy: 'client.invalid', rport: true }));
      const { message, flow } = await run.received.next();
      expect(flow).toMatchObject({ transport, localAddress: '127.0.0.1', localPort: run.port(transport), remoteAddress: '127.0.0.1', remotePort: client.localPort });
      expect(run.layer.flow(flow.id)).toEqual(flow);
      expect(message.topVia.params.get('received')).toBe('127.0.0.1');
      expect(message.topVia.params.get('rport')).toBe(String(client.localPort));
      expect(await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), flow)).toEqual(flow);
      const response = await client.nextMessage();
      expect(response).toMatchObject({ status: 200 });
      expect(response.callId).toBe(message.callId);
    });

    it('frames two messages that arrive in one chunk', async () => {
      await client.write(requestText({ transport: VIA, callId: 'one' }) + requestText({ transport: VIA, callId: 'two', method: 'MESSAGE', body: 'hi' }));
      expect((await run.received.next()).message.callId).toBe('one');
      const second = await run.received.next();
      expect(second.message.callId).toBe('two');
      expect(second.message.body.toString()).toBe('hi');
    });

    it('frames one message that arrives in three chunks', async () => {
      const text = requestText({ transport: VIA, callId: 'split', method: 'MESSAGE', body: 'split body' });
      const a = Math.floor(text.length / 3);
      await client.write(text.slice(0, a));
      await new Promise((resolve) => setImmediate(resolve));
      await client.write(text.slice(a, 2 * a));
      await new Promise((resolve) => setImmediate(resolve));
      await client.write(text.slice(2 * a));
      const { message } = await run.received.next();
      expect(message.callId).toBe('split');
      expect(message.body.toString()).toBe('split body');
    });

    it('answers a double-CRLF ping with a single CRLF pong (RFC 5626 §4.4.1)', async () => {
      await client.write('\r\n\r\n');
      expect(await client.items.next()).toBe('pong');
      await client.write(requestText({ transport: VIA, callId: 'after-ping' }));
      expect((await run.received.next()).message.callId).toBe('after-ping');
    });
  });

  describe('failure path', () => {
    it('answers a malformed request with 400 and a reason, and keeps the connection', async () => {
      await client.write(requestText({ transport: VIA, callId: 'no-uri' }).replace('OPTIONS sip:herald.test SIP/2.0', 'OPTIONS <sip:herald.test> SIP/2.0'));
      expect(await client.nextMessage()).toMatchObject({ status: 400, reason: 'Malformed Request-URI', callId: 'no-uri' });
      await client.write(requestText({ transport: VIA, callId: 'next' }));
      expect((await run.received.next()).message.callId).toBe('next');
    });

    it('closes a stream whose Content-Length is not a number', async () => {
      await client.write(requestText({ transport: VIA, noContentLength: true, headers: ['Content-Length: abc'] }));
      await client.closed;
      expect(run.received.length).toBe(0);
    });

    it('closes a stream whose header block is larger than maxHeaderSize', async () => {
      await client.write(`OPTIONS sip:herald.test SIP/2.0\r\nSubject: ${'x'.repeat(3000)}\r\n`);
      await client.closed;
    });

    it('closes a stream whose Content-Length is larger than the limit', async () => {
      await client.write(requestText({ transport: VIA, noContentLength: true, headers: ['Content-Length: 9000'] }));
      await client.closed;
    });

    it('answers a message over maxMessageSize that could be framed with 513', async () => {
      const body = 'x'.repeat(7900);
      await client.write(requestText({ transport: VIA, method: 'MESSAGE', body, callId: 'big' }));
      expect(await client.nextMessage()).toMatchObject({ status: 513, callId: 'big' });
    });
  });
});
