import { join } from 'node:path';
import { type SipRequest, type SipResponse, createResponse } from '@herald/sip';
import { freePort, requestText } from '@herald/test-kit';
import { messageFromCommunity, messageToCommunity, nextRequest, uriOf } from './helpers/connector-agent.js';
import { type HeraldProcess, runHerald, startHerald } from './helpers/herald-process.js';
import { TcpPhone } from './helpers/tcp-phone.js';
import { UdpAgent } from './helpers/udp-agent.js';

// Herald serves dc.acme.test and acme.test; the community chicago (chi.acme.test, convertIds)
// has its connector at a scripted UDP agent on 127.0.0.1. asmith@dc.acme.test has the
// external form Alice_Smith@acme.test, which the community sees and reaches (issue 16).

const ACCOUNT = 'sip:asmith@dc.acme.test';
const EXTERNAL = 'sip:Alice_Smith@acme.test';
const PASSWORD = 'pw-asmith';

describe('ID conversion towards a convertIds community (issue 16)', () => {
  let herald: HeraldProcess;
  let connector: UdpAgent;
  let asmith: TcpPhone;

  beforeAll(async () => {
    const connectorPort = await freePort();
    herald = await startHerald(`domains: [dc.acme.test, acme.test]
listen: ["udp://127.0.0.1:0", "tcp://127.0.0.1:0"]
log: { level: info }
presence: { notifyWindow: 0 }
users:
  - { user: asmith, domain: dc.acme.test, password: "${PASSWORD}" }
communities:
  enabled: true
  list:
    - { name: chicago, domains: [chi.acme.test], proxies: ["sip:127.0.0.1:${connectorPort}"], trustedIps: [127.0.0.1], convertIds: true, probeInterval: 0 }
`);
    const alias = await runHerald(['user', 'alias', 'add', 'Alice_Smith@acme.test', 'asmith@dc.acme.test', '--external', '--config', join(herald.dir, 'herald.yaml')], herald.dir);
    expect(alias).toMatchObject({ code: 0 });
    connector = await UdpAgent.start(herald.port('udp'), connectorPort);
    asmith = await TcpPhone.register(herald.port('tcp'), 'asmith', PASSWORD, 'dc.acme.test');
  }, 30_000);

  afterAll(async () => {
    asmith?.close();
    await connector?.close();
    await herald?.stop();
  });

  describe('outbound', () => {
    it('a MESSAGE to the community is From (and P-Asserted-Identity) the external form there; the 200 comes back with asmith\'s own From', async () => {
      const { response, message } = await messageToCommunity(asmith, connector, herald, 'hello, Chicago');
      expect(uriOf(message.header('from'))).toBe(EXTERNAL);
      expect(message.from.params.get('tag')).toBe('asmitht');
      // RFC 3325 §5: the identity Herald asserts towards the community, in its external form too.
      expect(message.headerValues('p-asserted-identity')).toEqual([`<${EXTERNAL}>`]);
      expect(message.body.toString('utf8')).toBe('hello, Chicago');
      expect(response.status).toBe(200);
      expect(response.header('from')).toBe(`<${ACCOUNT}>;tag=asmitht`);
    });

    it('a SUBSCRIBE to the community and its refresh within the dialog are From the external form; the answers carry asmith\'s own', async () => {
      const [first, subscribe] = await Promise.all([
        asmith.sendRequest('SUBSCRIBE', 'sip:bob@chi.acme.test', '', ['Event: presence', 'Expires: 600']),
        nextRequest(connector, herald, 'SUBSCRIBE', [['Contact', connector.contact]]),
      ]);
      expect(uriOf(subscribe.header('from'))).toBe(EXTERNAL);
      expect(first.status).toBe(200);
      expect(first.header('from')).toBe(`<${ACCOUNT}>;tag=asmitht`);
      // RFC 3261 §12.1.2: the subscriber's route set is the Record-Route in reverse.
      const route = subscribe.headerValues('record-route').reverse();
      const local = asmith.client.socket.localPort;
      await asmith.client.write(
        requestText({
          method: 'SUBSCRIBE',
          uri: `sip:agent@127.0.0.1:${connector.client.port}`,
          transport: 'TCP',
          sentBy: `127.0.0.1:${local}`,
          callId: subscribe.callId,
          cseq: 5,
          from: `<${ACCOUNT}>;tag=asmitht`,
          to: first.header('to'),
          headers: [...route.map((r) => `Route: ${r}`), `Contact: <sip:asmith@127.0.0.1:${local};transport=tcp>`, 'Event: presence', 'Expires: 600'],
        }),
      );
      const refresh = await nextRequest(connector, herald, 'SUBSCRIBE');
      expect(refresh.cseq.seq).toBe(5);
      expect(uriOf(refresh.header('from'))).toBe(EXTERNAL);
      const answer = (await asmith.client.nextMessage(5000)) as SipResponse;
      expect(answer.status).toBe(200);
      expect(answer.header('from')).toBe(`<${ACCOUNT}>;tag=asmitht`);
    });
  });

  describe('an INVITE to the community, cancelled while it rings', () => {
    it('is From the external form there, as are the CANCEL and the ACK Herald sends; the 487 comes back with asmith\'s own From', async () => {
      const reply = (m: SipRequest, status: number, options: { toTag?: string } = {}) => connector.client.send(createResponse(m, status, undefined, options).toBuffer(), herald.port('udp'), '127.0.0.1');
      const nextOf = async (method: string) => {
        for (;;) {
          const m = await connector.client.nextMessage(5000);
          if (m.isRequest() && m.method === method) return m;
        }
      };
      const final = asmith.sendRequest('INVITE', 'sip:bob@chi.acme.test');
      const invite = await nextOf('INVITE');
      expect(uriOf(invite.header('from'))).toBe(EXTERNAL);
      await reply(invite, 180, { toTag: 'b1' });
      // RFC 3261 §9.1: the CANCEL matches the INVITE (TcpPhone's second, with credentials);
      // Herald sends its own once the branch has rung, whichever of the two it sees first.
      await asmith.client.write(
        requestText({
          method: 'CANCEL',
          uri: 'sip:bob@chi.acme.test',
          transport: 'TCP',
          sentBy: `127.0.0.1:${asmith.client.socket.localPort}`,
          branch: `z9hG4bK${invite.callId}-2`,
          callId: invite.callId,
          cseq: 2,
          from: `<${ACCOUNT}>;tag=asmitht`,
          to: '<sip:bob@chi.acme.test>',
        }),
      );
      const cancel = await nextOf('CANCEL');
      expect(uriOf(cancel.header('from'))).toBe(EXTERNAL);
      expect(cancel.from.params.get('tag')).toBe('asmitht');
      await reply(cancel, 200);
      await reply(invite, 487, { toTag: 'b1' });
      const ack = await nextOf('ACK');
      expect(uriOf(ack.header('from'))).toBe(EXTERNAL);
      // TcpPhone takes the first final response of the Call-ID: the 200 to the CANCEL; the 487 follows.
      expect((await final).cseq.method).toBe('CANCEL');
      let terminated: SipResponse;
      do terminated = (await asmith.client.nextMessage(5000)) as SipResponse;
      while (terminated.isRequest() || terminated.status < 200);
      expect(terminated.status).toBe(487);
      expect(terminated.header('from')).toBe(`<${ACCOUNT}>;tag=asmitht`);
    });
  });

  describe('inbound', () => {
    it('a MESSAGE from the community to the external form reaches asmith\'s registered phone', async () => {
      const response = messageFromCommunity(connector, EXTERNAL, 'hi Alice');
      const message = await asmith.nextRequest();
      expect(message.method).toBe('MESSAGE');
      expect(message.body.toString('utf8')).toBe('hi Alice');
      await asmith.answer(message);
      expect((await response).status).toBe(200);
    });

    it.each([
      ['the external form', EXTERNAL],
      ['the account\'s own AoR', ACCOUNT],
    ])('a watcher in the community subscribed to %s is sent NOTIFYs From the external form, with it as PIDF entity', async (_, uri) => {
      await connector.send({ method: 'SUBSCRIBE', uri, from: '<sip:carol@chi.acme.test>;tag=w1', to: `<${uri}>`, headers: ['Event: presence', 'Accept: application/pidf+xml', 'Expires: 600'] });
      const ok = await connector.response();
      expect(ok.status).toBe(200);
      const notify = await nextRequest(connector, herald, 'NOTIFY');
      expect(notify.header('to')).toContain('tag=w1');
      expect(notify.from.params.get('tag')).toBe(ok.to.params.get('tag'));
      expect(uriOf(notify.header('from'))).toBe(EXTERNAL);
      const pidf = notify.body.toString('utf8');
      expect(pidf).toContain(`entity="${EXTERNAL}"`);
      expect(pidf).toContain('<basic>open</basic>');
      expect(pidf).not.toContain('asmith');
    });
  });
});
