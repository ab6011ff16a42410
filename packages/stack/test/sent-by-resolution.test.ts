import { type SipRequest, createResponse, parseMessage } from '@herald/sip';
import { type NamedServer, UdpClient, freePort, requestText, startNamed } from '@herald/test-kit';
import { DnsClient, SipResolver } from '../src/index.js';
import { type RunningLayer, startLayer } from './helpers/start-layer.js';

/**
 * RFC 3263 §5: a response whose Via sent-by is a host name (no `received`, no connection to
 * reuse) goes where SRV for the Via's transport says, else to the name's A record. A real
 * named, a real transport layer, and a UDP client on 127.0.0.3 where the records point.
 */
describe('RFC 3263 §5 responses to a Via sent-by name', () => {
  let named: NamedServer;
  let run: RunningLayer;
  let client: UdpClient;

  beforeAll(async () => {
    const port = await freePort();
    client = await UdpClient.bind('127.0.0.3', port);
    named = await startNamed([{ origin: 'sentby.test', records: [`_sip._udp IN SRV 10 0 ${port} phone`, 'phone IN A 127.0.0.3', 'plain IN A 127.0.0.3'] }]);
    const resolver = new SipResolver({ dns: new DnsClient({ servers: [named.server] }) });
    run = await startLayer([{ transport: 'udp', host: '127.0.0.1', port: 0 }], { sentByResolver: resolver });
  });
  afterAll(async () => {
    await run?.layer.stop();
    await client?.close();
    await named?.stop();
  });

  function request(sentBy: string, callId: string): SipRequest {
    return parseMessage(Buffer.from(requestText({ method: 'OPTIONS', uri: 'sip:herald.test', callId, sentBy }))) as SipRequest;
  }

  it('sends to the SRV target of a sent-by without a port', async () => {
    const response = createResponse(request('sentby.test', 'srv-1'), 200);
    await run.layer.send(response, { transport: 'udp', address: 'sentby.test', port: 5060 });
    const got = await client.nextMessage(5000);
    expect(got.callId).toBe('srv-1');
  });

  it('sends to the A record at the port of a sent-by with one', async () => {
    const response = createResponse(request(`plain.sentby.test:${client.port}`, 'a-1'), 200);
    await run.layer.send(response, { transport: 'udp', address: 'plain.sentby.test', port: client.port });
    expect((await client.nextMessage(5000)).callId).toBe('a-1');
  });

  it('fails with a transport error for a name DNS does not know', async () => {
    const response = createResponse(request('ghost.sentby.test', 'none-1'), 200);
    await expect(run.layer.send(response, { transport: 'udp', address: 'ghost.sentby.test', port: 5060 })).rejects.toMatchObject({ code: 'SIP_ERR_TRANSPORT_RESOLVE' });
  });
});
