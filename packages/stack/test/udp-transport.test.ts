import dgram from 'node:dgram';
import { type SipRequest, createResponse, parseMessage } from '@herald/sip';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';
import { requestText, responseText, UdpClient } from '@herald/test-kit';

describe('RFC 3261 §18 UDP transport', () => {
  let run: RunningLayer;
  let client: UdpClient;

  beforeEach(async () => {
    run = await startLayer([{ transport: 'udp', host: '127.0.0.1', port: 0 }], { limits: { maxMessageSize: 4000 } });
    client = await UdpClient.bind();
  });

  afterEach(async () => {
    await client.close();
    await run.layer.stop();
  });

  describe('normal path', () => {
    it('reports the bound port and hands a request over with its flow', async () => {
      const port = run.port('udp');
      expect(port).toBeGreaterThan(0);
      await client.send(requestText({ sentBy: `127.0.0.1:${client.port}` }), port);
      const { message, flow } = await run.received.next();
      expect((message as SipRequest).method).toBe('OPTIONS');
      expect(flow).toMatchObject({ transport: 'udp', localAddress: '127.0.0.1', localPort: port, remoteAddress: '127.0.0.1', remotePort: client.port });
    });

    it('adds received and fills rport in the top Via, and the response reaches the client at rport (RFC 3581 §4)', async () => {
      await client.send(requestText({ sentBy: 'client.invalid:5999', rport: true }), run.port('udp'));
      const { message, flow } = await run.received.next();
      const via = message.topVia;
      expect(via.params.get('received')).toBe('127.0.0.1');
      expect(via.params.get('rport')).toBe(String(client.port));
      const sent = await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), flow);
      expect(sent).toMatchObject({ transport: 'udp', remotePort: client.port, localPort: run.port('udp') });
      const response = await client.nextMessage();
      expect(response).toMatchObject({ status: 200, reason: 'OK' });
      expect(response.callId).toBe(message.callId);
    });

    it('sends a response to received at the sent-by port when there is no rport (RFC 3261 §18.2.2)', async () => {
      const other = await UdpClient.bind();
      try {
        await client.send(requestText({ sentBy: `client.invalid:${other.port}` }), run.port('udp'));
        const { message, flow } = await run.received.next();
        await run.layer.send(createResponse(message as SipRequest, 202, 'Accepted'), flow);
        expect(await other.nextMessage()).toMatchObject({ status: 202 });
      } finally {
        await other.close();
      }
    });

    it('routes a response addressed as a Destination with the flow id by its Via, from the same socket', async () => {
      const other = await UdpClient.bind();
      try {
        await client.send(requestText({ sentBy: `127.0.0.1:${other.port}` }), run.port('udp'));
        const { message, flow } = await run.received.next();
        const destination = { transport: flow.transport, address: flow.remoteAddress, port: flow.remotePort, flowId: flow.id };
        const sent = await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), destination);
        expect(sent).toMatchObject({ localPort: run.port('udp'), remotePort: other.port });
        expect(await other.nextMessage()).toMatchObject({ status: 200, callId: message.callId });
      } finally {
        await other.close();
      }
    });

    it('hands a response over without touching its Via', async () => {
      const via = 'Via: SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKabc';
      await client.send(responseText(200, 'OK', [via, 'From: <sip:a@x>;tag=1', 'To: <sip:b@x>;tag=2', 'Call-ID: r1', 'CSeq: 1 OPTIONS']), run.port('udp'));
      const { message } = await run.received.next();
      expect(message.isRequest()).toBe(false);
      expect(message.header('via')).toBe('SIP/2.0/UDP 203.0.113.5:5060;branch=z9hG4bKabc');
    });

    it('sends a request from the listening socket, so the answer comes back to it', async () => {
      const request = parseMessage(Buffer.from(requestText({ sentBy: `127.0.0.1:${run.port('udp')}` })));
      const flow = await run.layer.send(request, { transport: 'udp', address: '127.0.0.1', port: client.port });
      expect(flow).toMatchObject({ localPort: run.port('udp'), remotePort: client.port });
      const got = await client.datagrams.next();
      expect(got.toString()).toContain('OPTIONS sip:herald.test SIP/2.0');
    });
  });

  describe('failure path', () => {
    it('drops a CRLF keep-alive datagram without an answer or a message (RFC 5626 §4.4.1)', async () => {
      const port = run.port('udp');
      await client.send('\r\n\r\n', port);
      await client.send('\r\n', port);
      await client.send(requestText({ callId: 'after-keepalive' }), port);
      await client.send(requestText({ callId: 'short-body', headers: ['Content-Length: 50'], noContentLength: true }), port);
      const first = await run.received.next();
      expect(first.message.callId).toBe('after-keepalive');
      // The first datagram back answers the short body: nothing answered the keep-alives.
      expect(await client.nextMessage()).toMatchObject({ status: 400, reason: 'Content-Length larger than the message', callId: 'short-body' });
      expect(run.received.length).toBe(0);
    });

    it('answers a malformed request with 400 and a reason naming the problem', async () => {
      await client.send(requestText({ method: 'INVITE', headers: [], cseq: 1 }).replace('CSeq: 1 INVITE', 'CSeq: 1 BYE'), run.port('udp'));
      const response = await client.nextMessage();
      expect(response).toMatchObject({ status: 400, reason: 'CSeq method does not match the request method' });
      expect(run.received.length).toBe(0);
    });

    it('answers a request over maxMessageSize with 513 Message Too Large', async () => {
      const body = 'x'.repeat(4100);
      await client.send(requestText({ method: 'MESSAGE', body, headers: ['Content-Type: text/plain'] }), run.port('udp'));
      expect(await client.nextMessage()).toMatchObject({ status: 513, reason: 'Message Too Large' });
    });

    it('survives garbage and answers the next request', async () => {
      const port = run.port('udp');
      await client.send(Buffer.from([0x00, 0x01, 0xff, 0xfe, 0x0d, 0x0a]), port);
      await client.send('SIP/2.0 banana\r\n\r\n', port);
      await client.send('INVITE\r\n\r\n', port);
      await client.send(requestText({ callId: 'still-alive' }), port);
      expect((await run.received.next()).message.callId).toBe('still-alive');
    });
  });
});

describe('RFC 3261 §18 UDP over IPv6', () => {
  it('receives and answers on [::1]', async () => {
    if (!(await canBind('::1'))) {
      console.warn('skipped: ::1 cannot be bound');
      return;
    }
    const run = await startLayer([{ transport: 'udp', host: '::1', port: 0 }]);
    const client = await UdpClient.bind('::1');
    try {
      await client.send(requestText({ sentBy: 'client.invalid', rport: true }), run.port('udp'));
      const { message, flow } = await run.received.next();
      expect(flow).toMatchObject({ transport: 'udp', localAddress: '::1', remoteAddress: '::1', remotePort: client.port });
      expect(message.topVia.params.get('received')).toBe('::1');
      await run.layer.send(createResponse(message as SipRequest, 200, 'OK'), flow);
      expect(await client.nextMessage()).toMatchObject({ status: 200 });
    } finally {
      await client.close();
      await run.layer.stop();
    }
  });
});

function canBind(host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp6');
    socket.once('error', () => {
      socket.close();
      resolve(false);
    });
    socket.bind(0, host, () => socket.close(() => resolve(true)));
  });
}
